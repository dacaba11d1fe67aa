"""Emergency cash endpoints (SPEC §8): budgets, requests, a case's cash, the decision."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Router, Status

from fanous.accounts.access import Actor
from fanous.cases.selectors import case_get
from fanous.cases.services.common import sop_for
from fanous.referrals.models import CashDisbursement, EmergencyBudget
from fanous.referrals.schemas import cash as s
from fanous.referrals.selectors import cash as sel
from fanous.referrals.services import cash as services

router = Router(tags=["cash"])


def _user_name(user: Any) -> str | None:
    if user is None:
        return None
    return str(user.get_full_name() or user.username)


def cash_out(item: CashDisbursement) -> dict[str, Any]:
    return {
        "id": item.id,
        "version": item.version,
        "case_id": item.case_id,
        "budget_id": item.budget_id,
        "amount": item.amount,
        "currency": item.currency,
        "purpose": item.purpose,
        "note": item.note,
        "status": item.status,
        "requested_by": _user_name(item.requested_by),
        "requested_at": item.requested_at,
        "decided_by": _user_name(item.decided_by),
        "decided_at": item.decided_at,
        "decision_note": item.decision_note,
        "sop_version": item.sop_version.version,
    }


def _budget_out(budget: EmergencyBudget) -> dict[str, Any]:
    return {
        f: getattr(budget, f)
        for f in (
            "id",
            "version",
            "name",
            "currency",
            "amount",
            "starts_on",
            "ends_on",
            "is_active",
            "approved",
            "pending",
            "balance",
        )
    }


def _reload_cash(actor: Actor, item_id: UUID) -> dict[str, Any]:
    item = sel.cash_get(actor=actor, disbursement_id=item_id)
    return cash_out(item)


# ---------------------------------------------------------------- budgets


@router.get("/budgets", response=list[s.BudgetOut])
def budget_list(request: HttpRequest) -> list[dict[str, Any]]:
    """The agency's emergency fund budgets with approved, pending and the balance left."""
    return [_budget_out(b) for b in sel.budget_list_for(actor=Actor.of_request(request))]


@router.post("/budgets", response={200: s.BudgetOut, 201: s.BudgetOut})
def budget_create(request: HttpRequest, payload: s.BudgetCreateIn) -> Status[dict[str, Any]]:
    """Open a budget (agency admin). The currency is the SOP's; idempotent by `id`."""
    actor = Actor.of_request(request)
    budget, created = services.budget_create(
        actor=actor,
        record_id=payload.id,
        name=payload.name,
        currency=payload.currency,
        amount=payload.amount,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
    )
    return Status(
        201 if created else 200, _budget_out(sel.budget_get(actor=actor, budget_id=budget.pk))
    )


@router.patch("/budgets/{budget_id}", response=s.BudgetOut)
def budget_update(request: HttpRequest, budget_id: UUID, payload: s.BudgetPatchIn) -> Any:
    """Change a budget; the amount never drops below what is already approved."""
    actor = Actor.of_request(request)
    changes = payload.model_dump(exclude_unset=True, exclude={"version"})
    services.budget_update(
        actor=actor, budget_id=budget_id, expected_version=payload.version, **changes
    )
    return _budget_out(sel.budget_get(actor=actor, budget_id=budget_id))


# ---------------------------------------------------------------- requests


@router.post("/requests", response={200: s.CashOut, 201: s.CashOut})
def cash_request(request: HttpRequest, payload: s.CashRequestIn) -> Status[dict[str, Any]]:
    """Ask for emergency cash for a case (case team). Idempotent by `id`."""
    actor = Actor.of_request(request)
    item, created = services.cash_request(
        actor=actor,
        case_id=payload.case_id,
        record_id=payload.id,
        budget_id=payload.budget_id,
        amount=payload.amount,
        purpose=payload.purpose,
        note=payload.note,
    )
    return Status(201 if created else 200, _reload_cash(actor, item.pk))


@router.get("", response=s.CaseCashOut)
def case_cash(request: HttpRequest, case_id: UUID) -> dict[str, Any]:
    """A case's emergency cash: every request, the totals and the SOP's limits."""
    case = case_get(actor=Actor.of_request(request), case_id=case_id, audit_section="cash")
    policy = services.cash_policy(sop_for(case)[1])
    data = sel.case_cash(case)
    return {
        "case_id": case.pk,
        "currency": policy.currency,
        "max_per_disbursement": policy.max_per_disbursement,
        "max_per_case": policy.max_per_case,
        "approved": data.approved,
        "pending": data.pending,
        "left_for_case": max(policy.max_per_case - data.approved, 0),
        "items": [cash_out(i) for i in data.items],
    }


@router.get("/pending", response=list[s.PendingCashOut])
def cash_pending(request: HttpRequest) -> list[dict[str, Any]]:
    """Requests waiting for my decision (supervisor), oldest first."""
    rows = sel.cash_pending_for(actor=Actor.of_request(request))[:200]
    return [
        {
            **cash_out(i),
            "case_number": i.case.case_number,
            "budget_balance": i.budget_balance,  # type: ignore[attr-defined]
            "balance_after": i.budget_balance - i.amount,  # type: ignore[attr-defined]
            "case_total": i.case_total,  # type: ignore[attr-defined]
        }
        for i in rows
    ]


@router.post("/requests/{item_id}/approve", response=s.CashOut)
def cash_approve(request: HttpRequest, item_id: UUID, payload: s.CashDecisionIn) -> Any:
    """Approve (the case's supervisor): the limits and the balance are checked again."""
    actor = Actor.of_request(request)
    services.cash_approve(
        actor=actor, disbursement_id=item_id, expected_version=payload.version, note=payload.note
    )
    return _reload_cash(actor, item_id)


@router.post("/requests/{item_id}/reject", response=s.CashOut)
def cash_reject(request: HttpRequest, item_id: UUID, payload: s.CashDecisionIn) -> Any:
    """Refuse (the case's supervisor), saying why."""
    actor = Actor.of_request(request)
    services.cash_reject(
        actor=actor, disbursement_id=item_id, expected_version=payload.version, note=payload.note
    )
    return _reload_cash(actor, item_id)
