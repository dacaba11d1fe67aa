"""Emergency cash (SPEC §8): agency budgets, requests by the case team, the supervisor's decision.

Only an approval moves money. It re-checks the SOP's limits and the budget's balance inside
the transaction, with the case and the budget rows locked, so two supervisors approving at
the same moment can never overspend the fund or a case's limit.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from uuid import UUID

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from fanous.accounts.access import Actor, supervises
from fanous.accounts.models import Agency, Team, User
from fanous.accounts.permissions import Permission
from fanous.audit.models import Event
from fanous.audit.services import record
from fanous.cases.models import Case
from fanous.cases.services.common import (
    case_facts,
    load_case,
    local_today,
    require_case_team,
    require_edit,
    sop_for,
)
from fanous.core.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationFailed
from fanous.domain.errors import DomainError
from fanous.domain.referrals import CashStatus, cash_blockers
from fanous.domain.sop import Sop
from fanous.domain.sop.referrals import EmergencyCash
from fanous.domain.workflow import CaseStatus
from fanous.notifications.kinds import Kind
from fanous.notifications.services import notify
from fanous.referrals.models import CashDisbursement, EmergencyBudget
from fanous.referrals.selectors import cash as sel
from fanous.sop.selectors import active_sop

CENT = Decimal("0.01")
APPROVALS_LINK = "/cash/approvals/"


def cash_policy(sop: Sop) -> EmergencyCash:
    """The SOP's emergency cash annex; without it there is no fund to draw on."""
    policy = sop.referrals.emergency_cash if sop.referrals else None
    if policy is None:
        raise ValidationFailed(
            "The SOP in force has no emergency cash rules; ask the coordinator to add them.",
            code="cash_not_in_sop",
        )
    return policy


def _money(amount: Decimal, field: str = "amount") -> Decimal:
    if not amount.is_finite() or amount != amount.quantize(CENT):
        raise ValidationFailed(
            "Enter the amount with at most two decimals.", {"field": field}, code="amount_invalid"
        )
    if amount <= 0:
        raise ValidationFailed(
            "The amount must be more than zero.", {"field": field}, code="amount_invalid"
        )
    return amount.quantize(CENT)


def _agency_policy(actor: Actor) -> tuple[Agency, EmergencyCash]:
    agency = None
    if actor.agency_id is not None:
        agency = Agency.objects.select_related("area").filter(pk=actor.agency_id).first()
    if agency is None or agency.area is None:
        raise ValidationFailed(
            "Your agency has no area, so no SOP applies to its budget.", code="no_area"
        )
    return agency, cash_policy(active_sop(agency.area)[1])


def _check_period(starts_on: date, ends_on: date) -> None:
    if ends_on < starts_on:
        raise ValidationFailed(
            "The budget cannot end before it starts.", {"field": "ends_on"}, code="period_invalid"
        )


def _audit_budget(actor: Actor, budget: EmergencyBudget, changes: Mapping[str, object]) -> None:
    record(
        actor=actor.user,
        action=Event.Action.CASH,
        obj=budget,
        changes=changes,
        summary=f"budget {budget.name}: {budget.amount} {budget.currency}",
    )


# ---------------------------------------------------------------- budgets


