"""Step 3 (SPEC §7): the case plan, its safety plan, and the supervisor's approval."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from fanous.accounts.access import Actor
from fanous.audit.models import Event
from fanous.core.errors import ConflictError, NotFoundError, ValidationFailed
from fanous.domain.workflow import Action, CaseStatus

from ..models import CasePlan, PlanAction, PlanGoal
from .common import (
    before_of,
    case_facts,
    load_case,
    local_today,
    recompute,
    require_edit,
    save_case,
    sop_for,
    transition,
)


@dataclass(frozen=True)
class ActionData:
    description: str
    responsible: str
    due_on: date
    service_type: str = ""
    status: str = PlanAction.Status.OPEN


@dataclass(frozen=True)
class GoalData:
    horizon: str
    description: str
    kind: str = PlanGoal.Kind.NEED
    actions: tuple[ActionData, ...] = ()


@dataclass(frozen=True)
class PlanData:
    goals: tuple[GoalData, ...]
    root_causes: str = ""
    child_views: str = ""
    caregiver_views: str = ""
    safety_contacts: str = ""
    safe_places: str = ""
    warning_signs: str = ""
    protective_equipment: str = ""


EDITABLE_STATUSES = (
    CaseStatus.COMPREHENSIVE_ASSESSMENT,
    CaseStatus.PLAN_APPROVED,
    CaseStatus.IMPLEMENTATION,
)


def _editable_plan(case_id: UUID) -> CasePlan | None:
    return (
        CasePlan.objects.select_for_update()
        .filter(case_id=case_id, status__in=[CasePlan.Status.DRAFT, CasePlan.Status.REJECTED])
        .order_by("-number")
        .first()
    )


@transaction.atomic
def plan_save_draft(
    *, actor: Actor, case_id: UUID, expected_version: int, data: PlanData
) -> CasePlan:
    """Write the draft plan (a revision while the approved one stays in force)."""
    require_edit(actor)
    case = load_case(actor, case_id, expected_version)
    sop_row, sop = sop_for(case)
    today = local_today(sop)
    if CaseStatus(case.status) not in EDITABLE_STATUSES:
        raise ConflictError(
            "The plan cannot be edited at this step (%(status)s).",
            {"status": case.status},
            code="plan_not_editable",
        )
    facts = case_facts(case, actor, sop, today)
    if not (facts.actor_is_assigned or facts.actor_supervises):
        raise ConflictError(
            "Only the assigned caseworker or their supervisor can edit the plan.",
            code="not_assigned",
        )
    for goal in data.goals:
        for act in goal.actions:
            if act.due_on < local_today(sop, case.identified_at):
                raise ValidationFailed(
                    "An action's due date (%(date)s) is before the case was opened. "
                    "Choose a later date.",
                    {"date": act.due_on.isoformat()},
                    code="date_past",
                )
    plan = _editable_plan(case.pk)
    if plan is None:
        last = CasePlan.objects.filter(case=case).order_by("-number").first()
        plan = CasePlan(case=case, number=(last.number + 1) if last else 1, sop_version=sop_row)
    else:
        plan.goals.all().delete()
        plan.version += 1
    plan.status = CasePlan.Status.DRAFT
    for field in (
        "root_causes",
        "child_views",
        "caregiver_views",
        "safety_contacts",
        "safe_places",
        "warning_signs",
        "protective_equipment",
    ):
        setattr(plan, field, getattr(data, field))
    plan.sop_version = sop_row
    plan.due_on = case.plan_due_on
    plan.save()
    for gi, goal in enumerate(data.goals):
        g = PlanGoal.objects.create(
            plan=plan,
            position=gi,
            horizon=goal.horizon,
            kind=goal.kind,
            description=goal.description,
        )
        PlanAction.objects.bulk_create(
            PlanAction(
                goal=g,
                position=ai,
                description=a.description,
                responsible=a.responsible,
                due_on=a.due_on,
                service_type=a.service_type,
                status=a.status,
            )
            for ai, a in enumerate(goal.actions)
        )
    save_case(
        case,
        actor=actor,
        before=before_of(case),
        action=Event.Action.PLAN,
        summary=f"plan {plan.number} draft saved",
        extra_changes={
            "plan": [
                None,
                {
                    "number": plan.number,
                    "goals": len(data.goals),
                    "actions": sum(len(g.actions) for g in data.goals),
                },
            ]
        },
        sop_row=sop_row,
    )
    return plan


@transaction.atomic
def plan_submit(*, actor: Actor, case_id: UUID, expected_version: int) -> CasePlan:
    """Send the draft to the supervisor (SPEC §7); high risk needs a safety plan."""
    require_edit(actor)
    case = load_case(actor, case_id, expected_version)
    sop_row, sop = sop_for(case)
    today = local_today(sop)
    plan = _editable_plan(case.pk)
    if plan is None:
        raise ConflictError(
            "There is no draft plan to submit. Write the plan first.", code="plan_missing"
        )
    action = (
        Action.REVISE_PLAN
        if CaseStatus(case.status) == CaseStatus.IMPLEMENTATION
        else Action.SUBMIT_PLAN
    )
    before = before_of(case)
    transition(case, action, case_facts(case, actor, sop, today), actor)
    now = timezone.now()
    plan.status = CasePlan.Status.SUBMITTED
    plan.submitted_at = now
    plan.submitted_by = actor.user
    plan.version += 1
    plan.save()
    case.plan_submitted_at = case.plan_submitted_at or now
    recompute(case, sop, today)
    save_case(
        case,
        actor=actor,
        before=before,
        action=Event.Action.TRANSITION,
        summary=f"plan {plan.number} submitted",
        sop_row=sop_row,
    )
    return plan


@transaction.atomic
def plan_save_and_submit(
    *, actor: Actor, case_id: UUID, expected_version: int, data: PlanData
) -> CasePlan:
    """Save what is on the screen and submit it: both succeed or neither does."""
    plan_save_draft(actor=actor, case_id=case_id, expected_version=expected_version, data=data)
    # Saving the draft moved the case on by exactly one version, inside this transaction.
    return plan_submit(actor=actor, case_id=case_id, expected_version=expected_version + 1)


def _submitted_plan(case_id: UUID) -> CasePlan:
    plan = (
        CasePlan.objects.select_for_update()
        .filter(case_id=case_id, status=CasePlan.Status.SUBMITTED)
        .order_by("-number")
        .first()
    )
    if plan is None:
        raise ConflictError("No plan is waiting for approval.", code="plan_missing")
    return plan


@transaction.atomic
def plan_approve(*, actor: Actor, case_id: UUID, expected_version: int, note: str = "") -> CasePlan:
    """The supervisor approves the plan; follow-up starts counting from today (SPEC §8)."""
    case = load_case(actor, case_id, expected_version)
    sop_row, sop = sop_for(case)
    today = local_today(sop)
    before = before_of(case)
    transition(case, Action.APPROVE_PLAN, case_facts(case, actor, sop, today), actor)
    plan = _submitted_plan(case.pk)
    now = timezone.now()
    CasePlan.objects.filter(case=case, status=CasePlan.Status.APPROVED).update(
        status=CasePlan.Status.SUPERSEDED
    )
    plan.status = CasePlan.Status.APPROVED
    plan.decided_at = now
    plan.decided_by = actor.user
    plan.decision_note = note
    plan.sop_version = sop_row
    plan.version += 1
    plan.save()
    case.plan_approved_at = case.plan_approved_at or now
    if case.follow_up_started_on is None:
        case.follow_up_started_on = today
    recompute(case, sop, today)
    save_case(
        case,
        actor=actor,
        before=before,
        action=Event.Action.TRANSITION,
        summary=f"plan {plan.number} approved",
        sop_row=sop_row,
        extra_changes={"note": [None, note]} if note else None,
    )
    return plan


@transaction.atomic
def plan_reject(*, actor: Actor, case_id: UUID, expected_version: int, note: str) -> CasePlan:
    if not note.strip():
        raise ValidationFailed("Say what must change in the plan.", code="reason_required")
    case = load_case(actor, case_id, expected_version)
    sop_row, sop = sop_for(case)
    today = local_today(sop)
    before = before_of(case)
    transition(case, Action.REJECT_PLAN, case_facts(case, actor, sop, today), actor)
    plan = _submitted_plan(case.pk)
    plan.status = CasePlan.Status.REJECTED
    plan.decided_at = timezone.now()
    plan.decided_by = actor.user
    plan.decision_note = note
    plan.version += 1
    plan.save()
    recompute(case, sop, today)
    save_case(
        case,
        actor=actor,
        before=before,
        action=Event.Action.TRANSITION,
        summary=f"plan {plan.number} returned",
        sop_row=sop_row,
        extra_changes={"note": [None, note]},
    )
    return plan


@transaction.atomic
def plan_action_set_status(
    *, actor: Actor, case_id: UUID, action_id: UUID, status: str, completed_on: date | None = None
) -> PlanAction:
    """Mark an action of the approved plan done or cancelled (closure checks count them)."""
    require_edit(actor)
    case = load_case(actor, case_id, None)
    _, sop = sop_for(case)
    act = (
        PlanAction.objects.select_for_update()
        .filter(pk=action_id, goal__plan__case=case, goal__plan__status=CasePlan.Status.APPROVED)
        .first()
    )
    if act is None:
        raise NotFoundError("No such action in the approved plan of this case.")
    if status not in PlanAction.Status.values:
        raise ValidationFailed(
            "Unknown action status: %(s)s. Use open, done or cancelled.",
            {"s": status},
            code="unknown_code",
        )
    old = act.status
    act.status = status
    act.completed_on = (
        (completed_on or local_today(sop)) if status == PlanAction.Status.DONE else None
    )
    act.version += 1
    act.save()
    save_case(
        case,
        actor=actor,
        before=before_of(case),
        action=Event.Action.PLAN,
        summary="plan action updated",
        extra_changes={f"action:{act.pk}": [old, status]},
    )
    return act
