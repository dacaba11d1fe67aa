"""Case endpoints. Each parses input, calls a service or selector, and serializes."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from fanous.accounts.access import Actor
from fanous.accounts.models import Area, User
from fanous.audit.selectors import history_row
from fanous.core.errors import NotFoundError
from fanous.core.prepared import prepared_statements
from fanous.domain import timeframes as tf
from fanous.domain.protection import (
    redact_facts,
    redact_fields,
    redact_risk_factors,
    redact_text,
)
from fanous.domain.sop import RiskLevel
from fanous.domain.workflow import CaseStatus

from . import schemas as s
from . import selectors, services
from .models import Assessment, FollowUp, Review
from .presenters import case_out, restriction_for_viewer

router = Router(tags=["cases"])


def _reload(request: HttpRequest, case_id: UUID, audit_section: str = "") -> dict[str, Any]:
    actor = Actor.of_request(request)
    case = selectors.case_get(actor=actor, case_id=case_id, audit_section=audit_section)
    return case_out(case, actor)


# ---------------------------------------------------------------- caseload


class CaseloadQuery(Schema):
    status: list[CaseStatus] | None = None
    risk: list[RiskLevel] | None = None
    overdue: bool | None = None
    q: str | None = Field(None, max_length=100)
    include_closed: bool = False
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0)


CASELOAD_COLUMNS = (
    "id",
    "version",
    "case_number",
    "status",
    "risk_level",
    "next_due_on",
    "caseworker_id",
    "child__given_name",
    "child__father_name",
    "child__grandfather_name",
    "child__family_name",
    "child__birth_date",
    "child__sex",
)


@router.get("", response=s.CaseListOut)
def case_list(request: HttpRequest, filters: Query[CaseloadQuery]) -> dict[str, Any]:
    """My caseload: high risk first, then the nearest due date."""
    with prepared_statements():
        actor = Actor.of_request(request)
        today = selectors.today_for(actor)
        qs = selectors.case_list_for(
            actor=actor,
            filters=selectors.CaseloadFilter(
                status=filters.status,
                risk=filters.risk,
                overdue=filters.overdue,
                q=filters.q,
                include_closed=filters.include_closed,
            ),
            today=today,
        )
        # Only the columns the list shows: every name part is sealed (one decryption each),
        # and a child row holds more sealed fields and the long blind index.
        page = list(
            qs.select_related(None)
            .select_related("child")
            .only(*CASELOAD_COLUMNS)[filters.offset : filters.offset + filters.limit]
        )
        return {
            "count": qs.count(),
            "limit": filters.limit,
            "offset": filters.offset,
            "items": [
                {
                    "id": c.id,
                    "version": c.version,
                    "case_number": c.case_number,
                    "status": c.status,
                    "risk_level": c.risk_level,
                    "child_name": c.child.full_name,
                    "child_age": tf.age_on(c.child.birth_date, today),
                    "sex": c.child.sex,
                    "next_due_on": c.next_due_on,
                    "overdue": tf.is_overdue(c.next_due_on, today),
                    "caseworker_id": c.caseworker_id,
                }
                for c in page
            ],
        }


# ---------------------------------------------------------------- step 1


@router.post("", response={200: s.CaseOut, 201: s.CaseOut})
def case_identify(request: HttpRequest, payload: s.CaseIdentifyIn) -> Status[dict[str, Any]]:
    """Identify a child (first contact). Idempotent by `id`."""
    actor = Actor.of_request(request)
    user: User = request.user  # type: ignore[assignment]
    if payload.area:
        area = Area.objects.filter(code=payload.area).first()
    else:
        area = user.agency.area if user.agency else None
    if area is None:
        raise NotFoundError("Unknown area. Use an area code from the list of areas.")
    case, created = services.case_identify(
        actor=actor,
        case_id=payload.id,
        child=services.ChildData(**payload.child.model_dump()),
        area=area,
        concerns=payload.concerns,
        eligibility_criteria=payload.eligibility_criteria,
        immediate_needs=payload.immediate_needs,
        immediate_needs_notes=payload.immediate_needs_notes,
        source=payload.source,
        household_address=payload.household_address,
        household_phone=payload.household_phone,
    )
    return Status(201 if created else 200, _reload(request, case.id))


@router.get("/{case_id}", response=s.CaseOut)
def case_get(request: HttpRequest, case_id: UUID) -> dict[str, Any]:
    """One case; the read is recorded in the audit log."""
    with prepared_statements():
        return _reload(request, case_id, audit_section="case")


@router.patch("/{case_id}/child", response=s.CaseOut)
def case_update_child(
    request: HttpRequest, case_id: UUID, payload: s.ChildUpdateIn
) -> dict[str, Any]:
    changes = payload.child.model_dump(exclude_unset=True)
    services.case_update_child(
        actor=Actor.of_request(request),
        case_id=case_id,
        expected_version=payload.version,
        changes=changes,
    )
    return _reload(request, case_id)


@router.post("/{case_id}/consents", response={200: s.CaseOut, 201: s.CaseOut})
def consent_record(
    request: HttpRequest, case_id: UUID, payload: s.ConsentIn
) -> Status[dict[str, Any]]:
    _, created = services.consent_record(
        actor=Actor.of_request(request),
        case_id=case_id,
        record_id=payload.id,
        purpose=payload.purpose,
        giver=payload.giver,
        given=payload.given,
        giver_name=payload.giver_name,
        giver_relation=payload.giver_relation,
        method=payload.method,
        recorded_on=payload.recorded_on,
        notes=payload.notes,
    )
    return Status(201 if created else 200, _reload(request, case_id))


@router.post("/{case_id}/consents/{consent_id}/withdraw", response=s.CaseOut)
def consent_withdraw(
    request: HttpRequest, case_id: UUID, consent_id: UUID, payload: s.ConsentWithdrawIn
) -> dict[str, Any]:
    services.consent_withdraw(
        actor=Actor.of_request(request),
        case_id=case_id,
        consent_id=consent_id,
        reason=payload.reason,
    )
    return _reload(request, case_id)


@router.post("/{case_id}/register", response=s.CaseOut)
def case_register(request: HttpRequest, case_id: UUID, payload: s.RegistrationIn) -> dict[str, Any]:
    data = payload.model_dump(exclude={"version"})
    services.case_register(
        actor=Actor.of_request(request),
        case_id=case_id,
        expected_version=payload.version,
        data=data,
    )
    return _reload(request, case_id)


@router.patch("/{case_id}/registration", response=s.CaseOut)
def registration_update(
    request: HttpRequest, case_id: UUID, payload: s.RegistrationUpdateIn
) -> dict[str, Any]:
    """Correct the registration details of a registered case; send only what changes."""
    changes = payload.model_dump(exclude_unset=True, exclude={"version"})
    # null for a text or yes/no field means "empty"; for hours and days it means "not known".
    for name, value in list(changes.items()):
        if value is None and name not in ("hours_per_day", "days_per_week"):
            changes[name] = False if name == "concern_hazardous_work" else ""
    services.registration_update(
        actor=Actor.of_request(request),
        case_id=case_id,
        expected_version=payload.version,
        changes=changes,
    )
    return _reload(request, case_id)


@router.post("/{case_id}/not-eligible", response=s.CaseOut)
def case_not_eligible(
    request: HttpRequest, case_id: UUID, payload: s.NotEligibleIn
) -> dict[str, Any]:
    services.case_declare_not_eligible(
        actor=Actor.of_request(request),
        case_id=case_id,
        expected_version=payload.version,
        reason=payload.reason,
    )
    return _reload(request, case_id)


@router.post("/{case_id}/refer-out", response=s.CaseOut)
def case_refer_out(request: HttpRequest, case_id: UUID, payload: s.ReferOutIn) -> dict[str, Any]:
    services.case_refer_out(
        actor=Actor.of_request(request),
        case_id=case_id,
        expected_version=payload.version,
        referred_to=payload.referred_to,
        feedback=payload.feedback,
    )
    return _reload(request, case_id)


@router.post("/{case_id}/assign", response=s.CaseOut)
def case_assign(request: HttpRequest, case_id: UUID, payload: s.AssignIn) -> dict[str, Any]:
    services.case_assign(
        actor=Actor.of_request(request),
        case_id=case_id,
        expected_version=payload.version,
        caseworker_id=payload.caseworker_id,
    )
    return _reload(request, case_id)


@router.post("/{case_id}/household-members", response={200: s.CaseOut, 201: s.CaseOut})
def household_member_add(
    request: HttpRequest, case_id: UUID, payload: s.HouseholdMemberIn
) -> Status[dict[str, Any]]:
    _, created = services.household_member_add(
        actor=Actor.of_request(request),
        case_id=case_id,
        member_id=payload.id,
        data=payload.model_dump(exclude={"id"}),
    )
    return Status(201 if created else 200, _reload(request, case_id))


# ---------------------------------------------------------------- steps 1-2


@router.post("/{case_id}/assessments", response={200: s.AssessmentOut, 201: s.AssessmentOut})
def assessment_record(
    request: HttpRequest, case_id: UUID, payload: s.AssessmentIn
) -> Status[dict[str, Any]]:
    assessment, created = services.assessment_record(
        actor=Actor.of_request(request),
        case_id=case_id,
        record_id=payload.id,
        expected_version=payload.version,
        kind=payload.kind,
        assessed_on=payload.assessed_on,
        facts=dict(payload.facts),
        narrative=dict(payload.narrative),
    )
    return Status(201 if created else 200, _assessment_out(assessment))


def _assessment_out(a: Assessment) -> dict[str, Any]:
    return {
        **{
            f: getattr(a, f)
            for f in (
                "id",
                "kind",
                "assessed_on",
                "facts",
                "narrative",
                "risk_level",
                "risk_factors",
                "recorded_by_id",
                "created_at",
            )
        },
        "sop_version": a.sop_version.version,
    }


@router.get("/{case_id}/assessments", response=list[s.AssessmentOut])
def assessment_list(request: HttpRequest, case_id: UUID) -> list[dict[str, Any]]:
    case = selectors.case_get(
        actor=Actor.of_request(request), case_id=case_id, audit_section="assessments"
    )
    qs = Assessment.objects.filter(case=case).select_related("sop_version").order_by("assessed_on")
    restriction = restriction_for_viewer(case, Actor.of_request(request))
    if restriction is None:
        return [_assessment_out(a) for a in qs]
    # Need to know (SPEC §12): sensitive facts, narrative and "why" lines withheld.
    return [
        {
            **out,
            "facts": redact_facts(out["facts"], restriction),
            "narrative": redact_fields(out["narrative"], restriction.narrative),
            "risk_factors": redact_risk_factors(out["risk_factors"], restriction),
        }
        for out in map(_assessment_out, qs)
    ]


@router.post("/{case_id}/risk-override", response=s.CaseOut)
def risk_override(request: HttpRequest, case_id: UUID, payload: s.RiskOverrideIn) -> dict[str, Any]:
    services.risk_override_set(
        actor=Actor.of_request(request),
        case_id=case_id,
        expected_version=payload.version,
        level=payload.level,
        reason=payload.reason,
    )
    return _reload(request, case_id)


@router.get("/{case_id}/risk-changes", response=list[s.RiskChangeOut])
def risk_changes(request: HttpRequest, case_id: UUID) -> list[dict[str, Any]]:
    actor = Actor.of_request(request)
    case = selectors.case_get(actor=actor, case_id=case_id, audit_section="risk_changes")
    restriction = restriction_for_viewer(case, actor)
    rows = [
        {
            **{
                f: getattr(r, f)
                for f in (
                    "id",
                    "kind",
                    "from_level",
                    "to_level",
                    "computed_level",
                    "reason",
                    "changed_by_id",
                    "created_at",
                )
            },
            "sop_version": r.sop_version.version,
        }
        for r in case.risk_changes.select_related("sop_version").order_by("created_at")
    ]
    if restriction is not None:  # the computed reason names the facts (SPEC §12)
        for row in rows:
            row["reason"] = redact_text(row["reason"], restriction)
    return rows


@router.post("/{case_id}/reviews", response={200: s.CaseOut, 201: s.CaseOut})
def review_record(
    request: HttpRequest, case_id: UUID, payload: s.ReviewIn
) -> Status[dict[str, Any]]:
    _, created = services.review_record(
        actor=Actor.of_request(request),
        case_id=case_id,
        record_id=payload.id,
        kind=payload.kind,
        held_on=payload.held_on,
        summary=payload.summary,
        decisions=payload.decisions,
        participants=payload.participants,
        follow_up_phase=payload.follow_up_phase.value if payload.follow_up_phase else "",
    )
    return Status(201 if created else 200, _reload(request, case_id))


@router.get("/{case_id}/reviews", response=list[s.ReviewOut])
def review_list(request: HttpRequest, case_id: UUID) -> list[dict[str, Any]]:
    case = selectors.case_get(
        actor=Actor.of_request(request), case_id=case_id, audit_section="reviews"
    )
    return [
        {
            **{
                f: getattr(r, f)
                for f in (
                    "id",
                    "kind",
                    "held_on",
                    "summary",
                    "decisions",
                    "participants",
                    "follow_up_phase",
                )
            },
            "sop_version": r.sop_version.version,
        }
        for r in Review.objects.filter(case=case).select_related("sop_version").order_by("held_on")
    ]


# ---------------------------------------------------------------- step 3


@router.put("/{case_id}/plan", response=s.CaseOut)
def plan_save(request: HttpRequest, case_id: UUID, payload: s.PlanIn) -> dict[str, Any]:
    data = services.PlanData(
        goals=tuple(
            services.GoalData(
                horizon=g.horizon,
                kind=g.kind,
                description=g.description,
                actions=tuple(services.ActionData(**a.model_dump()) for a in g.actions),
            )
            for g in payload.goals
        ),
        **payload.model_dump(exclude={"version", "goals"}),
    )
    services.plan_save_draft(
        actor=Actor.of_request(request),
        case_id=case_id,
        expected_version=payload.version,
        data=data,
    )
    return _reload(request, case_id)


@router.post("/{case_id}/plan/submit", response=s.CaseOut)
def plan_submit(request: HttpRequest, case_id: UUID, payload: s.VersionIn) -> dict[str, Any]:
    services.plan_submit(
        actor=Actor.of_request(request), case_id=case_id, expected_version=payload.version
    )
    return _reload(request, case_id)


@router.post("/{case_id}/plan/approve", response=s.CaseOut)
def plan_approve(request: HttpRequest, case_id: UUID, payload: s.DecisionIn) -> dict[str, Any]:
    services.plan_approve(
        actor=Actor.of_request(request),
        case_id=case_id,
        expected_version=payload.version,
        note=payload.note,
    )
    return _reload(request, case_id)


@router.post("/{case_id}/plan/reject", response=s.CaseOut)
def plan_reject(request: HttpRequest, case_id: UUID, payload: s.DecisionIn) -> dict[str, Any]:
    services.plan_reject(
        actor=Actor.of_request(request),
        case_id=case_id,
        expected_version=payload.version,
        note=payload.note,
    )
    return _reload(request, case_id)


@router.post("/{case_id}/plan/actions/{action_id}", response=s.CaseOut)
def plan_action_status(
    request: HttpRequest, case_id: UUID, action_id: UUID, payload: s.PlanActionStatusIn
) -> dict[str, Any]:
    services.plan_action_set_status(
        actor=Actor.of_request(request),
        case_id=case_id,
        action_id=action_id,
        status=payload.status,
        completed_on=payload.completed_on,
    )
    return _reload(request, case_id)


# ---------------------------------------------------------------- steps 4-5


@router.post("/{case_id}/follow-ups", response={200: s.CaseOut, 201: s.CaseOut})
def follow_up_record(
    request: HttpRequest, case_id: UUID, payload: s.FollowUpIn
) -> Status[dict[str, Any]]:
    _, created = services.follow_up_record(
        actor=Actor.of_request(request),
        case_id=case_id,
        record_id=payload.id,
        kind=payload.kind,
        happened_on=payload.happened_on,
        child_seen=payload.child_seen,
        checks=dict(payload.checks),
        notes=payload.notes,
    )
    return Status(201 if created else 200, _reload(request, case_id))


@router.get("/{case_id}/follow-ups", response=list[s.FollowUpOut])
def follow_up_list(request: HttpRequest, case_id: UUID) -> list[dict[str, Any]]:
    case = selectors.case_get(
        actor=Actor.of_request(request), case_id=case_id, audit_section="follow_ups"
    )
    return [
        {
            **{
                f: getattr(f_, f)
                for f in (
                    "id",
                    "kind",
                    "happened_on",
                    "child_seen",
                    "checks",
                    "notes",
                )
            },
            "sop_version": f_.sop_version.version,
        }
        for f_ in FollowUp.objects.filter(case=case)
        .select_related("sop_version")
        .order_by("happened_on")
    ]


# ---------------------------------------------------------------- step 6


@router.post("/{case_id}/closure", response=s.CaseOut)
def closure_request(request: HttpRequest, case_id: UUID, payload: s.ClosureIn) -> dict[str, Any]:
    services.closure_request(
        actor=Actor.of_request(request),
        case_id=case_id,
        expected_version=payload.version,
        reason=payload.reason,
        flags=payload.flags,
        justification=payload.justification,
        transition_plan=payload.transition_plan,
    )
    return _reload(request, case_id)


@router.post("/{case_id}/closure/approve", response=s.CaseOut)
def closure_approve(request: HttpRequest, case_id: UUID, payload: s.DecisionIn) -> dict[str, Any]:
    services.closure_approve(
        actor=Actor.of_request(request),
        case_id=case_id,
        expected_version=payload.version,
        note=payload.note,
    )
    return _reload(request, case_id)


@router.post("/{case_id}/closure/reject", response=s.CaseOut)
def closure_reject(request: HttpRequest, case_id: UUID, payload: s.DecisionIn) -> dict[str, Any]:
    services.closure_reject(
        actor=Actor.of_request(request),
        case_id=case_id,
        expected_version=payload.version,
        note=payload.note,
    )
    return _reload(request, case_id)


@router.post("/{case_id}/reopen", response=s.CaseOut)
def case_reopen(request: HttpRequest, case_id: UUID, payload: s.ReopenIn) -> dict[str, Any]:
    services.case_reopen(
        actor=Actor.of_request(request),
        case_id=case_id,
        expected_version=payload.version,
        reason=payload.reason,
    )
    return _reload(request, case_id)


# ---------------------------------------------------------------- history


@router.get("/{case_id}/history", response=list[s.EventOut])
def case_history(request: HttpRequest, case_id: UUID) -> list[dict[str, Any]]:
    """Everything that happened to the case: who, when, what, old -> new."""
    with prepared_statements():
        actor = Actor.of_request(request)
        case = selectors.case_get(actor=actor, case_id=case_id, audit_section="history")
        events = selectors.history_events(case)
        return [
            history_row(e) for e in selectors.mask_history(actor=actor, case=case, events=events)
        ]
