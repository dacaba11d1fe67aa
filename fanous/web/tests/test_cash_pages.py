"""Emergency cash pages through the Django client (SPEC §8): the case's cash and request form,
the supervisor's queue (HTMX), the agency's budgets with a running balance; access and
refusals that change nothing."""

from __future__ import annotations

import re
import uuid
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from fanous.conftest import World, ok
from fanous.referrals.models import CashDisbursement, EmergencyBudget
from fanous.referrals.tests.cash_support import approve, ask, cash_case, given, year_budget
from fanous.sop.selectors import active_sop

HTMX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}


def client_of(world: World, name: str) -> Client:
    client = Client()
    client.force_login(world.users[name])
    return client


def _request_body(amount: str, purpose: str = "transport", note: str = "") -> dict[str, str]:
    return {"record_id": str(uuid.uuid4()), "amount": amount, "purpose": purpose, "note": note}


# ---------------------------------------------------------------- the case's page


def test_s8_case_cash_page_shows_totals_and_takes_a_request(world: World) -> None:
    year_budget(world)
    case = cash_case(world)
    given(world, case["id"], "60.00")
    alice = client_of(world, "alice")
    url = f"/cases/{case['id']}/cash/"
    page = alice.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="cash-request-form"' in html
    assert 'data-approved="60.00"' in html
    assert 'data-limit="300.00"' in html
    # The SOP's purposes are offered; a request typed with Arabic-Indic digits is understood.
    assert 'value="school_costs"' in html
    res = alice.post(url, _request_body("٤٠٫٥٠", "school_costs", "رسوم الكتب"))
    assert res.status_code == 302
    stored = CashDisbursement.objects.get(status="requested")
    assert (stored.amount, stored.purpose, stored.note) == (
        Decimal("40.50"),
        "school_costs",
        "رسوم الكتب",
    )
    html = alice.get(url).content.decode()
    assert 'data-pending="40.50"' in html
    assert html.count("data-cash=") == 2


def test_s8_case_cash_form_refusal_is_shown_next_to_the_amount_and_saves_nothing(
    world: World,
) -> None:
    year_budget(world)
    case = cash_case(world)
    res = client_of(world, "alice").post(f"/cases/{case['id']}/cash/", _request_body("150"))
    assert res.status_code == 422
    html = res.content.decode()
    assert 'role="alert"' in html
    assert 'data-reason="cash_over_disbursement_limit"' in html
    assert 'id="id_amount-error"' in html
    assert 'aria-invalid="true"' in html
    assert not CashDisbursement.objects.exists()
    res = client_of(world, "alice").post(f"/cases/{case['id']}/cash/", _request_body("abc"))
    assert res.status_code == 422
    assert not CashDisbursement.objects.exists()


def test_s8_case_cash_page_is_404_for_another_agency_and_their_posts_change_nothing(
    world: World,
) -> None:
    year_budget(world)
    case = cash_case(world)
    url = f"/cases/{case['id']}/cash/"
    for name in ("dave", "dora", "carol", "erin", "cora", "sam", "adam"):
        client = client_of(world, name)
        assert client.get(url).status_code == 404, name
        assert client.post(url, _request_body("10")).status_code == 404, name
    assert not CashDisbursement.objects.exists()
    # The supervisor reads it and may request; without a login, the login page.
    assert client_of(world, "bob").get(url).status_code == 200
    assert Client().get(url).status_code == 302


# ---------------------------------------------------------------- the supervisor's queue


def test_s8_supervisor_approves_with_htmx_and_sees_balance_before_and_after(world: World) -> None:
    year_budget(world)
    case = cash_case(world)
    item = ok(ask(world.api("alice"), case["id"], "40.00"), 201)
    bob = client_of(world, "bob")
    page = bob.get("/cash/approvals/").content.decode()
    assert f'id="cash-{item["id"]}"' in page
    assert 'data-balance-before="5000.00"' in page
    assert 'data-balance-after="4960.00"' in page
    partial = bob.get("/cash/approvals/pending/").content.decode()
    assert 'data-count="1"' in partial
    assert "<html" not in partial
    res = bob.post(
        f"/cash/requests/{item['id']}/decide/",
        {"version": "1", "decision": "approve", "note": ""},
        **HTMX,
    )
    assert res.status_code == 200
    row = res.content.decode()
    assert row.strip().startswith("<li")
    assert 'data-status="approved"' in row
    assert 'data-balance-before="5000.00"' in row
    assert 'data-balance-after="4960.00"' in row
    assert CashDisbursement.objects.get().status == "approved"
    assert 'data-count="0"' in bob.get("/cash/approvals/pending/").content.decode()


