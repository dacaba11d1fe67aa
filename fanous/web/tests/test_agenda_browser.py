"""My agenda in a real browser: Arabic on a phone, English on a desktop (SPEC §4, §8)."""

from __future__ import annotations

from typing import Any

import pytest

from fanous.conftest import World

from .test_agenda_support import case_at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _three_follow_ups(world: World) -> None:
    case_at(world, risk="medium", name="منى", days_ago=10)  # due 3 days ago: overdue
    case_at(world, risk="low", name="ليلى", days_ago=14)  # due today
    case_at(world, risk="high", name="يوسف", days_ago=3)  # due today


def test_arabic_agenda_on_a_phone_lists_overdue_first_then_high_risk(
    world: World, login: Any
) -> None:
    _three_follow_ups(world)
    page = login("alice", lang="ar", width=390)
    page.click("button.navbar-toggler")
    page.click("a[data-nav=agenda]")
    page.wait_for_url("**/agenda/")
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.get_attribute("html", "lang") == "ar"
    groups = page.locator("section.agenda-day")
    assert groups.nth(0).get_attribute("data-group") == "overdue"
    assert groups.nth(1).get_attribute("data-group") == "today"
    overdue = groups.nth(0).locator("li[data-kind=follow_up]")
    assert overdue.count() == 1
    assert "منى" in overdue.nth(0).inner_text()
    today = groups.nth(1).locator("li[data-kind=follow_up]")
    assert today.count() == 2
    assert today.nth(0).locator("[data-risk=high]").count() == 1
    assert "يوسف" in today.nth(0).inner_text()
    assert "ليلى" in today.nth(1).inner_text()
    # Nothing overflows the phone's width.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    today.nth(0).locator("a").first.click()
    page.wait_for_url("**/cases/*/")


def test_english_agenda_on_a_desktop(world: World, login: Any) -> None:
    _three_follow_ups(world)
    page = login("alice", lang="en", width=1280)
    page.goto("/agenda/")
    assert page.get_attribute("html", "dir") == "ltr"
    assert page.locator("h1").inner_text() == "My agenda"
    first = page.locator("section.agenda-day").first
    assert first.get_attribute("data-group") == "overdue"
    assert "Overdue" in first.locator("h2").inner_text()
    assert "Workplace" in first.inner_text()
