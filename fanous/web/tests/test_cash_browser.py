"""Emergency cash in a real browser, in Arabic on a phone (SPEC §8): alice asks, bob approves
in his queue (HTMX), and the fund's balance drops."""

from __future__ import annotations

from typing import Any

import pytest

from fanous.conftest import World
from fanous.referrals.models import CashDisbursement
from fanous.referrals.tests.cash_support import cash_case, year_budget

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_s8_arabic_phone_alice_requests_bob_approves_and_the_balance_drops(
    world: World, login: Any
) -> None:
    year_budget(world, amount="500.00")
    case = cash_case(world)
    page = login("alice", lang="ar", width=390)
    page.goto(f"/cases/{case['id']}/cash/")
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.get_attribute("html", "lang") == "ar"
    assert page.locator("#fund-left [data-amount]").get_attribute("data-amount") == "500.00"
    page.fill("#id_amount", "40")
    page.select_option("#id_purpose", "transport")
    page.fill("#id_note", "أجرة الطريق إلى المركز الصحي")
    page.click("#cash-request")
    page.wait_for_selector("[data-cash][data-status=requested]")
    assert page.locator("#cash-summary").get_attribute("data-pending") == "40.00"
    no_overflow = "document.documentElement.scrollWidth <= window.innerWidth"
    assert page.evaluate(no_overflow)

    page = login("bob", lang="ar", width=390)
    page.goto("/cash/approvals/")
    row = page.locator("#cash-approvals li[data-status=requested]")
    assert row.count() == 1
    assert row.get_attribute("data-balance-before") == "500.00"
    assert row.get_attribute("data-balance-after") == "460.00"
    assert page.evaluate(no_overflow)
    row.locator("button[data-decision=approve]").click()
    page.wait_for_selector("#cash-approvals li[data-status=approved]")
    assert page.locator("[data-decided=approved]").count() == 1
    assert CashDisbursement.objects.get().status == "approved"

    page.goto("/cash/budgets/")
    assert page.locator("#budgets [data-left]").first.get_attribute("data-left") == "460.00"
    assert page.locator("#ledger tr[data-balance]").first.get_attribute("data-balance") == "460.00"
    assert page.evaluate(no_overflow)
