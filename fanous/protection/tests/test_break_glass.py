"""Break-glass access (issue 4, SPEC §12): a supervisor of the agency opens a case they
cannot see, with a mandatory reason, for the SOP's hours; flagged in the audit; the case's
caseworker and supervisor are told. Erin supervises another team of alice's agency."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from fanous.audit.models import Event
from fanous.conftest import World, assessed_case, local_today, ok
from fanous.notifications.models import Notification
from fanous.protection.models import CaseAccessGrant

pytestmark = pytest.mark.django_db

REASON = "The child called the helpline at night: the caseworker cannot be reached."


@pytest.fixture
def case(world: World) -> dict[str, Any]:
    return assessed_case(
        world.api("alice"),
        {"sexual_abuse": True},
        concerns=["child_labour", "sexual_violence"],
        registration={"health_wellbeing": "Diabetic, insulin twice a day"},
    )


def glass(world: World, who: str, number: str, reason: str = REASON) -> Any:
    return world.api(who).post("/access/break-glass", {"case_number": number, "reason": reason})


def web(world: World, name: str) -> Client:
    client = Client()
    client.force_login(world.users[name])
    return client


def test_a_supervisor_breaks_the_glass_sees_everything_and_it_is_flagged(
    world: World, case: dict[str, Any]
) -> None:
    cid, number = case["id"], case["case_number"]
    erin = world.api("erin")
    assert erin.get(f"/cases/{cid}").status_code == 404
    grant = ok(glass(world, "erin", number.lower()), 201)
    assert grant["case_id"] == cid
    assert grant["kind"] == "break_glass"
    row = CaseAccessGrant.objects.get()
    assert row.expires_at - row.starts_at == timedelta(hours=24)  # the SOP's break_glass_hours
    # The whole case, sensitive sections included, read only.
    got = ok(erin.get(f"/cases/{cid}"))
    assert "sexual_violence" in got["concerns"]
    assert got["registration"]["health_wellbeing"] == "Diabetic, insulin twice a day"
    assert got["restricted_sections"] == []
    assert got["access"]["kind"] == "break_glass"
    page = web(world, "erin").get(f"/cases/{cid}/").content.decode()
    assert 'id="break-glass-banner"' in page
    # Flagged in the audit: the opening (with its reason and SOP version) and each read.
    opened = Event.objects.get(action=Event.Action.BREAK_GLASS)
    assert opened.actor == world.users["erin"]
    assert str(opened.case_id) == cid
    assert opened.changes["reason"] == REASON
    assert opened.sop_version == case["sop_version"]
    reads = Event.objects.filter(action=Event.Action.READ, actor=world.users["erin"])
    assert reads.count() == 2
    assert all(e.changes["via"] == "break_glass" for e in reads)
    assert {e.changes["grant"] for e in reads} == {str(row.pk)}
    # The case's caseworker and supervisor are told, not the user who broke the glass.
    told = Notification.objects.filter(kind="break_glass_used")
    assert {n.user.username for n in told} == {"alice", "bob"}
    # The audit viewer filters and flags them.
    audit = web(world, "adam").get("/audit/", {"action": "break_glass"}).content.decode()
    assert audit.count('data-break-glass="1"') == 3
    # The reason is for the case's team: a colleague with a share sees the access, not why.
    res = world.api("alice").post(
        f"/access/cases/{cid}/shares",
        {
            "user_id": world.users["carol"].pk,
            "reason": "Joint visit with the school counsellor",
            "until": str(local_today()),
        },
    )
    assert res.status_code == 201
    listed = {g["kind"]: g for g in world.api("carol").get(f"/access/cases/{cid}").json()}
    assert listed["break_glass"]["reason"] == ""
    assert listed["share"]["reason"] == "Joint visit with the school counsellor"
    assert ok(world.api("bob").get(f"/access/cases/{cid}"))  # the team sees the reasons
    # Writes stay refused.
    version = got["version"]
    res = erin.patch(f"/cases/{cid}/child", {"version": version, "child": {"given_name": "X"}})
    assert res.status_code == 404


def test_break_glass_is_time_limited(world: World, case: dict[str, Any]) -> None:
    ok(glass(world, "erin", case["case_number"]), 201)
    assert ok(world.api("erin").get(f"/cases/{case['id']}"))["id"] == case["id"]
    CaseAccessGrant.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    assert world.api("erin").get(f"/cases/{case['id']}").status_code == 404
    assert web(world, "erin").get(f"/cases/{case['id']}/").status_code == 404


@pytest.mark.parametrize(
    ("who", "reason", "status", "code"),
    [
        ("carol", REASON, 403, "role_not_allowed"),  # a caseworker cannot
        ("alice", REASON, 403, "role_not_allowed"),
        ("erin", "urgent", 422, "reason_required"),  # reason of at least 20 characters
        ("erin", " " * 30, 422, "reason_required"),
        ("dora", REASON, 404, "not_found"),  # another agency's supervisor
        ("bob", REASON, 422, "not_needed"),  # the case's own supervisor already sees it
        ("adam", REASON, 403, "role_not_allowed"),
        ("sam", REASON, 403, "role_not_allowed"),
    ],
)
def test_break_glass_refusals_save_nothing(
    world: World, case: dict[str, Any], who: str, reason: str, status: int, code: str
) -> None:
    res = glass(world, who, case["case_number"], reason)
    assert res.status_code == status, res.content
    assert res.json()["code"] == code
    assert res.json()["message"]
    assert not CaseAccessGrant.objects.exists()
    assert not Event.objects.filter(action=Event.Action.BREAK_GLASS).exists()
    assert not Notification.objects.filter(kind="break_glass_used").exists()


def test_an_unknown_number_is_not_found(world: World, case: dict[str, Any]) -> None:
    assert glass(world, "erin", "AGN-A-1999-999999").status_code == 404


def test_the_web_break_glass_form(world: World, case: dict[str, Any]) -> None:
    erin = web(world, "erin")
    assert erin.get("/access/break-glass/").status_code == 200
    assert web(world, "carol").get("/access/break-glass/").status_code == 403
    res = erin.post("/access/break-glass/", {"case_number": case["case_number"], "reason": "x"})
    assert res.status_code == 422
    assert 'data-error-for="reason"' in res.content.decode()
    res = erin.post("/access/break-glass/", {"case_number": case["case_number"], "reason": REASON})
    assert res.status_code == 302
    assert res["Location"] == f"/cases/{case['id']}/"
    # The case's team sees the emergency access on the case's access page, and may end it.
    bob = web(world, "bob")
    html = bob.get(f"/cases/{case['id']}/access/").content.decode()
    grant = CaseAccessGrant.objects.get()
    assert 'data-kind="break_glass"' in html
    assert REASON in html
    assert bob.post(f"/cases/{case['id']}/access/{grant.pk}/revoke").status_code == 302
    assert erin.get(f"/cases/{case['id']}/").status_code == 404
