"""Step 6 (SPEC §9): closure proposed by the caseworker, approved by the supervisor."""

from __future__ import annotations

from dataclasses import replace
from uuid import UUID

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from fanous.accounts.access import Actor
from fanous.accounts.permissions import Permission
from fanous.audit.models import Event
from fanous.core.errors import ConflictError, ValidationFailed
from fanous.domain import closure as closure_rules
from fanous.domain import timeframes as tf
from fanous.domain.errors import DomainError
from fanous.domain.sop import RiskLevel, Sop
from fanous.domain.workflow import Action, CaseStatus
from fanous.sop.models import SopVersion

from ..models import Case, CasePlan, ClosureRequest
from .common import (
    before_of,
    case_facts,
    child_age,
    load_case,
    local_today,
    plan_counts,
    recompute,
    require_edit,
    save_case,
    sop_for,
    transition,
)


def _check_criteria(
    case: Case, sop: Sop, reason: str, flags: list[str], transition_plan: str
) -> None:
    today = local_today(sop)
    _plan, _goals, _actions, open_actions = plan_counts(case)
    facts = closure_rules.ClosureFacts(
        age=child_age(case, today),
        risk_level=RiskLevel(case.risk_level),
        flags=frozenset(flags),
        plan_approved=CasePlan.objects.filter(case=case, status=CasePlan.Status.APPROVED).exists(),
        open_plan_actions=open_actions,
        turns_18_within_window=tf.turns_18_within(
            case.child.birth_date, today, sop.closure.transition_planning_months
        ),
        transition_plan_recorded=bool(transition_plan.strip()),
    )
    blockers = closure_rules.closure_blockers(reason, facts, sop.closure)
    if blockers:
        raise DomainError(
            "closure_refused",
            gettext_noop("The case cannot be closed for this reason yet."),
            reasons=blockers,
        )


@transaction.atomic
def closure_request(
    *,
    actor: Actor,
    case_id: UUID,
    expected_version: int,
    reason: str,
    flags: list[str],
    justification: str,
    transition_plan: str = "",
) -> ClosureRequest:
    """The caseworker proposes closure against the SOP's criteria (SPEC §9)."""
    require_edit(actor)
    if not justification.strip():
        raise ValidationFailed(
            "Explain why the case can close; the supervisor reads it before deciding.",
            code="reason_required",
        )
    case = load_case(actor, case_id, expected_version)
    sop_row, sop = sop_for(case)
    known_flags = {f.code for f in sop.closure.flags}
    unknown = sorted(set(flags) - known_flags)
    if unknown:
        raise ValidationFailed(
            "Unknown closure checks: %(codes)s.", {"codes": ", ".join(unknown)}, code="unknown_code"
        )
    today = local_today(sop)
    before = before_of(case)
    requested_from = case.status
    transition(case, Action.REQUEST_CLOSURE, case_facts(case, actor, sop, today), actor)
    _check_criteria(case, sop, reason, flags, transition_plan)
    req = ClosureRequest.objects.create(
        case=case,
        reason=reason,
        requested_from=requested_from,
        flags=sorted(set(flags)),
        justification=justification,
        transition_plan=transition_plan,
        requested_by=actor.user,
        sop_version=sop_row,
    )
    case.closure_requested_at = timezone.now()
    recompute(case, sop, today)
    save_case(
        case,
        actor=actor,
        before=before,
        action=Event.Action.CLOSURE,
        summary=f"closure requested: {reason}",
        sop_row=sop_row,
        extra_changes={"closure_reason": [None, reason]},
    )
    return req


def _pending(case: Case) -> ClosureRequest:
    req = (
        ClosureRequest.objects.select_for_update()
        .filter(case=case, decision=ClosureRequest.Decision.PENDING)
        .order_by("-created_at")
        .first()
    )
    if req is None:
        raise ConflictError("No closure request is waiting for a decision.", code="no_request")
    return req


@transaction.atomic
def closure_approve(*, actor: Actor, case_id: UUID, expected_version: int, note: str = "") -> Case:
    """The supervisor approves: criteria are checked again, as facts may have changed."""
    actor.require(Permission.CLOSURE_APPROVE)
    case = load_case(actor, case_id, expected_version)
    sop_row, sop = sop_for(case)
    today = local_today(sop)
    before = before_of(case)
    transition(case, Action.APPROVE_CLOSURE, case_facts(case, actor, sop, today), actor)
    req = _pending(case)
    _check_criteria(case, sop, req.reason, list(req.flags), req.transition_plan)
    return _decide(case, req, actor, sop_row, sop, before, approved=True, note=note)


@transaction.atomic
def closure_reject(*, actor: Actor, case_id: UUID, expected_version: int, note: str) -> Case:
    if not note.strip():
        raise ValidationFailed("Say why the case stays open.", code="reason_required")
    actor.require(Permission.CLOSURE_APPROVE)
    case = load_case(actor, case_id, expected_version)
    sop_row, sop = sop_for(case)
    before = before_of(case)
    req = _pending(case)
    facts = replace(
        case_facts(case, actor, sop, local_today(sop)),
        closure_requested_from=CaseStatus(req.requested_from),
    )
    transition(case, Action.REJECT_CLOSURE, facts, actor)
    return _decide(case, req, actor, sop_row, sop, before, approved=False, note=note)


def _decide(
    case: Case,
    req: ClosureRequest,
    actor: Actor,
    sop_row: SopVersion,
    sop: Sop,
    before: dict[str, object],
    *,
    approved: bool,
    note: str,
) -> Case:
    now = timezone.now()
    req.decision = (
        ClosureRequest.Decision.APPROVED if approved else ClosureRequest.Decision.REJECTED
    )
    req.decided_by = actor.user
    req.decided_at = now
    req.decision_note = note
    req.version += 1
    req.save()
    if approved:
        case.closed_at = now
        case.closure_reason = req.reason
    recompute(case, sop, local_today(sop))
    return save_case(
        case,
        actor=actor,
        before=before,
        action=Event.Action.CLOSURE,
        summary="closure approved" if approved else "closure rejected",
        sop_row=sop_row,
        extra_changes={"note": [None, note]} if note else None,
    )


@transaction.atomic
def case_reopen(*, actor: Actor, case_id: UUID, expected_version: int, reason: str) -> Case:
    """A closed (or referred-out) case comes back, to be assessed again."""
    actor.require(Permission.CASE_REOPEN)
    if not reason.strip():
        raise ValidationFailed("Say why the case is reopened.", code="reason_required")
    case = load_case(actor, case_id, expected_version)
    sop_row, sop = sop_for(case)
    before = before_of(case)
    transition(case, Action.REOPEN, case_facts(case, actor, sop, local_today(sop)), actor)
    case.closed_at = None
    case.closure_reason = ""
    case.closure_requested_at = None
    case.follow_up_started_on = None
    case.last_follow_up_on = None
    recompute(case, sop, local_today(sop))
    return save_case(
        case,
        actor=actor,
        before=before,
        action=Event.Action.TRANSITION,
        summary="reopened",
        sop_row=sop_row,
        extra_changes={"reason": [None, reason]},
    )
