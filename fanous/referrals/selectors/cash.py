"""Reads of the case emergency fund (SPEC §8): budgets, balances, a case's cash, the queue.

Every sum is computed by the database (aggregates, subqueries, a window function for the
ledger's running balance), so a page of budgets costs one query whatever its length.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db.models import (
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import Coalesce

from fanous.accounts.access import Actor, cases_visible_to, team_member_ids
from fanous.accounts.permissions import Permission
from fanous.cases.models import Case
from fanous.core.errors import NotFoundError
from fanous.domain.referrals import CashStatus
from fanous.referrals.models import CashDisbursement, EmergencyBudget

MONEY: DecimalField[Decimal, Decimal] = DecimalField(max_digits=14, decimal_places=2)
ZERO = Decimal("0.00")


def _sum(expr: Any, **extra: Any) -> Any:
    return Coalesce(Sum(expr, output_field=MONEY, **extra), Value(ZERO), output_field=MONEY)


def _approved_of_budget() -> Any:
    """Subquery: what a budget (OuterRef "pk") has paid out."""
    return Subquery(
        CashDisbursement.objects.filter(budget_id=OuterRef("pk"), status=CashStatus.APPROVED)
        .order_by()
        .values("budget_id")
        .annotate(total=Sum("amount", output_field=MONEY))
        .values("total")[:1],
        output_field=MONEY,
    )


def _pending_of_budget() -> Any:
    return Subquery(
        CashDisbursement.objects.filter(budget_id=OuterRef("pk"), status=CashStatus.REQUESTED)
        .order_by()
        .values("budget_id")
        .annotate(total=Sum("amount", output_field=MONEY))
        .values("total")[:1],
        output_field=MONEY,
    )


def with_balance(qs: QuerySet[EmergencyBudget]) -> QuerySet[EmergencyBudget]:
    """Budgets annotated with approved, pending and balance (= amount − approved)."""
    approved = Coalesce(_approved_of_budget(), Value(ZERO), output_field=MONEY)
    return qs.annotate(
        approved=approved,
        pending=Coalesce(_pending_of_budget(), Value(ZERO), output_field=MONEY),
        balance=ExpressionWrapper(F("amount") - approved, output_field=MONEY),
    )


def approved_total(budget_id: UUID) -> Decimal:
    """What a budget has paid out, summed by the database."""
    total = CashDisbursement.objects.filter(
        budget_id=budget_id, status=CashStatus.APPROVED
    ).aggregate(total=_sum("amount"))["total"]
    return Decimal(total).quantize(Decimal("0.01"))


def budget_balance(budget: EmergencyBudget) -> Decimal:
    """amount − sum(approved disbursements), the sum computed in the database."""
    return (budget.amount - approved_total(budget.pk)).quantize(Decimal("0.01"))


def _budget_scope(actor: Actor) -> QuerySet[EmergencyBudget]:
    """The actor's agency's budgets, for the roles that manage or spend them."""
    qs = EmergencyBudget.objects.all()
    if not actor.user.is_active or actor.agency_id is None:
        return qs.none()
    if not (actor.can(Permission.BUDGET_MANAGE) or actor.can(Permission.CASH_APPROVE)):
        return qs.none()
    return qs.filter(agency_id=actor.agency_id)


def budget_list_for(*, actor: Actor) -> QuerySet[EmergencyBudget]:
    """The agency's budgets with their balance, newest period first (one query)."""
    return with_balance(_budget_scope(actor)).order_by("-is_active", "-starts_on", "name", "id")


def budget_get(*, actor: Actor, budget_id: UUID) -> EmergencyBudget:
    budget = with_balance(_budget_scope(actor)).filter(pk=budget_id).first()
    if budget is None:
        raise NotFoundError("No budget with this identifier is visible to you.")
    return budget


def budgets_in_force(agency_id: UUID, today: date) -> QuerySet[EmergencyBudget]:
    """Active budgets of an agency whose period covers ``today``: the one ending first leads."""
    return EmergencyBudget.objects.filter(
        agency_id=agency_id, is_active=True, starts_on__lte=today, ends_on__gte=today
    ).order_by("ends_on", "created_at", "id")


