"""Notifications through the API: one's own only; another user's id is 404."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.utils import translation
from django.utils.translation import gettext

from fanous.conftest import World, ok
from fanous.notifications.kinds import MESSAGES, Kind
from fanous.notifications.models import Notification
from fanous.notifications.render import notification_text
from fanous.notifications.services import notify

pytestmark = pytest.mark.django_db

PARAMS = {
    "reference": "AGN-A-2026-000001-R1",
    "service": "مركز التعليم",
    "service_en": "Education centre",
    "referral_status": "accepted",
}


def _notes(world: World, name: str, n: int) -> list[Notification]:
    return [
        notify(
            users=[world.users[name]],
            kind=Kind.REFERRAL_ANSWERED,
            params={**PARAMS, "reference": f"R{i}"},
            link="/referrals/x/",
        )[0]
        for i in range(n)
    ]


def test_list_is_newest_first_with_unread_filter_and_counts(world: World) -> None:
    notes = _notes(world, "alice", 3)
    _notes(world, "bob", 2)
    api = world.api("alice")
    body = ok(api.get("/notifications", **{"Accept-Language": "en"}))
    assert body["count"] == 3
    assert body["unread_count"] == 3
    assert [i["id"] for i in body["items"]] == [str(n.pk) for n in reversed(notes)]
    first = body["items"][0]
    assert first["text"].startswith("Referral R2 to Education centre is now ")
    assert first["unread"] is True
    assert first["read_at"] is None
    read = ok(api.post(f"/notifications/{notes[0].pk}/read"))
    assert read["unread"] is False
    assert read["read_at"]
    again = ok(api.post(f"/notifications/{notes[0].pk}/read"))
    assert again["read_at"] == read["read_at"]  # idempotent
    unread = ok(api.get("/notifications?unread=true"))
    assert unread["count"] == 2
    assert str(notes[0].pk) not in [i["id"] for i in unread["items"]]
    paged = ok(api.get("/notifications?limit=1&offset=1"))
    assert [i["id"] for i in paged["items"]] == [str(notes[1].pk)]


def test_read_all_marks_only_my_own(world: World) -> None:
    _notes(world, "alice", 2)
    bobs = _notes(world, "bob", 2)
    body = ok(world.api("alice").post("/notifications/read-all"))
    assert body == {"marked": 2, "unread_count": 0}
    assert Notification.objects.filter(user=world.users["bob"], read_at__isnull=True).count() == 2
    assert ok(world.api("bob").get("/notifications"))["unread_count"] == len(bobs)


@pytest.mark.parametrize("reader", ["bob", "dave", "sam", "cora", "adam"])
def test_another_users_notification_is_not_found_and_stays_unread(
    world: World, reader: str
) -> None:
    (note,) = _notes(world, "alice", 1)
    api = world.api(reader)
    res = api.post(f"/notifications/{note.pk}/read")
    assert res.status_code == 404
    assert res.json()["code"] == "not_found"
    assert world.api(reader).post(f"/notifications/{uuid.uuid4()}/read").status_code == 404
    assert ok(api.get("/notifications"))["count"] == 0
    note.refresh_from_db()
    assert note.read_at is None


def test_anonymous_gets_401(world: World, client: Any) -> None:
    assert client.get("/api/v1/notifications").status_code == 401
    assert client.post("/api/v1/notifications/read-all").status_code == 401


def test_a_notification_for_an_arabic_reader_renders_in_arabic(world: World) -> None:
    alice = world.users["alice"]
    alice.language = "ar"
    alice.save(update_fields=["language"])
    (note,) = notify(users=[alice], kind=Kind.REFERRAL_ANSWERED, params=PARAMS)
    with translation.override("ar"):
        expected = gettext(MESSAGES[Kind.REFERRAL_ANSWERED]) % {
            "reference": PARAMS["reference"],
            "service": PARAMS["service"],  # the Arabic name, not service_en
            "referral_status": _label("accepted"),
        }
        assert notification_text(note) == expected
        assert "مركز التعليم" in notification_text(note)
    with translation.override("en"):
        assert "Education centre" in notification_text(note)
    # The API answers in the request's language.
    body = ok(world.api("alice").get("/notifications", **{"Accept-Language": "ar"}))
    assert body["items"][0]["text"] == expected


def _label(status: str) -> str:
    from fanous.domain.referrals import ReferralStatus

    return gettext(ReferralStatus(status).label)


def test_unknown_kind_renders_its_code(world: World) -> None:
    note = Notification.objects.create(user=world.users["alice"], kind="retired_kind")
    assert notification_text(note) == "retired_kind"
