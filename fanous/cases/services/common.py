"""Steps every case service shares: load with a lock and a version check, build the facts
the domain needs, recompute deadlines, save with an audit event."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from django.db.models import Model
from django.utils import timezone

from fanous.accounts.access import Actor, cases_in_scope, cases_visible_to, supervises
from fanous.accounts.permissions import Permission
from fanous.audit.models import Event
from fanous.audit.services import diff, record, snapshot
from fanous.core.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ValidationFailed,
)
from fanous.core.fields import audit_safe_changes
from fanous.domain import timeframes as tf
from fanous.domain import workflow
from fanous.domain.errors import DomainError
from fanous.domain.sop import FollowUpPhase, RiskLevel, Sop
from fanous.domain.workflow import Action, CaseFacts, CaseStatus
from fanous.sop.models import SopVersion
from fanous.sop.selectors import active_sop

from ..models import Case, CasePlan, Consent, PlanAction

# Fields of the case whose changes are written to the history on every save.
TRACKED = (
    "status",
    "caseworker_id",
    "risk_computed",
    "risk_override",
    "risk_level",
    "follow_up_phase",
    "assessment_due_on",
    "plan_due_on",
    "next_follow_up_on",
    "eligible",
    "concerns",
    "closure_reason",
    "sop_version_id",
)


def local_today(sop: Sop, now: datetime | None = None) -> date:
    """Deadlines are calendar days where the child lives, not in UTC."""
    return (now or timezone.now()).astimezone(ZoneInfo(sop.timezone)).date()


def load_case(
    actor: Actor, case_id: UUID, expected_version: int | None, *, for_update: bool = True
) -> Case:
    # Writes stay in the actor's own scope: a share or break-glass access only reads.
    qs = cases_in_scope(actor).select_related("child", "area", "agency")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    case = qs.filter(pk=case_id).first()
    if case is None:
        raise NotFoundError("No case with this identifier is visible to you.")
    if expected_version is not None and case.version != expected_version:
        raise ConflictError(
            "This case was changed by someone else since you opened it (your version %(yours)s, "
            "current %(current)s). Reload it and apply your change again.",
            {"yours": expected_version, "current": case.version},
        )
    return case


def require_edit(actor: Actor) -> None:
    actor.require(Permission.CASE_EDIT)


def sop_for(case: Case) -> tuple[SopVersion, Sop]:
    return active_sop(case.area)


def effective_consents(
    case: Case, sop: Sop, age: int | None, consents: Iterable[Consent] | None = None
) -> frozenset[str]:
    """Purposes with the caregiver's consent and, from the SOP's assent age, the child's.

    The most recent record per purpose and giver counts, so a later refusal or a
    withdrawal cancels an earlier consent. ``consents``: the case's consents in the order
    they were recorded, when the caller has them already.
    """
    latest: dict[tuple[str, str], Consent] = {}
    for c in case.consents.order_by("created_at") if consents is None else consents:
        latest[(c.purpose, c.giver)] = c

    def ok(purpose: str, giver: str) -> bool:
        c = latest.get((purpose, giver))
        return bool(c and c.given and c.withdrawn_at is None)

    child_needed = age is None or age >= sop.assent_min_age
    return frozenset(
        p.code
        for p in sop.consent_purposes
        if ok(p.code, Consent.Giver.CAREGIVER)
        and (not child_needed or ok(p.code, Consent.Giver.CHILD))
    )


def child_age(case: Case, on: date) -> int:
    return tf.age_on(case.child.birth_date, on)


def plan_counts(case: Case) -> tuple[CasePlan | None, int, int, int]:
    """The plan in play (draft, submitted or approved) and its goal/action/open counts."""
    from fanous.cases.selectors import plan_current

    return _counts_of(plan_current(case))


def _counts_of(plan: CasePlan | None) -> tuple[CasePlan | None, int, int, int]:
    """The counts of a plan whose goals and actions are prefetched (plan_current)."""
    if plan is None:
        return None, 0, 0, 0
    goals = list(plan.goals.all())
    actions = [a for g in goals for a in g.actions.all()]
    n_open = sum(1 for a in actions if a.status == PlanAction.Status.OPEN)
    return plan, len(goals), len(actions), n_open


_UNSET: Any = object()


def case_facts(
    case: Case,
    actor: Actor,
    sop: Sop,
    today: date,
    *,
    plan: CasePlan | None = _UNSET,
    consents: Iterable[Consent] | None = None,
) -> CaseFacts:
    """What the workflow needs to know of the case. A reader that loaded the current plan
    (selectors.plan_current, goals and actions prefetched) and the consents passes them."""
    age = child_age(case, today)
    plan, goals, n_actions, n_open = plan_counts(case) if plan is _UNSET else _counts_of(plan)
    in_force = (plan is not None and plan.status == CasePlan.Status.APPROVED) or (
        CasePlan.objects.filter(case=case, status=CasePlan.Status.APPROVED).exists()
    )
    return CaseFacts(
        status=CaseStatus(case.status),
        risk_level=RiskLevel(case.risk_level),
        age=age,
        eligible=case.eligible,
        consents=effective_consents(case, sop, age, consents),
        required_consents=frozenset(
            p.code for p in sop.consent_purposes if p.required_for_registration
        ),
        has_initial_assessment=case.initial_assessed_at is not None,
        has_comprehensive_assessment=case.comprehensive_assessed_at is not None,
        plan_goals=goals,
        plan_actions=n_actions,
        open_plan_actions=n_open,
        safety_plan_recorded=bool(plan and plan.has_safety_plan),
        high_risk_discussed=case.high_risk_discussed_at is not None,
        actor_is_assigned=case.caseworker_id == actor.id,
        actor_supervises=supervises(actor, case.caseworker_id)
        or (actor.role.value == "supervisor" and case.caseworker_id is None),
        not_eligible_reason=case.not_eligible_reason or None,
        plan_in_force=in_force,
    )


def transition(case: Case, action: Action, facts: CaseFacts, actor: Actor) -> CaseStatus:
    """Ask the workflow; an illegal transition or a failed guard raises, nothing is saved."""
    new = workflow.apply(action, facts, actor.role)
    case.status = new.value
    return new


def recompute(case: Case, sop: Sop, today: date) -> None:
    """Deadlines and next follow-up from the SOP in force (SPEC §5, §7, §8).

    Called on every write, whatever door it came through, so stored dates never drift
    from the rules.
    """
    level = RiskLevel(case.risk_level)
    status = CaseStatus(case.status)
    timeframes = sop.timeframes
    case.risk_rank = level.rank

    case.assessment_due_on = None
    if status == CaseStatus.INITIAL_ASSESSMENT and case.initial_assessed_on:
        case.assessment_due_on = tf.assessment_due(level, case.initial_assessed_on, timeframes)

    case.plan_due_on = None
    if status in (CaseStatus.COMPREHENSIVE_ASSESSMENT, CaseStatus.PLAN_PENDING_APPROVAL) and (
        case.comprehensive_assessed_on
    ):
        case.plan_due_on = tf.plan_due(level, case.comprehensive_assessed_on, timeframes)

    case.next_follow_up_on = None
    if (
        status
        in (
            CaseStatus.PLAN_APPROVED,
            CaseStatus.IMPLEMENTATION,
            CaseStatus.CLOSURE_REQUESTED,
        )
        and case.follow_up_started_on
    ):
        case.next_follow_up_on = tf.next_follow_up_due(
            level,
            FollowUpPhase(case.follow_up_phase),
            case.follow_up_started_on,
            case.last_follow_up_on,
            timeframes,
        )

    dates = [d for d in (case.assessment_due_on, case.plan_due_on, case.next_follow_up_on) if d]
    case.next_due_on = min(dates) if dates else None


def save_case(
    case: Case,
    *,
    actor: Actor,
    before: Mapping[str, Any],
    action: str = Event.Action.UPDATE,
    summary: str = "",
    extra_changes: Mapping[str, Any] | None = None,
    sop_row: SopVersion | None = None,
) -> Case:
    case.version += 1
    if sop_row is not None:
        case.sop_version = sop_row
    case.save()
    changes = diff(before, snapshot(case, TRACKED))
    if extra_changes:
        changes.update(extra_changes)
    record(
        actor=actor.user,
        action=action,
        obj=case,
        case=case,
        changes=changes,
        summary=summary,
        sop_version=sop_row.version if sop_row else case.sop_version.version,
    )
    return case


def before_of(case: Case) -> dict[str, Any]:
    return snapshot(case, TRACKED)


def audit_child_record(
    *, actor: Actor, obj: Model, case: Case, action: str, fields: Iterable[str], summary: str = ""
) -> None:
    record(
        actor=actor.user,
        action=action,
        obj=obj,
        case=case,
        changes=audit_safe_changes(obj, ((f, f, None, getattr(obj, f)) for f in fields)),
        summary=summary,
        sop_version=case.sop_version.version,
    )


def domain_refusal(exc: DomainError) -> ValidationFailed:
    return ValidationFailed(exc.message, exc.params, code=exc.code, reasons=exc.reasons)


def insert(obj: Any, record_id: UUID | None) -> Any:
    """Save a new record under the UUID the client chose (if any); never an update."""
    if record_id is not None:
        obj.id = record_id
    obj.save(force_insert=True)
    return obj


def require_case_team(facts: CaseFacts) -> None:
    """Field work on a case is for its assigned caseworker and their supervisor."""
    if not (facts.actor_is_assigned or facts.actor_supervises):
        raise PermissionDeniedError("Only the assigned caseworker or their supervisor can do this.")


def replayed(model: type[Any], record_id: UUID | None, case_id: UUID, actor: Actor) -> Any:
    """Idempotent create: the record a client already created with this id, if any.

    An offline client retries with the same UUID; the retry returns the first result. An id
    that belongs to another case (or one the actor cannot see) is refused without saying more.
    """
    if record_id is None:
        return None
    existing = model.objects.filter(pk=record_id).first()
    if existing is None:
        return None
    if existing.case_id != case_id or not cases_visible_to(actor).filter(pk=case_id).exists():
        raise ConflictError(
            "This identifier is already used by another record. Generate a new one.",
            code="id_taken",
        )
    return existing
