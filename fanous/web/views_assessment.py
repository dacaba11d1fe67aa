"""Assessment pages (SPEC §3-§6): the form generated from the SOP, and the live risk preview.

Parse, call the service, render. The risk of the preview comes from the same pure function
the service uses (fanous.domain.risk.evaluate_case); nothing is stored by the preview.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext
from django.views.decorators.http import require_http_methods, require_POST

from fanous.cases import selectors, services
from fanous.cases.models import Assessment, Case, Registration
from fanous.cases.presenters import case_out
from fanous.cases.services.assessment import validate_facts
from fanous.cases.services.common import case_facts, local_today
from fanous.core.errors import ConflictError, ServiceError, error_payload, translate
from fanous.domain import risk as risk_engine
from fanous.domain import timeframes as tf
from fanous.domain import workflow
from fanous.domain.errors import DomainError
from fanous.domain.sop import Sop
from fanous.domain.workflow import Action, CaseStatus
from fanous.sop.selectors import active_sop

from .forms_assessment import AssessmentForm, assessment_initial
from .views import actor_of
from .views_access import case_for_change, read_only_refusal

KIND_ACTIONS: dict[str, Action] = {
    Assessment.Kind.INITIAL.value: Action.RECORD_INITIAL_ASSESSMENT,
    Assessment.Kind.COMPREHENSIVE.value: Action.RECORD_COMPREHENSIVE_ASSESSMENT,
}

# Steps where the service takes a comprehensive re-assessment without a change of step.
REASSESSMENT_STATUSES = (
    CaseStatus.PLAN_PENDING_APPROVAL,
    CaseStatus.PLAN_APPROVED,
    CaseStatus.IMPLEMENTATION,
    CaseStatus.CLOSURE_REQUESTED,
)


def form_error(form: forms.Form | None, exc: ServiceError | DomainError) -> dict[str, Any]:
    """The refusal as shown in a form: message, reasons, and errors beside the fields named.

    A stale version (someone else changed the case) is flagged so the page says "reload"
    instead of offering to overwrite.
    """
    payload = _payload(form, exc)
    if isinstance(form, AssessmentForm):
        for shown in payload["reasons"]:
            if shown.get("field"):
                form.add_error(shown["field"], shown["message"])
    return payload


def _payload(form: forms.Form | None, exc: ServiceError | DomainError) -> dict[str, Any]:
    payload = error_payload(exc)
    payload["stale"] = isinstance(exc, ConflictError) and exc.code == ConflictError.code
    if isinstance(form, AssessmentForm):
        for reason, shown in zip(exc.reasons, payload["reasons"], strict=True):
            name = form.field_for_fact(str(reason.params.get("fact")))
            if name:
                # The question as the caseworker read it, not the SOP's code.
                label = str(form.fields[name].label)
                shown["message"] = translate(reason.message, {**reason.params, "fact": label})
                shown["field"] = name
    return payload


def _kind(request: HttpRequest) -> str:
    kind = request.GET.get("kind", "")
    if kind not in Assessment.Kind.values:
        raise Http404
    return kind


def _latest(case: Case, kind: str | None = None) -> Assessment | None:
    qs = Assessment.objects.filter(case=case)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-assessed_on", "-created_at").first()


def _initial(case: Case, kind: str, today: date) -> dict[str, Any]:
    """Start from the latest answers, so a re-assessment changes only what changed."""
    latest = _latest(case)
    same = _latest(case, kind)
    initial = assessment_initial(
        latest.facts if latest else {}, same.narrative if same else {}, kind
    )
    if "fact_hours_per_week" not in initial:
        # The hours written at registration (SPEC §3), so that the preview and the saved
        # level agree from the first answer.
        reg = Registration.objects.filter(case=case).first()
        if reg and reg.hours_per_day is not None and reg.days_per_week is not None:
            initial["fact_hours_per_week"] = reg.hours_per_day * reg.days_per_week
    initial.update({"version": case.version, "record_id": uuid.uuid4(), "assessed_on": today})
    return initial


def _form(request: HttpRequest, case: Case, sop: Sop, kind: str, **kwargs: Any) -> AssessmentForm:
    return AssessmentForm(
        request.POST if request.method == "POST" else None,
        sop=sop,
        concerns=list(case.concerns),
        kind=kind,
        lang=get_language() or "ar",
        **kwargs,
    )


def _preview(case: Case, sop: Sop, form: AssessmentForm, today: date) -> dict[str, Any]:
    """The level these answers would give, and the factors behind it. Stores nothing."""
    form = form.bound_copy()
    form.is_valid()  # parse what parses; the preview shows the rest as not computable
    on = form.cleaned_data.get("assessed_on") or today
    lang = get_language() or "ar"
    age = tf.age_on(case.child.birth_date, on)
    not_known = form.not_known_count()
    try:
        clean = validate_facts(sop, list(case.concerns), form.facts())
        result = risk_engine.evaluate_case(sop, case.concerns, {**clean, "age": age})
    except (ServiceError, DomainError) as exc:
        return {"error": _payload(form, exc), "age": age, "not_known": not_known}
    several = len(result.by_concern) > 1
    return {
        "level": result.level.value,
        "age": age,
        "not_known": not_known,
        "has_factors": any(r.factors for r in result.by_concern),
        "concerns": [
            {
                "label": sop.concern(r.concern).label.get(lang) if several else "",
                "level": r.level.value,
                "factors": [
                    {"label": f.label.get(lang), "changed": f.changed, "rule": f.rule_code}
                    for f in r.factors
                ],
            }
            for r in result.by_concern
        ],
    }


@login_required
@require_http_methods(["GET", "POST"])
def assessment_new(request: HttpRequest, case_id: UUID) -> HttpResponse:
    """Record an initial or comprehensive assessment (SPEC §3, §5)."""
    actor = actor_of(request)
    case, refusal = case_for_change(request, actor, case_id, "assessment")
    if refusal is not None:
        return refusal  # grantees never see nor change the assessment facts (SPEC §12)
    kind = _kind(request)
    _, sop = active_sop(case.area)
    today = local_today(sop)
    error: dict[str, Any] | None = None
    if request.method == "POST":
        form = _form(request, case, sop, kind)
        preview = _preview(case, sop, form, today)
        if form.is_valid():
            try:
                assessment, _created = services.assessment_record(
                    actor=actor,
                    case_id=case.pk,
                    record_id=form.cleaned_data["record_id"],
                    expected_version=form.cleaned_data["version"],
                    kind=kind,
                    assessed_on=form.cleaned_data["assessed_on"],
                    facts=form.facts(),
                    narrative=form.narrative(),
                )
            except (ServiceError, DomainError) as exc:
                error = form_error(form, exc)
            else:
                messages.success(
                    request,
                    gettext("The assessment was recorded. Risk level: %(level)s.")
                    % {"level": assessment.get_risk_level_display()},
                )
                return redirect("web:case_detail", case_id=case.pk)
        case = selectors.case_get(actor=actor, case_id=case_id)  # nothing half-saved: re-read
    else:
        form = _form(request, case, sop, kind, initial=_initial(case, kind, today))
        preview = _preview(case, sop, form, today)
    data = case_out(case, actor)
    action = KIND_ACTIONS[kind]
    blockers: list[dict[str, Any]] = []
    reassessment = kind == Assessment.Kind.COMPREHENSIVE and case.status in REASSESSMENT_STATUSES
    if action.value not in data["allowed_actions"] and not reassessment:
        # Explain before the caseworker fills in sixty answers, not after.
        reasons = workflow.guard(action, case_facts(case, actor, sop, today), actor.role)
        blockers = [{"code": r.code, "message": translate(r.message, r.params)} for r in reasons]
    return render(
        request,
        "web/assessment/form.html",
        {
            "nav": "caseload",
            "case": case,
            "data": data,
            "form": form,
            "kind": kind,
            "sections": form.section_rows(),
            "narrative_fields": [form[name] for _key, name in form.narrative_names],
            "preview": preview,
            "current_level": case.risk_level,
            "error": error,
            "blockers": blockers,
        },
        status=422 if error else 200,
    )


@login_required
@require_POST
def assessment_preview(request: HttpRequest, case_id: UUID) -> HttpResponse:
    """HTMX: the risk level the answers in the form would give (never saved)."""
    actor = actor_of(request)
    case = selectors.case_get(actor=actor, case_id=case_id)
    if (refusal := read_only_refusal(request, actor, case)) is not None:
        return refusal  # grantees never see nor change the assessment facts (SPEC §12)
    kind = _kind(request)
    _, sop = active_sop(case.area)
    form = _form(request, case, sop, kind)
    return render(
        request,
        "web/assessment/_risk_preview.html",
        {"preview": _preview(case, sop, form, local_today(sop)), "current_level": case.risk_level},
    )