def test_s8_reject_without_a_note_is_refused_in_the_row_and_changes_nothing(world: World) -> None:
    year_budget(world)
    case = cash_case(world)
    item = ok(ask(world.api("alice"), case["id"], "40.00"), 201)
    bob = client_of(world, "bob")
    url = f"/cash/requests/{item['id']}/decide/"
    res = bob.post(url, {"version": "1", "decision": "reject", "note": " "}, **HTMX)
    row = res.content.decode()
    assert 'role="alert"' in row
    assert 'data-code="reason_required"' in row
    assert 'data-status="requested"' in row
    assert 'aria-invalid="true"' in row
    stored = CashDisbursement.objects.get()
    assert (stored.status, stored.version) == ("requested", 1)
    # Without HTMX, the refusal comes with its HTTP status.
    assert bob.post(url, {"version": "1", "decision": "reject", "note": ""}).status_code == 422
    res = bob.post(url, {"version": "1", "decision": "reject", "note": "مغطى من برنامج آخر"})
    assert res.status_code == 302
    assert CashDisbursement.objects.get().status == "rejected"


def test_s8_stale_decision_says_reload_and_over_balance_is_refused(world: World) -> None:
    year_budget(world, amount="50.00")
    one, two = cash_case(world), cash_case(world, given_name="سارة")
    a = ok(ask(world.api("alice"), one["id"], "40.00"), 201)
    b = ok(ask(world.api("alice"), two["id"], "40.00"), 201)
    bob = client_of(world, "bob")
    res = bob.post(
        f"/cash/requests/{a['id']}/decide/", {"version": "9", "decision": "approve"}, **HTMX
    )
    assert 'data-action="reload"' in res.content.decode()
    ok(approve(world.api("bob"), a))
    res = bob.post(f"/cash/requests/{b['id']}/decide/", {"version": "1", "decision": "approve"})
    assert res.status_code == 422
    assert 'data-reason="cash_over_balance"' in res.content.decode()
    assert CashDisbursement.objects.get(pk=b["id"]).status == "requested"


def test_s8_only_the_cases_supervisor_reaches_the_queue_and_decides(world: World) -> None:
    year_budget(world)
    case = cash_case(world)
    item = ok(ask(world.api("alice"), case["id"], "40.00"), 201)
    url = f"/cash/requests/{item['id']}/decide/"
    for name in ("alice", "carol", "dave", "adam", "cora", "sam"):
        client = client_of(world, name)
        assert client.get("/cash/approvals/").status_code == 404, name
        assert client.post(url, {"version": "1", "decision": "approve"}).status_code == 404, name
    for name in ("erin", "dora"):
        client = client_of(world, name)
        assert 'data-count="0"' in client.get("/cash/approvals/").content.decode(), name
        assert client.post(url, {"version": "1", "decision": "approve"}).status_code == 404, name
    stored = CashDisbursement.objects.get()
    assert (stored.status, stored.version) == ("requested", 1)


# ---------------------------------------------------------------- budgets


def test_s8_agency_admin_opens_a_budget_in_the_sops_currency_from_the_page(world: World) -> None:
    adam = client_of(world, "adam")
    page = adam.get("/cash/budgets/").content.decode()
    assert 'id="budget-form"' in page
    assert "JOD" in page
    body = {
        "record_id": str(uuid.uuid4()),
        "name": "صندوق الطوارئ 2026",
        "amount": "5,000",
        "starts_on": "2026-01-01",
        "ends_on": "2025-12-31",
    }
    res = adam.post("/cash/budgets/", body)
    assert res.status_code == 422
    assert 'data-code="period_invalid"' in res.content.decode()
    assert not EmergencyBudget.objects.exists()
    res = adam.post("/cash/budgets/", {**body, "ends_on": "2026-12-31"})
    assert res.status_code == 302
    budget = EmergencyBudget.objects.get()
    assert (budget.amount, budget.currency, budget.agency_id) == (
        Decimal("5000.00"),
        "JOD",
        world.agency_a.pk,
    )


