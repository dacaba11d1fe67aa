"""`make screenshots` for the emergency cash pages, Arabic phone and English desktop."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from fanous.conftest import World, ok
from fanous.referrals.tests.cash_support import ask, cash_case, given, year_budget

pytestmark = [pytest.mark.screenshots, pytest.mark.django_db(transaction=True)]

OUT = Path(__file__).resolve().parents[3] / "screenshots"


@pytest.mark.parametrize(("lang", "width"), [("ar", 390), ("en", 1280)])
def test_cash_screenshots(world: World, login: Any, lang: str, width: int) -> None:
    OUT.mkdir(exist_ok=True)
    year_budget(world)
    case = cash_case(world)
    given(world, case["id"], "35.00", "transport")
    given(world, case["id"], "80.00", "medical")
    ok(ask(world.api("alice"), case["id"], "60.00", "school_costs"), 201)
    page = login("alice", lang=lang, width=width)
    page.goto(f"/cases/{case['id']}/cash/")
    page.fill("#id_amount", "150")
    page.select_option("#id_purpose", "basic_needs")
    page.click("#cash-request")
    page.wait_for_selector("#form-errors")
    page.screenshot(path=str(OUT / f"cash-case-{lang}-{width}.png"), full_page=True)
    page = login("bob", lang=lang, width=width)
    page.goto("/cash/approvals/")
    page.screenshot(path=str(OUT / f"cash-approvals-{lang}-{width}.png"), full_page=True)
    page.click("button[data-decision=reject]")
    page.wait_for_selector("#cash-approvals [role=alert]")
    page.screenshot(path=str(OUT / f"cash-approvals-error-{lang}-{width}.png"), full_page=True)
    page = login("adam", lang=lang, width=width)
    page.goto("/cash/budgets/")
    page.screenshot(path=str(OUT / f"cash-budgets-{lang}-{width}.png"), full_page=True)
