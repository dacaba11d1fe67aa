"""Notifications pages (Django client): own notifications only, HTMX partials, the bell."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fanous.conftest import World
from fanous.notifications.kinds import Kind
from fanous.notifications.models import Notification
from fanous.notifications.services import notify

pytestmark = pytest.mark.django_db

PARAMS = {"reference": "AGN-A-2026-000001-R1", "service": "مركز", "service_en": "Centre"}


def _client(world: World, name: str, lang: str = "en") -> Client:
    user = world.users[name]
    user.language = lang
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    return client


def _notes(world: World, name: str, n: int, link: str = "/referrals/x/") -> list[Notification]:
    return [
        notify(
            users=[world.users[name]],
            kind=Kind.REFERRAL_REVOKED,
            params={**PARAMS, "reference": f"REF-{i:03d}"},
            link=link,
        )[0]
        for i in range(n)
    ]


def test_list_shows_newest_first_with_unread_marked_and_pages(world: World) -> None:
    notes = _notes(world, "alice", 23)
    Notification.objects.filter(pk=notes[-1].pk).update(read_at=notes[-1].created_at)
    client = _client(world, "alice")
    html = client.get(reverse("web:notifications")).content.decode()
    assert html.index("REF-021") < html.index("REF-020")  # newest first
    assert "REF-022" in html
    assert "REF-002" not in html
    assert html.count('data-unread="1"') == 19
    assert html.count('data-unread="0"') == 1
    assert "22 unread notifications" in html
    page2 = client.get(reverse("web:notifications") + "?page=2").content.decode()
    assert "REF-000" in page2
    assert "REF-021" not in page2
    unread = client.get(reverse("web:notifications") + "?unread=1").content.decode()
    assert "REF-022" not in unread


def test_mark_one_read_with_htmx_returns_the_item_and_tells_the_bell(world: World) -> None:
    (note,) = _notes(world, "alice", 1)
    client = _client(world, "alice")
    res = client.post(reverse("web:notification_read", args=[note.pk]), HTTP_HX_REQUEST="true")
    assert res.status_code == 200
    assert res["HX-Trigger"] == "notifications-changed"
    body = res.content.decode()
    assert body.lstrip().startswith("<li")
    assert 'data-unread="0"' in body
    assert 'id="notifications-summary" data-unread="0" hx-swap-oob="true"' in body
    note.refresh_from_db()
    assert note.read_at is not None


def test_mark_all_read_without_javascript_redirects_back(world: World) -> None:
    _notes(world, "alice", 3)
    (bobs,) = _notes(world, "bob", 1)
    client = _client(world, "alice")
    res = client.post(reverse("web:notifications_read_all"), {"next": "/notifications/?page=1"})
    assert res.status_code == 302
    assert res["Location"] == "/notifications/?page=1"
    assert not Notification.objects.filter(user=world.users["alice"], read_at__isnull=True)
    bobs.refresh_from_db()
    assert bobs.read_at is None
    evil = client.post(reverse("web:notifications_read_all"), {"next": "https://evil.example/"})
    assert evil["Location"] == reverse("web:notifications")


def test_mark_all_read_with_htmx_returns_the_list(world: World) -> None:
    _notes(world, "alice", 2)
    client = _client(world, "alice")
    res = client.post(reverse("web:notifications_read_all"), HTTP_HX_REQUEST="true")
    body = res.content.decode()
    assert res["HX-Trigger"] == "notifications-changed"
    assert body.startswith('<section id="notifications"')
    assert 'data-unread="0"' in body
    assert 'data-unread="1"' not in body


def test_opening_a_notification_marks_it_read_and_goes_to_its_link(world: World) -> None:
    (note,) = _notes(world, "alice", 1, link="/referrals/abc/")
    (bad,) = _notes(world, "alice", 1, link="https://evil.example/")
    client = _client(world, "alice")
    res = client.get(reverse("web:notification_open", args=[note.pk]))
    assert res.status_code == 302
    assert res["Location"] == "/referrals/abc/"
    note.refresh_from_db()
    assert note.read_at is not None
    res = client.get(reverse("web:notification_open", args=[bad.pk]))
    assert res["Location"] == reverse("web:notifications")


@pytest.mark.parametrize("intruder", ["bob", "carol", "dave", "sam", "cora"])
def test_another_users_notification_is_404_and_stays_unread(world: World, intruder: str) -> None:
    (note,) = _notes(world, "alice", 1)
    client = _client(world, intruder)
    for name in ("web:notification_read", "web:notification_open"):
        method = client.post if name.endswith("read") else client.get
        assert method(reverse(name, args=[note.pk])).status_code == 404
        assert method(reverse(name, args=[uuid.uuid4()])).status_code == 404
    client.post(reverse("web:notifications_read_all"))
    assert "REF-000" not in client.get(reverse("web:notifications")).content.decode()
    note.refresh_from_db()
    assert note.read_at is None


def test_pages_need_a_log_in_and_the_badge_gives_204_when_signed_out(world: World) -> None:
    client = Client()
    assert client.get(reverse("web:notifications")).status_code == 302
    assert client.post(reverse("web:notifications_read_all")).status_code == 302
    assert client.get(reverse("web:notifications_badge")).status_code == 204


def test_badge_counts_unread_with_one_indexed_query(world: World) -> None:
    notes = _notes(world, "alice", 3)
    _notes(world, "bob", 2)
    Notification.objects.filter(pk=notes[0].pk).update(read_at=notes[0].created_at)
    client = _client(world, "alice")
    client.get(reverse("web:notifications_badge"))  # session and user are loaded once
    with CaptureQueriesContext(connection) as ctx:
        res = client.get(reverse("web:notifications_badge"))
    body = res.content.decode()
    assert 'data-count="2"' in body
    assert "2 unread" in body
    assert "visually-hidden" in body
    assert res["Cache-Control"].startswith("max-age=0")
    ours = [q["sql"] for q in ctx.captured_queries if "notifications_notification" in q["sql"]]
    assert len(ours) == 1
    if connection.vendor == "sqlite":
        plan = Notification.objects.filter(
            user_id=world.users["alice"].pk, read_at__isnull=True
        ).explain()
        assert "notif_unread" in plan


def test_badge_is_empty_without_unread(world: World) -> None:
    client = _client(world, "bob")
    body = client.get(reverse("web:notifications_badge")).content.decode()
    assert 'data-count="0"' in body
    assert "badge" not in body


def test_bell_partial_polls_the_badge(world: World, rf: Any) -> None:
    from django.template.loader import render_to_string

    request = rf.get("/")
    request.user = world.users["alice"]
    html = render_to_string(
        "web/notifications/partials/_bell.html", {"user": world.users["alice"]}, request
    )
    assert f'hx-get="{reverse("web:notifications_badge")}"' in html
    assert 'hx-trigger="load, every 60s' in html
    assert 'href="/notifications/"' in html


def test_arabic_page_is_right_to_left_and_shows_the_arabic_service_name(world: World) -> None:
    notify(users=[world.users["alice"]], kind=Kind.REFERRAL_RECEIVED, params=PARAMS)
    html = _client(world, "alice", lang="ar").get(reverse("web:notifications")).content.decode()
    assert 'dir="rtl"' in html
    assert 'lang="ar"' in html
    assert "مركز" in html
    assert "Centre" not in html