def test_s8_budgets_page_shows_a_running_balance_ledger(world: World) -> None:
    budget = year_budget(world, amount="500.00")
    case = cash_case(world)
    for amount in ("100.00", "75.50", "24.50"):
        given(world, case["id"], amount)
    ok(ask(world.api("alice"), case["id"], "10.00"), 201)
    html = client_of(world, "adam").get("/cash/budgets/").content.decode()
    assert f'data-budget="{budget["id"]}" data-left="300.00"' in html
    balances = re.findall(r'data-cash="[^"]+" data-balance="([^"]+)"', html)
    assert balances == ["400.00", "324.50", "300.00"]
    # The pending request is in the pending column, not in the ledger.
    assert html.count('data-amount="10.00"') == 1
    # The supervisor reads the budgets but has no form.
    bob_page = client_of(world, "bob").get("/cash/budgets/").content.decode()
    assert 'id="ledger"' in bob_page
    assert 'id="budget-form"' not in bob_page


def test_s8_budgets_page_has_no_n_plus_1(world: World, django_assert_max_num_queries: Any) -> None:
    case = cash_case(world)
    today = timezone.localdate()
    sop_version_id = active_sop(world.area)[0].pk
    for n in range(8):
        budget = EmergencyBudget.objects.create(
            agency=world.agency_a,
            name=f"B{n}",
            currency="JOD",
            amount=Decimal("1000.00"),
            starts_on=date(today.year, 1, 1),
            ends_on=date(today.year, 12, 31),
        )
        for status in ("approved", "approved", "requested"):
            CashDisbursement.objects.create(
                case_id=case["id"],
                budget=budget,
                amount=Decimal("10.00"),
                currency="JOD",
                purpose="transport",
                status=status,
                requested_by=world.users["alice"],
                requested_at=timezone.now(),
                decided_at=timezone.now() if status == "approved" else None,
                sop_version_id=sop_version_id,
            )
    adam = client_of(world, "adam")
    # session, user, agency + SOP twice (time zone middleware, the page), the budgets with
    # their sums (one query), the chosen budget's ledger (one query): 8, whatever the count.
    with django_assert_max_num_queries(8):
        html = adam.get("/cash/budgets/").content.decode()
    assert html.count('data-left="980.00"') == 8


def test_s8_budget_edit_refuses_below_approved_and_outsiders_get_404(world: World) -> None:
    budget = year_budget(world, amount="500.00")
    case = cash_case(world)
    given(world, case["id"], "90.00")
    url = f"/cash/budgets/{budget['id']}/"
    adam = client_of(world, "adam")
    body = {
        "version": "1",
        "name": budget["name"],
        "amount": "80",
        "starts_on": budget["starts_on"],
        "ends_on": budget["ends_on"],
        "is_active": "on",
    }
    res = adam.post(url, body)
    assert res.status_code == 422
    assert 'data-code="amount_below_approved"' in res.content.decode()
    assert EmergencyBudget.objects.get().amount == Decimal("500.00")
    for name in ("bob", "alice", "dave", "dora", "cora"):
        assert client_of(world, name).post(url, body).status_code == 404, name
    for name in ("alice", "dave", "cora", "sam", "hana"):
        assert client_of(world, name).get("/cash/budgets/").status_code == 404, name
    assert client_of(world, "dora").get("/cash/budgets/").content.decode().count("data-left=") == 0
    res = adam.post(url, {**body, "amount": "90.00"})
    assert res.status_code == 302
    res = adam.post(url, {**body, "amount": "95.00"})
    assert res.status_code == 409
    assert 'data-action="reload"' in res.content.decode()


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"
