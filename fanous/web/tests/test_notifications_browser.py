"""Notifications in a real browser: the bell's count, mark read with HTMX, Arabic on a phone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from fanous.conftest import World
from fanous.notifications.kinds import Kind
from fanous.notifications.models import Notification
from fanous.notifications.services import notify

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OUT = Path(__file__).resolve().parents[3] / "screenshots"
PARAMS = {
    "reference": "AGN-A-2026-000001-R1",
    "service": "مركز التعليم غير النظامي",
    "service_en": "Non-formal education centre",
    "referral_status": "accepted",
}


def _seed(world: World, name: str) -> None:
    user = world.users[name]
    notify(users=[user], kind=Kind.REFERRAL_RECEIVED, params=PARAMS, link="/")
    notify(users=[user], kind=Kind.REFERRAL_ANSWERED, params=PARAMS, link="/")
    notify(
        users=[user],
        kind=Kind.REFERRAL_OVERDUE,
        params={**PARAMS, "reference": "AGN-A-2026-000002-R3", "which": "acknowledge"},
        link="/",
    )


def _with_bell(page: Any, world: World, name: str) -> None:
    """Put the bell where base.html will include it (before the menu button)."""
    request = RequestFactory().get("/")
    request.user = world.users[name]
    html = render_to_string(
        "web/notifications/partials/_bell.html", {"user": world.users[name]}, request
    )
    page.evaluate(
        """html => {
            const nav = document.querySelector('nav .container-fluid');
            const toggler = nav.querySelector('.navbar-toggler');
            toggler.insertAdjacentHTML('beforebegin', html);
            htmx.process(document.getElementById('notifications-bell'));
        }""",
        html,
    )


def _wait_count(page: Any, count: int) -> None:
    page.wait_for_selector(f"#notifications-badge [data-count='{count}']", state="attached")


def test_mark_one_then_all_read_updates_the_list_and_the_bell(world: World, login: Any) -> None:
    _seed(world, "alice")
    page = login("alice", lang="en")
    page.goto("/notifications/")
    _with_bell(page, world, "alice")
    _wait_count(page, 3)
    assert page.locator("#notification-list li[data-unread='1']").count() == 3
    assert "fw-bold" in (page.get_attribute("#notification-list li a", "class") or "")
    page.locator("#notification-list li").nth(0).locator("button[data-action=read]").click()
    page.wait_for_selector("#notification-list li[data-unread='0']")
    _wait_count(page, 2)
    page.wait_for_selector("#notifications-summary[data-unread='2']")
    OUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUT / "notifications-alice-en-1280.png"), full_page=True)
    page.click("#read-all")
    page.wait_for_selector("#notifications[data-unread='0']")
    assert page.locator("#notification-list li[data-unread='1']").count() == 0
    _wait_count(page, 0)
    assert Notification.objects.filter(read_at__isnull=True).count() == 0


def test_arabic_notifications_fit_a_phone_and_open_their_target(world: World, login: Any) -> None:
    _seed(world, "sam")
    page = login("sam", lang="ar", width=390)
    page.goto("/notifications/")
    _with_bell(page, world, "sam")
    _wait_count(page, 3)
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.locator("#notification-list li").count() == 3
    assert "مركز التعليم غير النظامي" in page.locator("#notification-list").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    OUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUT / "notifications-sam-ar-390.png"), full_page=True)
    page.locator("#notification-list li a").first.click()
    page.wait_for_url("**/")
    assert Notification.objects.filter(read_at__isnull=True).count() == 2
