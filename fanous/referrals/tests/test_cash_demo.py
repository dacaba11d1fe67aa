"""The emergency cash demo (SPEC §8): budgets per agency, approved and waiting requests."""

from __future__ import annotations

from decimal import Decimal

from fanous.cases.models import Case
from fanous.conftest import World, child_payload, ok, registered_case
from fanous.referrals import demo_cash
from fanous.referrals.models import CashDisbursement, EmergencyBudget
from fanous.referrals.selectors.cash import budget_balance


def test_s8_demo_loads_budgets_approved_cash_and_one_waiting_request(world: World) -> None:
    for _ in range(3):
        registered_case(world.api("alice"))
    registered_case(world.api("dave"))
    identified = ok(world.api("alice").post("/cases", child_payload()), 201)
    demo_cash.load(
        area=world.area,
        agencies={"AGN-A": world.agency_a, "AGN-B": world.agency_b},
        users=world.users,
        cases=list(Case.objects.select_related("agency", "caseworker")),
    )
    a = EmergencyBudget.objects.get(agency=world.agency_a)
    assert (a.amount, a.currency) == (Decimal("5000.00"), "JOD")
    assert EmergencyBudget.objects.filter(agency=world.agency_b).exists()
    assert CashDisbursement.objects.filter(status="approved").count() == 4
    pending = CashDisbursement.objects.get(status="requested")
    assert pending.case.agency == world.agency_a
    assert not CashDisbursement.objects.filter(case_id=identified["id"]).exists()
    assert budget_balance(a) == Decimal("5000.00") - Decimal("35.00") - Decimal("80.00") - Decimal(
        "60.00"
    )