def budget_ledger(budget: EmergencyBudget) -> QuerySet[CashDisbursement]:
    """Approved disbursements in the order they were approved, with the running balance.

    ``spent`` is a cumulative sum (window function) and ``running_balance`` the budget's
    amount minus it, both computed by the database.
    """
    spent = Window(
        Sum("amount", output_field=MONEY),
        order_by=[F("decided_at").asc(), F("id").asc()],
    )
    return (
        CashDisbursement.objects.filter(budget=budget, status=CashStatus.APPROVED)
        .select_related("case", "requested_by", "decided_by")
        .annotate(
            spent=spent,
            running_balance=ExpressionWrapper(
                Value(budget.amount, output_field=MONEY) - spent, output_field=MONEY
            ),
        )
        .order_by("decided_at", "id")
    )


def case_cash_total(case_id: UUID) -> Decimal:
    """What a case has received (approved), summed by the database."""
    total = CashDisbursement.objects.filter(case_id=case_id, status=CashStatus.APPROVED).aggregate(
        total=_sum("amount")
    )["total"]
    return Decimal(total).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class CaseCash:
    case: Case
    items: list[CashDisbursement]
    approved: Decimal
    pending: Decimal


def case_cash(case: Case) -> CaseCash:
    """A case's disbursements (newest first) and its approved and pending totals.

    The caller has loaded the case through ``case_get`` (need to know).
    """
    qs = CashDisbursement.objects.filter(case=case)
    totals = qs.aggregate(
        approved=_sum("amount", filter=Q(status=CashStatus.APPROVED)),
        pending=_sum("amount", filter=Q(status=CashStatus.REQUESTED)),
    )
    items = list(
        qs.select_related("requested_by", "decided_by", "budget", "sop_version").order_by(
            "-requested_at", "-id"
        )
    )
    return CaseCash(
        case=case,
        items=items,
        approved=Decimal(totals["approved"]).quantize(Decimal("0.01")),
        pending=Decimal(totals["pending"]).quantize(Decimal("0.01")),
    )


def cash_pending_for(*, actor: Actor) -> QuerySet[CashDisbursement]:
    """Requests waiting for this supervisor: cases of caseworkers they supervise.

    Each row carries its budget's balance (``budget_balance``) and the case's approved total
    (``case_total``) so the queue shows the balance before and after without more queries.
    """
    if not actor.can(Permission.CASH_APPROVE):
        return CashDisbursement.objects.none()
    budget_approved = Subquery(
        CashDisbursement.objects.filter(budget_id=OuterRef("budget_id"), status=CashStatus.APPROVED)
        .order_by()
        .values("budget_id")
        .annotate(total=Sum("amount", output_field=MONEY))
        .values("total")[:1],
        output_field=MONEY,
    )
    case_approved = Subquery(
        CashDisbursement.objects.filter(case_id=OuterRef("case_id"), status=CashStatus.APPROVED)
        .order_by()
        .values("case_id")
        .annotate(total=Sum("amount", output_field=MONEY))
        .values("total")[:1],
        output_field=MONEY,
    )
    return (
        CashDisbursement.objects.filter(
            status=CashStatus.REQUESTED,
            case__in=cases_visible_to(actor).filter(caseworker_id__in=team_member_ids(actor)),
        )
        .select_related(
            "case", "case__child", "case__caseworker", "budget", "requested_by", "sop_version"
        )
        .annotate(
            budget_balance=ExpressionWrapper(
                F("budget__amount") - Coalesce(budget_approved, Value(ZERO), output_field=MONEY),
                output_field=MONEY,
            ),
            case_total=Coalesce(case_approved, Value(ZERO), output_field=MONEY),
        )
        .order_by("requested_at", "id")
    )


def cash_get(*, actor: Actor, disbursement_id: UUID) -> CashDisbursement:
    """One disbursement on a case the actor may see; 404 otherwise."""
    found = (
        CashDisbursement.objects.filter(pk=disbursement_id, case__in=cases_visible_to(actor))
        .select_related("case", "budget", "requested_by", "decided_by", "sop_version")
        .first()
    )
    if found is None:
        raise NotFoundError("No emergency cash request with this identifier is visible to you.")
    return found