@transaction.atomic
def budget_create(
    *,
    actor: Actor,
    record_id: UUID | None = None,
    name: str,
    currency: str,
    amount: Decimal,
    starts_on: date,
    ends_on: date,
) -> tuple[EmergencyBudget, bool]:
    """An agency admin opens an emergency fund budget for their agency (idempotent by id)."""
    actor.require(Permission.BUDGET_MANAGE)
    if record_id is not None:
        existing = EmergencyBudget.objects.filter(pk=record_id).first()
        if existing is not None:
            if existing.agency_id != actor.agency_id:
                raise ConflictError(
                    "This identifier is already used by another record. Generate a new one.",
                    code="id_taken",
                )
            return existing, False
    agency, policy = _agency_policy(actor)
    if not name.strip():
        raise ValidationFailed("Give the budget a name.", {"field": "name"}, code="name_required")
    if currency != policy.currency:
        raise ValidationFailed(
            "The SOP's emergency fund is kept in %(currency)s; use that currency.",
            {"currency": policy.currency, "field": "currency"},
            code="currency_mismatch",
        )
    amount = _money(amount)
    _check_period(starts_on, ends_on)
    budget = EmergencyBudget(
        agency=agency,
        name=name.strip(),
        currency=currency,
        amount=amount,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    if record_id is not None:
        budget.id = record_id
    budget.save(force_insert=True)
    _audit_budget(
        actor,
        budget,
        {
            "name": [None, budget.name],
            "amount": [None, str(amount)],
            "currency": [None, currency],
            "starts_on": [None, starts_on.isoformat()],
            "ends_on": [None, ends_on.isoformat()],
        },
    )
    return budget, True


@transaction.atomic
def budget_update(
    *,
    actor: Actor,
    budget_id: UUID,
    expected_version: int,
    name: str | None = None,
    amount: Decimal | None = None,
    starts_on: date | None = None,
    ends_on: date | None = None,
    is_active: bool | None = None,
) -> EmergencyBudget:
    """Change a budget; never below what has already been approved from it."""
    actor.require(Permission.BUDGET_MANAGE)
    budget = None
    if actor.agency_id is not None:
        budget = (
            EmergencyBudget.objects.select_for_update()
            .filter(pk=budget_id, agency_id=actor.agency_id)
            .first()
        )
    if budget is None:
        raise NotFoundError("No budget with this identifier is visible to you.")
    if budget.version != expected_version:
        raise ConflictError(
            "This budget was changed by someone else since you opened it (your version "
            "%(yours)s, current %(current)s). Reload it and apply your change again.",
            {"yours": expected_version, "current": budget.version},
        )
    fields = ("name", "amount", "starts_on", "ends_on", "is_active")
    before = {f: getattr(budget, f) for f in fields}
    if name is not None:
        if not name.strip():
            raise ValidationFailed(
                "Give the budget a name.", {"field": "name"}, code="name_required"
            )
        budget.name = name.strip()
    if amount is not None:
        amount = _money(amount)
        approved = sel.approved_total(budget.pk)
        if amount < approved:
            raise ValidationFailed(
                "%(approved)s %(currency)s have already been approved from this budget; "
                "the amount cannot be less.",
                {"approved": str(approved), "currency": budget.currency, "field": "amount"},
                code="amount_below_approved",
            )
        budget.amount = amount
    if starts_on is not None:
        budget.starts_on = starts_on
    if ends_on is not None:
        budget.ends_on = ends_on
    _check_period(budget.starts_on, budget.ends_on)
    if is_active is not None:
        budget.is_active = is_active
    changes = {
        f: [str(before[f]), str(getattr(budget, f))]
        for f in fields
        if before[f] != getattr(budget, f)
    }
    if not changes:
        return budget
    budget.version += 1
    budget.save()
    _audit_budget(actor, budget, changes)
    return budget


# ---------------------------------------------------------------- requests


def _supervisors_of(case: Case) -> list[User]:
    if case.caseworker_id is None:
        return []
    teams = Team.objects.filter(agency_id=case.agency_id, memberships__user_id=case.caseworker_id)
    return list(User.objects.filter(pk__in=teams.values("supervisor_id")))


def _budget_for(case: Case, budget_id: UUID | None, currency: str, today: date) -> EmergencyBudget:
    in_force = sel.budgets_in_force(case.agency_id, today).filter(currency=currency)
    budget = in_force.filter(pk=budget_id).first() if budget_id else in_force.first()
    if budget is None:
        if (
            budget_id
            and EmergencyBudget.objects.filter(pk=budget_id, agency_id=case.agency_id).exists()
        ):
            raise ValidationFailed(
                "This budget is closed, outside its period or in another currency; "
                "choose a budget in force.",
                {"field": "budget_id"},
                code="budget_not_in_force",
            )
        if budget_id:
            raise NotFoundError("No budget with this identifier is visible to you.")
        raise ValidationFailed(
            "Your agency has no emergency fund budget in force today; ask your agency "
            "administrator to open one.",
            code="no_budget",
        )
    return budget


def _refuse_if_blocked(
    *, amount: Decimal, policy: EmergencyCash, case_total: Decimal, balance: Decimal
) -> None:
    blockers = cash_blockers(
        amount=amount,
        max_per_disbursement=policy.max_per_disbursement,
        max_per_case=policy.max_per_case,
        case_total=case_total,
        budget_balance=balance,
        currency=policy.currency,
    )
    if blockers:
        raise DomainError(
            "cash_refused",
            gettext_noop("This emergency cash cannot be given."),
            reasons=blockers,
        )


def _require_open(case: Case) -> None:
    if not CaseStatus(case.status).is_open:
        raise ValidationFailed(
            "Emergency cash is for registered cases that are still open.",
            code="case_not_open",
        )


@transaction.atomic
def cash_request(
    *,
    actor: Actor,
    case_id: UUID,
    record_id: UUID | None = None,
    budget_id: UUID | None = None,
    amount: Decimal,
    purpose: str,
    note: str = "",
) -> tuple[CashDisbursement, bool]:
    """The case team asks for emergency cash; the supervisor decides (SPEC §8).

    The SOP's limits and the budget's balance are checked now, so the caseworker learns
    early, and again at approval, which is what moves money. Idempotent by ``record_id``.
    """
    require_edit(actor)
    if record_id is not None:
        existing = CashDisbursement.objects.filter(pk=record_id).first()
        if existing is not None:
            if existing.case_id != case_id or existing.requested_by_id != actor.id:
                raise ConflictError(
                    "This identifier is already used by another record. Generate a new one.",
                    code="id_taken",
                )
            return existing, False
    case = load_case(actor, case_id, None, for_update=False)
    sop_row, sop = sop_for(case)
    today = local_today(sop)
    require_case_team(case_facts(case, actor, sop, today))
    _require_open(case)
    policy = cash_policy(sop)
    amount = _money(amount)
    if purpose not in {p.code for p in policy.purposes}:
        raise ValidationFailed(
            "Choose one of the purposes the SOP allows for emergency cash.",
            {"field": "purpose"},
            code="unknown_code",
        )
    budget = _budget_for(case, budget_id, policy.currency, today)
    _refuse_if_blocked(
        amount=amount,
        policy=policy,
        case_total=sel.case_cash_total(case.pk),
        balance=sel.budget_balance(budget),
    )
    item = CashDisbursement(
        case=case,
        budget=budget,
        amount=amount,
        currency=budget.currency,
        purpose=purpose,
        note=note.strip(),
        status=CashStatus.REQUESTED,
        requested_by=actor.user,
        requested_at=timezone.now(),
        sop_version=sop_row,
    )
    if record_id is not None:
        item.id = record_id
    item.save(force_insert=True)
    record(
        actor=actor.user,
        action=Event.Action.CASH,
        obj=item,
        case=case,
        changes={
            "status": [None, CashStatus.REQUESTED.value],
            "amount": [None, str(amount)],
            "currency": [None, item.currency],
            "purpose": [None, purpose],
            "budget": [None, str(budget.pk)],
        },
        summary=f"emergency cash requested: {amount} {item.currency}",
        sop_version=sop_row.version,
    )
    notify(
        users=[u for u in _supervisors_of(case) if u.pk != actor.id],
        kind=Kind.CASH_REQUESTED,
        params={"case_number": case.case_number, "amount": amount, "currency": item.currency},
        link=APPROVALS_LINK,
    )
    return item, True


# ---------------------------------------------------------------- decisions


def _load_for_decision(
    actor: Actor, disbursement_id: UUID, expected_version: int
) -> tuple[CashDisbursement, Case]:
    actor.require(Permission.CASH_APPROVE)
    found = sel.cash_get(actor=actor, disbursement_id=disbursement_id)
    # Lock order: case, then disbursement, then budget (every approval takes them alike).
    case = load_case(actor, found.case_id, None)
    item = CashDisbursement.objects.select_for_update().get(pk=found.pk)
    if not supervises(actor, case.caseworker_id):
        raise PermissionDeniedError(
            "Only the supervisor of the case's caseworker can decide on its emergency cash.",
            code="not_supervisor_of_case",
        )
    if item.version != expected_version:
        raise ConflictError(
            "This request was changed by someone else since you opened it (your version "
            "%(yours)s, current %(current)s). Reload it and decide again.",
            {"yours": expected_version, "current": item.version},
        )
    if item.status != CashStatus.REQUESTED:
        raise ConflictError(
            "This request has already been decided: it is %(cash_status)s.",
            {"cash_status": item.status},
            code="cash_already_decided",
        )
    return item, case


def _decide(
    item: CashDisbursement,
    case: Case,
    actor: Actor,
    *,
    status: CashStatus,
    note: str,
    sop_version: str,
    extra: dict[str, object],
) -> CashDisbursement:
    item.status = status
    item.decided_by = actor.user
    item.decided_at = timezone.now()
    item.decision_note = note.strip()
    item.version += 1
    item.save()
    record(
        actor=actor.user,
        action=Event.Action.CASH,
        obj=item,
        case=case,
        changes={
            "status": [CashStatus.REQUESTED.value, status.value],
            "amount": [None, str(item.amount)],
            "currency": [None, item.currency],
            **({"note": [None, item.decision_note]} if item.decision_note else {}),
            **extra,
        },
        summary=f"emergency cash {status.value}: {item.amount} {item.currency}",
        sop_version=sop_version,
    )
    notify(
        users=[item.requested_by] if item.requested_by_id != actor.id else [],
        kind=Kind.CASH_DECIDED,
        params={
            "case_number": case.case_number,
            "amount": item.amount,
            "currency": item.currency,
            "cash_status": status.value,
        },
        link=f"/cases/{case.pk}/cash/",
    )
    return item


@transaction.atomic
def cash_approve(
    *, actor: Actor, disbursement_id: UUID, expected_version: int, note: str = ""
) -> CashDisbursement:
    """The supervisor approves: limits and balance are checked again under lock."""
    item, case = _load_for_decision(actor, disbursement_id, expected_version)
    if item.requested_by_id == actor.id:
        raise PermissionDeniedError(
            "You asked for this cash yourself; another supervisor must approve it.",
            code="cash_own_request",
        )
    _require_open(case)
    sop_row, sop = sop_for(case)
    policy = cash_policy(sop)
    budget = EmergencyBudget.objects.select_for_update().get(pk=item.budget_id)
    today = local_today(sop)
    if not budget.is_active or not (budget.starts_on <= today <= budget.ends_on):
        raise ConflictError(
            "The budget of this request is closed or its period has ended; reject the request "
            "and ask for a new one against the budget in force.",
            code="budget_not_in_force",
        )
    if budget.currency != policy.currency:
        raise ConflictError(
            "The SOP's emergency fund is kept in %(currency)s; use that currency.",
            {"currency": policy.currency},
            code="currency_mismatch",
        )
    # Computed after the budget lock: a concurrent approval has committed by now.
    balance = sel.budget_balance(budget)
    _refuse_if_blocked(
        amount=item.amount,
        policy=policy,
        case_total=sel.case_cash_total(case.pk),
        balance=balance,
    )
    item.sop_version = sop_row
    return _decide(
        item,
        case,
        actor,
        status=CashStatus.APPROVED,
        note=note,
        sop_version=sop_row.version,
        extra={
            "budget_balance": [str(balance), str(balance - item.amount)],
            "max_per_disbursement": [None, str(policy.max_per_disbursement)],
            "max_per_case": [None, str(policy.max_per_case)],
        },
    )


@transaction.atomic
def cash_reject(
    *, actor: Actor, disbursement_id: UUID, expected_version: int, note: str
) -> CashDisbursement:
    """The supervisor refuses, saying why; the requester is told."""
    if not note.strip():
        raise ValidationFailed(
            "Say why the cash is refused; the caseworker reads it.",
            {"field": "note"},
            code="reason_required",
        )
    item, case = _load_for_decision(actor, disbursement_id, expected_version)
    sop_row, _sop = sop_for(case)
    return _decide(
        item,
        case,
        actor,
        status=CashStatus.REJECTED,
        note=note,
        sop_version=sop_row.version,
        extra={},
    )
