"""Steps 1-2 (SPEC §3-§6): assessments, the risk level and its changes, supervision."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from fanous.accounts.access import Actor
from fanous.accounts.permissions import Permission
from fanous.audit.models import Event
from fanous.core.errors import ConflictError, PermissionDeniedError, ValidationFailed
from fanous.domain import risk as risk_engine
from fanous.domain.errors import Reason
from fanous.domain.roles import Role
from fanous.domain.sop import FactType, FollowUpPhase, RiskLevel, Sop
from fanous.domain.workflow import TRANSITIONS, Action, CaseStatus
from fanous.sop.models import SopVersion

from ..models import Assessment, Case, Registration, Review, RiskChange
from .common import (
    before_of,
    case_facts,
    child_age,
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

FactValue = bool | int | str | None


def validate_facts(sop: Sop, concerns: list[str], facts: dict[str, Any]) -> dict[str, FactValue]:
    """Facts must be codes of the SOP's catalogue for the case's concerns, of the right type."""
    catalogue = {}
    for code in concerns:
        for f in sop.concern(code).facts:
            catalogue[f.code] = f
    problems: list[Reason] = []
    clean: dict[str, FactValue] = {}

    def problem(code: str, message: str, **params: object) -> None:
        problems.append(Reason(code, message, params))

    for code, value in facts.items():
        fdef = catalogue.get(code)
        if fdef is None:
            problem("fact_unknown", gettext_noop("Unknown answer code: %(fact)s."), fact=code)
        elif fdef.category == "age":
            problem(
                "fact_computed",
                gettext_noop("%(fact)s is computed from the birth date; do not send it."),
                fact=code,
            )
        elif value is None:
            clean[code] = None
        elif fdef.type == FactType.BOOL and isinstance(value, bool):
            clean[code] = value
        elif fdef.type == FactType.INT and isinstance(value, int) and not isinstance(value, bool):
            lo, hi = fdef.min_value, fdef.max_value
            if (lo is not None and value < lo) or (hi is not None and value > hi):
                problem(
                    "fact_range",
                    gettext_noop("%(fact)s: %(value)s is outside the range %(min)s to %(max)s."),
                    fact=code,
                    value=value,
                    min=lo,
                    max=hi,
                )
            clean[code] = value
        elif fdef.type == FactType.CHOICE and isinstance(value, str):
            if value not in {c.code for c in fdef.choices}:
                problem(
                    "fact_choice",
                    gettext_noop("%(fact)s: %(value)s is not one of the SOP's choices."),
                    fact=code,
                    value=value,
                )
            clean[code] = value
        else:
            problem(
                "fact_type",
                gettext_noop("%(fact)s: the answer is not of the expected kind (%(kind)s)."),
                fact=code,
                kind=fdef.type.value,
            )
    if problems:
        raise ValidationFailed(
            "Some assessment answers are not valid. Use the codes and value types of the SOP "
            "in force.",
            code="invalid_facts",
            reasons=problems,
        )
    return clean


def _derived_facts(
    case: Case, sop: Sop, facts: dict[str, FactValue], on: date
) -> dict[str, FactValue]:
    """Facts the server computes: age at the assessment date, weekly hours from registration."""
    out = dict(facts)
    out["age"] = child_age(case, on)
    if out.get("hours_per_week") is None:
        reg = Registration.objects.filter(case=case).first()
        if reg and reg.hours_per_day is not None and reg.days_per_week is not None:
            out["hours_per_week"] = reg.hours_per_day * reg.days_per_week
    return out


def _apply_level(
    case: Case,
    *,
    actor: Actor,
    sop_row: SopVersion,
    computed: RiskLevel,
    factors: list[dict[str, Any]],
    reason: str,
    kind: str,
    assessment: Assessment | None,
) -> RiskChange | None:
    """Set the computed/override/effective levels; keep a RiskChange when the level moves."""
    old = RiskLevel(case.risk_level)
    case.risk_computed = computed.value
    override = RiskLevel(case.risk_override) if case.risk_override else None
    new = risk_engine.effective_level(computed, override)
    case.risk_level = new.value
    if new == old and kind == RiskChange.Kind.COMPUTED:
        return None
    if new == RiskLevel.HIGH and old != RiskLevel.HIGH:
        # SPEC §4: a case that becomes high risk is discussed with the supervisor anew.
        case.high_risk_discussed_at = None
    return RiskChange.objects.create(
        case=case,
        kind=kind,
        from_level=old.value,
        to_level=new.value,
        computed_level=computed.value,
        reason=reason,
        factors=factors,
        assessment=assessment,
        sop_version=sop_row,
        changed_by=actor.user,
    )


@transaction.atomic
def assessment_record(
    *,
    actor: Actor,
    case_id: UUID,
    record_id: UUID | None,
    expected_version: int | None,
    kind: str,
    assessed_on: date,
    facts: dict[str, Any],
    narrative: dict[str, str],
) -> tuple[Assessment, bool]:
    """Record an initial or comprehensive assessment and recompute the risk level (SPEC §4)."""
    require_edit(actor)
    existing = replayed(Assessment, record_id, case_id, actor)
    if existing is not None:
        return existing, False
    case = load_case(actor, case_id, expected_version)
    sop_row, sop = sop_for(case)
    today = local_today(sop)
    if assessed_on > today:
        raise ValidationFailed("The assessment date cannot be in the future.", code="date_future")
    if assessed_on < local_today(sop, case.identified_at):
        raise ValidationFailed(
            "The assessment date is before the child was identified. Check the date.",
            code="date_past",
        )
    clean = validate_facts(sop, list(case.concerns), facts)
    all_facts = _derived_facts(case, sop, clean, assessed_on)
    result = risk_engine.evaluate_case(sop, case.concerns, all_facts)
    factors = [
        {
            "concern": r.concern,
            "level": r.level.value,
            "factors": [
                {"rule": f.rule_code, "effect": f.effect.value, "label": f.label.model_dump()}
                for f in r.factors
            ],
        }
        for r in result.by_concern
    ]

    action = (
        Action.RECORD_INITIAL_ASSESSMENT
        if kind == Assessment.Kind.INITIAL
        else Action.RECORD_COMPREHENSIVE_ASSESSMENT
    )
    before = before_of(case)
    status = CaseStatus(case.status)
    if (status, action) in TRANSITIONS:
        transition(case, action, case_facts(case, actor, sop, today), actor)
    elif kind == Assessment.Kind.COMPREHENSIVE and status in (
        CaseStatus.PLAN_PENDING_APPROVAL,
        CaseStatus.PLAN_APPROVED,
        CaseStatus.IMPLEMENTATION,
        CaseStatus.CLOSURE_REQUESTED,
    ):
        pass  # a re-assessment during the life of the case (SPEC §4): no change of step
    else:
        # Let the workflow say why (wrong step, missing initial assessment...).
        transition(case, action, case_facts(case, actor, sop, today), actor)

    assessment = Assessment(
        case=case,
        kind=kind,
        assessed_on=assessed_on,
        narrative=narrative,
        risk_level=result.level.value,
        risk_factors=factors,
        sop_version=sop_row,
        recorded_by=actor.user,
    )
    assessment.facts = clean  # split: sensitive facts sealed, the others open (models.py)
    insert(assessment, record_id)
    now = timezone.now()
    if kind == Assessment.Kind.INITIAL:
        case.initial_assessed_at = case.initial_assessed_at or now
        case.initial_assessed_on = assessed_on
    else:
        case.comprehensive_assessed_at = case.comprehensive_assessed_at or now
        case.comprehensive_assessed_on = case.comprehensive_assessed_on or assessed_on
    why = (
        "; ".join(f.label.get("en") for r in result.by_concern for f in r.factors)
        or "no risk factor matched"
    )
    _apply_level(
        case,
        actor=actor,
        sop_row=sop_row,
        computed=result.level,
        factors=factors,
        reason=f"{kind} assessment of {assessed_on.isoformat()}: {why}",
        kind=RiskChange.Kind.COMPUTED,
        assessment=assessment,
    )
    recompute(case, sop, today)
    save_case(
        case,
        actor=actor,
        before=before,
        action=Event.Action.ASSESSMENT,
        summary=f"{kind} assessment: {result.level.value}",
        extra_changes={"assessment": [None, str(assessment.pk)]},
        sop_row=sop_row,
    )
    return assessment, True


@transaction.atomic
def risk_override_set(
    *,
    actor: Actor,
    case_id: UUID,
    expected_version: int,
    level: RiskLevel | None,
    reason: str,
) -> Case:
    """A supervisor overrides the computed level, or removes the override, with a reason."""
    actor.require(Permission.RISK_OVERRIDE)
    if len(reason.strip()) < 10:
        raise ValidationFailed(
            "Give the reason for changing the risk level (at least 10 characters); it is kept "
            "in the case history.",
            code="reason_required",
        )
    case = load_case(actor, case_id, expected_version)
    sop_row, sop = sop_for(case)
    facts = case_facts(case, actor, sop, local_today(sop))
    if not facts.actor_supervises:
        raise PermissionDeniedError("Only the supervisor of the assigned caseworker can do this.")
    if case.status == CaseStatus.CLOSED:
        raise ConflictError("The case is closed. Reopen it first.")
    before = before_of(case)
    case.risk_override = level.value if level else ""
    _apply_level(
        case,
        actor=actor,
        sop_row=sop_row,
        computed=RiskLevel(case.risk_computed),
        factors=[],
        reason=reason,
        kind=RiskChange.Kind.OVERRIDE if level else RiskChange.Kind.OVERRIDE_CLEARED,
        assessment=None,
    )
    recompute(case, sop, local_today(sop))
    return save_case(
        case,
        actor=actor,
        before=before,
        action=Event.Action.RISK_CHANGE,
        summary="risk override",
        extra_changes={"reason": [None, reason]},
        sop_row=sop_row,
    )


@transaction.atomic
def review_record(
    *,
    actor: Actor,
    case_id: UUID,
    record_id: UUID | None,
    kind: str,
    held_on: date,
    summary: str,
    decisions: str = "",
    participants: str = "",
    follow_up_phase: str = "",
) -> tuple[Review, bool]:
    """A case review, case conference, or the supervisor's discussion of a high-risk case.

    A supervision discussion recorded by the case's supervisor satisfies SPEC §4's rule
    that high-risk cases are discussed before any action. A review may move follow-up to
    the stable phase (SPEC §8), which changes the schedule.
    """
    require_edit(actor)
    existing = replayed(Review, record_id, case_id, actor)
    if existing is not None:
        return existing, False
    case = load_case(actor, case_id, None)
    sop_row, sop = sop_for(case)
    today = local_today(sop)
    if held_on > today:
        raise ValidationFailed("The date cannot be in the future.", code="date_future")
    if case.status in (CaseStatus.CLOSED, CaseStatus.REFERRED_OUT):
        raise ConflictError("The case is closed. Reopen it first.")
    facts = case_facts(case, actor, sop, today)
    if kind == Review.Kind.SUPERVISION and not facts.actor_supervises:
        raise PermissionDeniedError(
            "Only the supervisor of the assigned caseworker can record a supervision discussion."
        )
    if kind != Review.Kind.SUPERVISION:
        require_case_team(facts)
    before = before_of(case)
    review = Review(
        case=case,
        kind=kind,
        held_on=held_on,
        summary=summary,
        decisions=decisions,
        participants=participants,
        follow_up_phase=follow_up_phase,
        sop_version=sop_row,
        recorded_by=actor.user,
    )
    insert(review, record_id)
    if kind == Review.Kind.SUPERVISION and actor.role == Role.SUPERVISOR:
        case.high_risk_discussed_at = timezone.now()
    if follow_up_phase:
        case.follow_up_phase = FollowUpPhase(follow_up_phase).value
    recompute(case, sop, today)
    save_case(
        case,
        actor=actor,
        before=before,
        action=Event.Action.REVIEW,
        summary=f"{kind} recorded",
        extra_changes={"review": [None, str(review.pk)]},
        sop_row=sop_row,
    )
    return review, True
