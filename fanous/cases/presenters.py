"""The case as one read model (status, risk, deadlines, plan, consents...) for both doors:
the API serializes it, the web pages render it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fanous.accounts.access import Actor, can_see_sensitive, grant_of
from fanous.domain import timeframes as tf
from fanous.domain import workflow
from fanous.domain.protection import Restriction, redact_case, restriction_for
from fanous.domain.sop import FollowUpPhase, RiskLevel, Sop
from fanous.sop.selectors import active_sop

from . import selectors
from .models import Assessment, Case, CasePlan, ClosureRequest, Registration
from .services.common import case_facts, local_today
from .services.intake import REGISTRATION_FIELDS


def _plan_out(plan: CasePlan | None) -> dict[str, Any] | None:
    if plan is None:
        return None
    return {
        **{
            f: getattr(plan, f)
            for f in (
                "id",
                "number",
                "status",
                "due_on",
                "root_causes",
                "child_views",
                "caregiver_views",
                "safety_contacts",
                "safe_places",
                "warning_signs",
                "protective_equipment",
                "submitted_at",
                "decided_at",
                "decision_note",
            )
        },
        "sop_version": plan.sop_version.version,
        "goals": [
            {
                "id": g.id,
                "horizon": g.horizon,
                "kind": g.kind,
                "description": g.description,
                "actions": [
                    {
                        "id": a.id,
                        "description": a.description,
                        "responsible": a.responsible,
                        "due_on": a.due_on,
                        "service_type": a.service_type,
                        "status": a.status,
                    }
                    for a in g.actions.all()
                ],
            }
            for g in plan.goals.all()
        ],
    }


def restriction_for_viewer(case: Case, actor: Actor, sop: Sop | None = None) -> Restriction | None:
    """What the actor must not see of the case (SPEC §12): None when they may see it all
    (the assigned caseworker, their supervisor, a share with the sensitive sections, a
    break-glass access), else the SOP's sensitive sections."""
    if can_see_sensitive(actor, case):
        return None
    return restriction_for(sop or active_sop(case.area)[1])


def access_out(case: Case, actor: Actor) -> dict[str, Any] | None:
    """The grant through which the actor reads the case (a share, a break-glass access),
    or None when the case is in their own scope."""
    grant = grant_of(actor, case)
    if grant is None:
        return None
    return {
        "grant_id": grant.pk,
        "kind": grant.kind,
        "include_sensitive": grant.include_sensitive,
        "expires_at": grant.expires_at,
        # The last day a share covers, where the child lives (it ends at that day's end).
        "last_day": (grant.expires_at - timedelta(microseconds=1))
        .astimezone(ZoneInfo(active_sop(case.area)[1].timezone))
        .date(),
        "read_only": True,
    }


def case_out(case: Case, actor: Actor) -> dict[str, Any]:
    """The case as the actor may see it: sensitive sections withheld without need to know."""
    sop_row, sop = active_sop(case.area)
    data = _case_out(case, actor, sop_row.version, sop)
    restriction = restriction_for_viewer(case, actor, sop)
    if restriction is not None:
        data = redact_case(data, restriction)
        # For the "Restricted: ... ask the assigned caseworker" notice of the pages.
        data["restricted_labels"] = [
            {"code": s.code, **s.label.model_dump()} for s in restriction.sections
        ]
    else:
        data["restricted_sections"] = []
        data["restricted_labels"] = []
    data["access"] = access_out(case, actor)
    return data


def _case_out(case: Case, actor: Actor, sop_version: str, sop: Sop) -> dict[str, Any]:
    today = local_today(sop)
    child = case.child
    age = tf.age_on(child.birth_date, today)
    plan = selectors.plan_current(case)
    consents = selectors.consents_of(case)
    facts = case_facts(case, actor, sop, today, plan=plan, consents=consents)
    level = RiskLevel(case.risk_level)
    freq = tf.follow_up_frequency(level, FollowUpPhase(case.follow_up_phase), sop.timeframes)
    latest = Assessment.objects.filter(case=case).order_by("-assessed_on", "-created_at").first()
    try:  # joined by selectors.case_get; one query for a case loaded another way
        registration: Registration | None = case.registration
    except Registration.DoesNotExist:
        registration = None
    pending = (
        ClosureRequest.objects.filter(case=case)
        .select_related("sop_version")
        .defer("sop_version__data")
        .order_by("-created_at")
        .first()
    )
    return {
        "id": case.id,
        "version": case.version,
        "case_number": case.case_number,
        "status": case.status,
        "allowed_actions": [a.value for a in workflow.allowed_actions(facts, actor.role)],
        "agency": case.agency.code,
        "area": case.area.code,
        "caseworker_id": case.caseworker_id,
        "concerns": case.concerns,
        "source": case.source,
        "immediate_needs": case.immediate_needs,
        "eligible": case.eligible,
        "eligibility_criteria": case.eligibility_criteria,
        "not_eligible_reason": case.not_eligible_reason,
        "referred_out_to": case.referred_out_to,
        "child": {
            **{
                f: getattr(child, f)
                for f in (
                    "id",
                    "given_name",
                    "father_name",
                    "grandfather_name",
                    "family_name",
                    "full_name",
                    "sex",
                    "birth_date",
                    "birth_date_estimated",
                    "nationality",
                    "legal_status",
                    "disability",
                    "phone",
                    "current_address",
                )
            },
            "age": age,
        },
        "risk": {
            "level": case.risk_level,
            "computed": case.risk_computed,
            "override": case.risk_override or None,
            "factors": latest.risk_factors if latest else [],
            "high_risk_discussed_at": case.high_risk_discussed_at,
        },
        "deadlines": {
            "assessment_due_on": case.assessment_due_on,
            "plan_due_on": case.plan_due_on,
            "next_follow_up_on": case.next_follow_up_on,
            "next_due_on": case.next_due_on,
            "overdue": tf.is_overdue(case.next_due_on, today),
            "follow_up_phase": case.follow_up_phase,
            "follow_up_frequency": (
                {"times": freq.times, "period_days": freq.period_days} if freq else None
            ),
        },
        "sop_version": sop_version,
        "consents": consents,
        "effective_consents": sorted(facts.consents),
        "registration": (
            {f: getattr(registration, f) for f in REGISTRATION_FIELDS} if registration else None
        ),
        "household": (
            list(child.household.members.order_by("created_at")) if child.household else []
        ),
        "plan": _plan_out(plan),
        "closure_request": (
            {
                **{
                    f: getattr(pending, f)
                    for f in (
                        "id",
                        "reason",
                        "flags",
                        "justification",
                        "transition_plan",
                        "decision",
                        "decided_at",
                        "decision_note",
                    )
                },
                "sop_version": pending.sop_version.version,
            }
            if pending
            else None
        ),
        **{
            f: getattr(case, f)
            for f in (
                "closure_reason",
                "identified_at",
                "registered_at",
                "initial_assessed_at",
                "comprehensive_assessed_at",
                "plan_submitted_at",
                "plan_approved_at",
                "closure_requested_at",
                "closed_at",
            )
        },
    }
