"""Emergency cash through the API (SPEC §8): budgets, requests, the supervisor's decision,
the SOP's limits and the fund's balance, need to know."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fanous.audit.models import Event
from fanous.conftest import World, child_payload, ok
from fanous.notifications.models import Notification
from fanous.referrals.models import CashDisbursement, EmergencyBudget
from fanous.referrals.tests.cash_support import (
    approve,
    ask,
    cash_case,
    given,
    reject,
    year_budget,
)


def _cash(world: World, case_id: str, user: str = "alice") -> dict[str, Any]:
    return ok(world.api(user).get(f"/cash?case_id={case_id}"))


def _many(res: Any) -> list[Any]:
    """The JSON list of a list endpoint (200)."""
    assert res.status_code == 200, res.content.decode()
    return res.json()  # type: ignore[no-any-return]


def _codes(res: Any) -> list[str]:
    return [r["code"] for r in res.json()["reasons"]]


# ---------------------------------------------------------------- budgets


def test_s8_agency_admin_opens_a_budget_in_the_sops_currency(world: World) -> None:
    budget = year_budget(world)
    assert (budget["amount"], budget["balance"], budget["approved"]) == ("5000.00",) * 2 + ("0.00",)
    adam = world.api("adam")
    body = {
        "name": "USD fund",
        "currency": "USD",
        "amount": "100",
        "starts_on": "2026-01-01",
        "ends_on": "2026-12-31",
    }
    res = adam.post("/cash/budgets", body)
    assert res.status_code == 422
    assert res.json()["code"] == "currency_mismatch"
    res = adam.post("/cash/budgets", {**body, "currency": "JOD", "ends_on": "2025-12-31"})
    assert res.json()["code"] == "period_invalid"
    res = adam.post("/cash/budgets", {**body, "currency": "JOD", "amount": "0"})
    assert res.json()["code"] == "amount_invalid"
    assert EmergencyBudget.objects.count() == 1
    assert Event.objects.filter(action=Event.Action.CASH).count() == 1


def test_s8_budget_create_is_idempotent_by_id(world: World) -> None:
    budget = year_budget(world)
    again = world.api("adam").post(
        "/cash/budgets",
        {
            "id": budget["id"],
            "name": "x",
            "currency": "JOD",
            "amount": "1",
            "starts_on": "2026-01-01",
            "ends_on": "2026-12-31",
        },
    )
    assert ok(again)["name"] == budget["name"]
    assert EmergencyBudget.objects.count() == 1


def test_s8_only_the_agency_admin_manages_budgets_and_only_their_agencys(world: World) -> None:
    budget = year_budget(world)
    for name in ("alice", "bob", "cora", "sam"):
        res = world.api(name).post(
            "/cash/budgets",
            {
                "name": "x",
                "currency": "JOD",
                "amount": "1",
                "starts_on": "2026-01-01",
                "ends_on": "2026-12-31",
            },
        )
        assert res.status_code == 403, name
        res = world.api(name).patch(
            f"/cash/budgets/{budget['id']}", {"version": 1, "amount": "1.00"}
        )
        assert res.status_code in (403, 404), name
    # A supervisor of the agency reads the balances; another agency's staff see nothing.
    assert [b["id"] for b in _many(world.api("bob").get("/cash/budgets"))] == [budget["id"]]
    assert _many(world.api("dora").get("/cash/budgets")) == []
    assert _many(world.api("alice").get("/cash/budgets")) == []
    assert EmergencyBudget.objects.get().amount == Decimal("5000.00")


def test_s8_budget_amount_cannot_drop_below_what_is_approved_and_stale_is_409(
    world: World,
) -> None:
    budget = year_budget(world, amount="500.00")
    case = cash_case(world)
    given(world, case["id"], "80.00")
    adam = world.api("adam")
    res = adam.patch(f"/cash/budgets/{budget['id']}", {"version": 1, "amount": "79.99"})
    assert res.status_code == 422
    assert res.json()["code"] == "amount_below_approved"
    updated = ok(adam.patch(f"/cash/budgets/{budget['id']}", {"version": 1, "amount": "80.00"}))
    assert (updated["version"], updated["balance"]) == (2, "0.00")
    res = adam.patch(f"/cash/budgets/{budget['id']}", {"version": 1, "name": "late"})
    assert res.status_code == 409
    assert EmergencyBudget.objects.get().name == budget["name"]


# ---------------------------------------------------------------- requests and decisions


def test_s8_caseworker_requests_supervisor_approves_balance_drops(world: World) -> None:
    budget = year_budget(world)
    case = cash_case(world)
    item = ok(ask(world.api("alice"), case["id"], "45.50", "medical"), 201)
    assert (item["status"], item["amount"], item["currency"]) == ("requested", "45.50", "JOD")
    assert item["budget_id"] == budget["id"]
    note = Notification.objects.get(kind="cash_requested")
    assert note.user == world.users["bob"]
    assert note.params["amount"] == "45.50"
    pending = _many(world.api("bob").get("/cash/pending"))
    assert [(p["id"], p["budget_balance"], p["balance_after"]) for p in pending] == [
        (item["id"], "5000.00", "4954.50")
    ]
    done = ok(approve(world.api("bob"), item, "موافق"))
    assert (done["status"], done["version"], done["decided_by"]) == ("approved", 2, "Bob")
    assert _many(world.api("bob").get("/cash/budgets"))[0]["balance"] == "4954.50"
    assert _many(world.api("bob").get("/cash/pending")) == []
    cash = _cash(world, case["id"])
    assert (cash["approved"], cash["pending"], cash["left_for_case"]) == (
        "45.50",
        "0.00",
        "254.50",
    )
    decided = Notification.objects.get(kind="cash_decided")
    assert (decided.user, decided.params["cash_status"]) == (world.users["alice"], "approved")
    events = Event.objects.filter(action=Event.Action.CASH, case_id=case["id"]).order_by("at")
    assert [e.changes["status"][1] for e in events] == ["requested", "approved"]
    assert events[1].changes["budget_balance"] == ["5000.00", "4954.50"]
    assert events[1].sop_version != ""


def test_s8_request_is_idempotent_by_id(world: World) -> None:
    year_budget(world)
    case = cash_case(world)
    first = ok(
        ask(world.api("alice"), case["id"], "10", id="7b0cc0de-0000-4000-8000-000000000001"), 201
    )
    again = ask(world.api("alice"), case["id"], "10", id=first["id"])
    assert ok(again)["id"] == first["id"]
    assert CashDisbursement.objects.count() == 1


def test_s8_limit_per_disbursement_is_refused_at_request(world: World) -> None:
    year_budget(world)
    case = cash_case(world)
    res = ask(world.api("alice"), case["id"], "100.01")
    assert res.status_code == 422
    assert _codes(res) == ["cash_over_disbursement_limit"]
    assert "100.00" in res.json()["reasons"][0]["message"]
    assert CashDisbursement.objects.count() == 0
    assert not Notification.objects.exists()


def test_s8_limit_per_case_counts_what_the_case_has_received(world: World) -> None:
    year_budget(world)
    case = cash_case(world)
    for _ in range(3):
        given(world, case["id"], "100.00")
    res = ask(world.api("alice"), case["id"], "0.01")
    assert res.status_code == 422
    assert _codes(res) == ["cash_over_case_limit"]
    # Another case of the same caseworker still has its own limit.
    other = cash_case(world, given_name="سارة")
    ok(ask(world.api("alice"), other["id"], "100.00"), 201)


def test_s8_limit_per_case_is_checked_again_at_approval(world: World) -> None:
    year_budget(world)
    case = cash_case(world)
    given(world, case["id"], "100.00")
    given(world, case["id"], "100.00")
    a = ok(ask(world.api("alice"), case["id"], "80.00"), 201)
    b = ok(ask(world.api("alice"), case["id"], "80.00"), 201)
    ok(approve(world.api("bob"), a))
    res = approve(world.api("bob"), b)
    assert res.status_code == 422
    assert _codes(res) == ["cash_over_case_limit"]
    stored = CashDisbursement.objects.get(pk=b["id"])
    assert (stored.status, stored.version, stored.decided_by_id) == ("requested", 1, None)


def test_s8_budget_balance_is_checked_at_request_and_again_at_approval(world: World) -> None:
    budget = year_budget(world, amount="150.00")
    one, two = cash_case(world), cash_case(world, given_name="سارة")
    a = ok(ask(world.api("alice"), one["id"], "100.00"), 201)
    b = ok(ask(world.api("alice"), two["id"], "100.00"), 201)
    ok(approve(world.api("bob"), a))
    res = approve(world.api("bob"), b)
    assert res.status_code == 422
    assert _codes(res) == ["cash_over_balance"]
    assert "50.00" in res.json()["reasons"][0]["message"]
    res = ask(world.api("alice"), two["id"], "50.01")
    assert _codes(res) == ["cash_over_balance"]
    listed = _many(world.api("bob").get("/cash/budgets"))[0]
    assert (listed["id"], listed["approved"], listed["pending"], listed["balance"]) == (
        budget["id"],
        "100.00",
        "100.00",
        "50.00",
    )
    assert not Notification.objects.filter(kind="cash_decided", params__cash_status="rejected")


def test_s8_reject_needs_a_note_and_nothing_changes_without_one(world: World) -> None:
    year_budget(world)
    case = cash_case(world)
    item = ok(ask(world.api("alice"), case["id"], "20"), 201)
    events = Event.objects.count()
    res = reject(world.api("bob"), item, "   ")
    assert res.status_code == 422
    assert res.json()["code"] == "reason_required"
    assert CashDisbursement.objects.get().status == "requested"
    assert Event.objects.count() == events
    done = ok(reject(world.api("bob"), item, "المبلغ مغطى من برنامج آخر"))
    assert (done["status"], done["decision_note"]) == ("rejected", "المبلغ مغطى من برنامج آخر")
    assert _cash(world, case["id"])["approved"] == "0.00"


def test_s8_only_the_supervisor_of_the_cases_caseworker_decides(world: World) -> None:
    year_budget(world)
    case = cash_case(world)
    item = ok(ask(world.api("alice"), case["id"], "20"), 201)
    # Caseworkers and admins lack the permission (403); other supervisors cannot see it (404).
    expected = {"alice": 403, "carol": 403, "dave": 403, "adam": 403, "erin": 404, "dora": 404}
    for name, status in expected.items():
        assert approve(world.api(name), item).status_code == status, name
        assert reject(world.api(name), item, "no").status_code == status, name
    assert _many(world.api("erin").get("/cash/pending")) == []
    stored = CashDisbursement.objects.get()
    assert (stored.status, stored.version) == ("requested", 1)
    assert Event.objects.filter(action=Event.Action.CASH, case_id=case["id"]).count() == 1


def test_s8_a_supervisor_does_not_approve_their_own_request(world: World) -> None:
    year_budget(world)
    case = cash_case(world)
    item = ok(ask(world.api("bob"), case["id"], "20"), 201)
    res = approve(world.api("bob"), item)
    assert (res.status_code, res.json()["code"]) == (403, "cash_own_request")


def test_s8_stale_version_is_409_and_a_decided_request_stays_decided(world: World) -> None:
    year_budget(world)
    case = cash_case(world)
    item = ok(ask(world.api("alice"), case["id"], "20"), 201)
    res = approve(world.api("bob"), {**item, "version": 7})
    assert res.status_code == 409
    ok(approve(world.api("bob"), item))
    res = approve(world.api("bob"), {**item, "version": 2})
    assert (res.status_code, res.json()["code"]) == (409, "cash_already_decided")
    assert CashDisbursement.objects.get().status == "approved"


def test_s8_other_agency_and_other_team_get_404_on_a_cases_cash(world: World) -> None:
    year_budget(world)
    case = cash_case(world)
    given(world, case["id"], "20")
    for name in ("dave", "dora", "carol", "erin", "cora", "sam", "adam"):
        assert world.api(name).get(f"/cash?case_id={case['id']}").status_code == 404, name
        res = ask(world.api(name), case["id"], "10")
        assert res.status_code in (403, 404), name
    assert CashDisbursement.objects.count() == 1
    assert _cash(world, case["id"], "bob")["approved"] == "20.00"


def test_s8_requests_need_an_open_registered_case_a_budget_and_a_known_purpose(
    world: World,
) -> None:
    case = cash_case(world)
    res = ask(world.api("alice"), case["id"], "10")
    assert (res.status_code, res.json()["code"]) == (422, "no_budget")
    year_budget(world)
    res = ask(world.api("alice"), case["id"], "10", purpose="holiday")
    assert (res.status_code, res.json()["code"]) == (422, "unknown_code")
    res = ask(world.api("alice"), case["id"], "10.005")
    assert (res.status_code, res.json()["code"]) == (422, "amount_invalid")
    identified = ok(world.api("alice").post("/cases", child_payload()), 201)
    res = ask(world.api("alice"), identified["id"], "10")
    assert (res.status_code, res.json()["code"]) == (422, "case_not_open")
    assert CashDisbursement.objects.count() == 0


def test_s8_a_closed_budget_cannot_pay_out(world: World) -> None:
    budget = year_budget(world)
    case = cash_case(world)
    item = ok(ask(world.api("alice"), case["id"], "10"), 201)
    ok(world.api("adam").patch(f"/cash/budgets/{budget['id']}", {"version": 1, "is_active": False}))
    res = approve(world.api("bob"), item)
    assert (res.status_code, res.json()["code"]) == (409, "budget_not_in_force")
    res = ask(world.api("alice"), case["id"], "10")
    assert (res.status_code, res.json()["code"]) == (422, "no_budget")
