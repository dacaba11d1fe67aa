"""Two supervisors approving at once never overspend the emergency fund (SPEC §8).

Approval locks the case and the budget rows and computes the balance after the lock; on
PostgreSQL the second approval waits for the first and then sees its money gone.
"""

from __future__ import annotations

import threading
import time
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from django.db import connection, connections

from fanous.accounts.access import Actor
from fanous.conftest import World, ok
from fanous.domain.errors import DomainError
from fanous.referrals.models import CashDisbursement
from fanous.referrals.selectors import cash as sel
from fanous.referrals.selectors.cash import budget_balance
from fanous.referrals.services import cash as services
from fanous.referrals.tests.cash_support import ask, cash_case, year_budget

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL row locks (CI runs them)"
    ),
]


@pytest.fixture(autouse=True)
def _slow_balance(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hold each approval a moment after it reads the balance, so that without the row lock
    both would read the same balance (the test fails if the lock is removed)."""
    real = sel.budget_balance

    def slow(budget: Any) -> Any:
        value = real(budget)
        time.sleep(0.3)
        return value

    monkeypatch.setattr(sel, "budget_balance", slow)


def _race(world: World, items: list[dict[str, str]]) -> list[str]:
    actor = Actor.of(world.users["bob"])
    barrier = threading.Barrier(len(items))
    outcomes: list[str] = []

    def decide(item: dict[str, str]) -> None:
        try:
            barrier.wait()
            services.cash_approve(
                actor=actor, disbursement_id=UUID(item["id"]), expected_version=1, note=""
            )
            outcomes.append("approved")
        except DomainError as exc:
            outcomes.append(",".join(exc.codes))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=decide, args=(i,)) for i in items]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(outcomes)


def test_s8_two_simultaneous_approvals_where_only_one_fits_the_budget(world: World) -> None:
    budget = year_budget(world, amount="150.00")
    one, two = cash_case(world), cash_case(world, given_name="سارة")
    items = [
        ok(ask(world.api("alice"), one["id"], "100.00"), 201),
        ok(ask(world.api("alice"), two["id"], "100.00"), 201),
    ]
    assert _race(world, items) == ["approved", "cash_over_balance"]
    statuses = sorted(CashDisbursement.objects.values_list("status", flat=True))
    assert statuses == ["approved", "requested"]
    stored = CashDisbursement.objects.get(status="approved").budget
    assert str(stored.pk) == budget["id"]
    assert budget_balance(stored) == Decimal("50.00")


def test_s8_two_simultaneous_approvals_on_one_case_respect_the_case_limit(world: World) -> None:
    year_budget(world)
    case = cash_case(world)
    for _ in range(2):
        item = ok(ask(world.api("alice"), case["id"], "100.00"), 201)
        ok(world.api("bob").post(f"/cash/requests/{item['id']}/approve", {"version": 1}))
    items = [ok(ask(world.api("alice"), case["id"], "60.00"), 201) for _ in range(2)]
    assert _race(world, items) == ["approved", "cash_over_case_limit"]
    approved = CashDisbursement.objects.filter(status="approved")
    assert sum(d.amount for d in approved) == Decimal("260.00")
