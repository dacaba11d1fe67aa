"""The caseload and case pages in a real browser, in Arabic and English (SPEC §4)."""

from __future__ import annotations

from typing import Any

import pytest

from fanous.conftest import World, assessed_case
from fanous.web.tests.untranslated import untranslated

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _high_and_low_cases(world: World) -> tuple[dict[str, Any], dict[str, Any]]:
    alice = world.api("alice")
    low = assessed_case(alice, {"hours_per_week": 10}, child={"given_name": "سارة"})
    high = assessed_case(alice, {"trafficking": True}, child={"given_name": "يوسف"})
    return low, high


def test_arabic_caseload_is_right_to_left_with_high_risk_first(world: World, login: Any) -> None:
    low, high = _high_and_low_cases(world)
    page = login("alice", lang="ar", width=390)
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.get_attribute("html", "lang") == "ar"
    items = page.locator("#caseload li.list-group-item")
    assert items.count() == 2
    assert "يوسف" in items.nth(0).inner_text()
    assert items.nth(0).locator("[data-risk=high]").count() == 1
    assert "حالاتي" in page.locator("h1").inner_text()
    assert untranslated(page.locator("body").inner_text()) == []
    # Search with a spelling variant: "احمد" finds "أحمد" (the family name of both children).
    page.fill("#q", "يوسف")
    page.wait_for_function("document.querySelectorAll('#caseload li.list-group-item').length == 1")
    page.locator("#caseload a").first.click()
    page.wait_for_url(f"**/cases/{high['id']}/")
    assert page.locator("[data-risk=high]").count() >= 1
    assert page.locator(".timeline li").count() >= 4
    assert untranslated(page.locator("body").inner_text()) == []


def test_english_caseload_is_left_to_right_and_language_switch_is_remembered(
    world: World, login: Any
) -> None:
    _high_and_low_cases(world)
    page = login("alice", lang="en")
    assert page.get_attribute("html", "dir") == "ltr"
    assert page.locator("h1").inner_text() == "My caseload"
    page.click("button[name=language][value=ar]")
    page.wait_for_load_state()
    assert page.get_attribute("html", "dir") == "rtl"
    world.users["alice"].refresh_from_db()
    assert world.users["alice"].language == "ar"


def test_another_agency_caseworker_gets_404_on_the_case_page(world: World, login: Any) -> None:
    low, _ = _high_and_low_cases(world)
    page = login("dave", lang="en")
    response = page.goto(f"/cases/{low['id']}/")
    assert response.status == 404
    assert "سارة" not in page.content()
