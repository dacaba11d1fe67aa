"""Steps 4-5 (SPEC §8): follow-up contacts, which drive the follow-up schedule."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from django.db import transaction

from fanous.accounts.access import Actor
from fanous.audit.models import Event
from fanous.core.errors import ConflictError, ValidationFailed
from fanous.domain.workflow import Action, CaseStatus

from ..models import FollowUp
from .common import (
    before_of,
    case_facts,
    insert,
    load_case,
    local_today,
    recompute,
    replayed,
    require_case_team,
    require_edit,
    save_case,
    sop_for,
    transition,
)

FOLLOW_UP_CHECKS = (
    "medical_support_received",
    "injury_prevention",
    "school_enrolment_attendance",
    "employer_mediation_effect",
    "safety_equipment_used",
    "parents_attitude_changed",
    "parents_livelihood_participation",
    "vocational_training_progress",
    "other_children_in_household",
)
CHECK_VALUES = ("yes", "no", "partly", "n/a")

FOLLOW_UP_STATUSES = (
    CaseStatus.PLAN_APPROVED,
    CaseStatus.IMPLEMENTATION,
    CaseStatus.CLOSURE_REQUESTED,
    CaseStatus.PLAN_PENDING_APPROVAL,
)


@transaction.atomic
def follow_up_record(
    *,
    actor: Actor,
    case_id: UUID,
    record_id: UUID | None,
    kind: str,
    happened_on: date,
    child_seen: bool,
    checks: dict[str, Any],
    notes: str = "",
) -> tuple[FollowUp, bool]:
    """Record a contact; the next follow-up date moves on from it (SPEC §8).

    The first follow-up after the plan's approval starts implementation.
    """
    require_edit(actor)
    existing = replayed(FollowUp, record_id, case_id, actor)
    if existing is not None:
        return existing, False
    case = load_case(actor, case_id, None)
    sop_row, sop = sop_for(case)
    today = local_today(sop)
    status = CaseStatus(case.status)
    if happened_on > today:
        raise ValidationFailed(
            "A follow-up cannot be recorded for a future date.", code="date_future"
        )
    if status not in FOLLOW_UP_STATUSES or case.follow_up_started_on is None:
        raise ConflictError(
            "Follow-up is recorded once the case plan is approved (current step: %(status)s).",
            {"status": case.status},
            code="follow_up_not_allowed",
        )
    if happened_on < case.follow_up_started_on:
        raise ValidationFailed(
            "This date is before the plan was approved. Record earlier contacts as notes.",
            code="date_past",
        )
    bad = sorted(set(checks) - set(FOLLOW_UP_CHECKS))
    bad_values = sorted(k for k, v in checks.items() if v not in CHECK_VALUES)
    if bad or bad_values:
        raise ValidationFailed(
            "Unknown follow-up checks or answers: %(items)s. Answers are yes, no, partly or n/a.",
            {"items": ", ".join(bad + bad_values)},
            code="unknown_code",
        )
    facts = case_facts(case, actor, sop, today)
    require_case_team(facts)
    before = before_of(case)
    if status == CaseStatus.PLAN_APPROVED:
        transition(case, Action.START_IMPLEMENTATION, facts, actor)
    fu = FollowUp(
        case=case,
        kind=kind,
        happened_on=happened_on,
        child_seen=child_seen,
        checks=checks,
        notes=notes,
        sop_version=sop_row,
        recorded_by=actor.user,
    )
    insert(fu, record_id)
    if case.last_follow_up_on is None or happened_on > case.last_follow_up_on:
        case.last_follow_up_on = happened_on
    recompute(case, sop, today)
    save_case(
        case,
        actor=actor,
        before=before,
        action=Event.Action.FOLLOW_UP,
        summary=f"follow-up: {kind}",
        extra_changes={"follow_up": [None, str(fu.pk)]},
        sop_row=sop_row,
    )
    return fu, True
