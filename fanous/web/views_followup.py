"""Follow-up, review and closure pages (SPEC §8, §9): parse, call the service, render.

No rule lives here: the services decide, and their refusals are shown in the form.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from fanous.accounts.access import Actor, in_scope
from fanous.accounts.permissions import Permission
from fanous.cases import selectors, services
from fanous.cases.models import Case, ClosureRequest, FollowUp, Review
from fanous.cases.presenters import case_out
from fanous.core.errors import ConflictError, ServiceError, error_payload
from fanous.domain import timeframes as tf
from fanous.domain.errors import DomainError
from fanous.domain.sop import RiskLevel, Sop
from fanous.domain.workflow import CaseStatus
from fanous.sop.selectors import active_sop

from .forms_followup import (
    CHECK_ANSWER_LABELS,
    CHECK_LABELS,
    PHASE_LABELS,
    ClosureForm,
    FollowUpForm,
    ReviewForm,
)
from .views import actor_of


def lang() -> str:
    return (get_language() or "ar").split("-")[0]


def error_context(exc: ServiceError | DomainError) -> dict[str, Any]:
    """The refusal as the form shows it; a stale version says "reload", never overwrites."""
    payload = error_payload(exc)
    payload["stale"] = isinstance(exc, ConflictError) and exc.code == ConflictError.code
    return payload


def error_status(exc: ServiceError | DomainError) -> int:
    return exc.status if isinstance(exc, ServiceError) else 422


def load(
    request: HttpRequest, case_id: UUID, section: str, *, change: bool = True
) -> tuple[Actor, Case, dict[str, Any]]:
    """The case (404 for whoever may not see it) and the API's view of it. Opening the page
    (GET) is an audited read of ``section``; a page that changes the case is refused (403)
    to a colleague who reads it through a share or break-glass access (SPEC §12)."""
    actor = actor_of(request)
    case = selectors.case_get(actor=actor, case_id=case_id)
    if change and not in_scope(actor, case):
        raise PermissionDenied
    if request.method == "GET":
        selectors.audit_case_read(actor, case, section)
    return actor, case, case_out(case, actor)


def case_url(case_id: UUID) -> str:
    return reverse("web:case_detail", args=[case_id])


def _base(case: Case, data: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"nav": "caseload", "case": case, "data": data, **extra}


def _follow_ups(case: Case) -> list[dict[str, Any]]:
    rows = []
    for fu in (
        FollowUp.objects.filter(case=case)
        .select_related("recorded_by")
        .order_by("-happened_on", "-created_at")
    ):
        rows.append(
            {
                "fu": fu,
                "checks": [
                    {
                        "code": code,
                        "label": CHECK_LABELS.get(code, code),
                        "value": value,
                        "answer": CHECK_ANSWER_LABELS.get(value, value),
                    }
                    for code, value in fu.checks.items()
                ],
            }
        )
    return rows


# ---------------------------------------------------------------- follow-up


@login_required
def follow_up_new(request: HttpRequest, case_id: UUID) -> HttpResponse:
    """Record a follow-up contact; the next due date moves on from it (SPEC §8)."""
    actor, case, data = load(request, case_id, "follow_up")
    today = selectors.today_for(actor)
    error = None
    status = 200
    if request.method == "POST":
        form = FollowUpForm(request.POST)
        if form.is_valid():
            try:
                services.follow_up_record(
                    actor=actor,
                    case_id=case.pk,
                    record_id=form.cleaned_data["record_id"],
                    kind=form.cleaned_data["kind"],
                    happened_on=form.cleaned_data["happened_on"],
                    child_seen=form.cleaned_data["child_seen"],
                    checks=form.checks(),
                    notes=form.cleaned_data["notes"],
                )
            except (ServiceError, DomainError) as exc:
                error, status = error_context(exc), error_status(exc)
            else:
                messages.success(request, _("Follow-up recorded."))
                return HttpResponseRedirect(case_url(case.pk))
        else:
            status = 422
    else:
        form = FollowUpForm(initial={"happened_on": today, "kind": FollowUp.Kind.HOME_VISIT})
    return render(
        request,
        "web/followup/follow_up_form.html",
        _base(
            case,
            data,
            form=form,
            error=error,
            today=today,
            phase_label=PHASE_LABELS.get(data["deadlines"]["follow_up_phase"], ""),
            follow_ups=_follow_ups(case)[:5],
        ),
        status=status,
    )


@login_required
def follow_up_list(request: HttpRequest, case_id: UUID) -> HttpResponse:
    """Everything done since the plan: follow-ups, reviews and closure requests."""
    _actor, case, data = load(request, case_id, "follow_ups", change=False)
    _row, sop = active_sop(case.area)
    closures = [
        {"req": req, "reason": _reason_label(sop, req.reason)}
        for req in ClosureRequest.objects.filter(case=case)
        .select_related("requested_by", "decided_by")
        .order_by("-created_at")
    ]
    return render(
        request,
        "web/followup/follow_up_list.html",
        _base(
            case,
            data,
            follow_ups=_follow_ups(case),
            reviews=Review.objects.filter(case=case)
            .select_related("recorded_by")
            .order_by("-held_on", "-created_at"),
            closures=closures,
            phase_labels=PHASE_LABELS,
        ),
    )


# ---------------------------------------------------------------- review


def _review_kinds(actor: Actor) -> list[tuple[str, Any]]:
    # Only a supervisor records a supervision discussion (the service says so too); the
    # caseworker is not offered a choice that would be refused.
    kinds = [(k.value, k.label) for k in Review.Kind]
    if not actor.can(Permission.PLAN_APPROVE):
        kinds = [k for k in kinds if k[0] != Review.Kind.SUPERVISION]
    return kinds


@login_required
def review_new(request: HttpRequest, case_id: UUID) -> HttpResponse:
    """A case review, case conference or supervision discussion (SPEC §4, §8)."""
    actor, case, data = load(request, case_id, "review")
    today = selectors.today_for(actor)
    kinds = _review_kinds(actor)
    error = None
    status = 200
    if request.method == "POST":
        form = ReviewForm(request.POST, kinds=kinds)
        if form.is_valid():
            try:
                services.review_record(
                    actor=actor,
                    case_id=case.pk,
                    record_id=form.cleaned_data["record_id"],
                    kind=form.cleaned_data["kind"],
                    held_on=form.cleaned_data["held_on"],
                    summary=form.cleaned_data["summary"],
                    decisions=form.cleaned_data["decisions"],
                    participants=form.cleaned_data["participants"],
                    follow_up_phase=form.cleaned_data["follow_up_phase"],
                )
            except (ServiceError, DomainError) as exc:
                error, status = error_context(exc), error_status(exc)
            else:
                messages.success(request, _("Review recorded."))
                return HttpResponseRedirect(case_url(case.pk))
        else:
            status = 422
    else:
        wanted = request.GET.get("kind", "")
        kind = wanted if wanted in dict(kinds) else kinds[0][0]
        form = ReviewForm(initial={"held_on": today, "kind": kind}, kinds=kinds)
    return render(
        request,
        "web/followup/review_form.html",
        _base(
            case,
            data,
            form=form,
            error=error,
            needs_discussion=_needs_discussion(data),
        ),
        status=status,
    )


def _needs_discussion(data: dict[str, Any]) -> bool:
    """A high-risk case not yet discussed with the supervisor (SPEC §4): shown, not enforced."""
    return (
        data["risk"]["level"] == RiskLevel.HIGH
        and not data["risk"]["high_risk_discussed_at"]
        and CaseStatus(data["status"]).is_open
    )


# ---------------------------------------------------------------- closure


def _reason_label(sop: Sop, code: str) -> str:
    reason = sop.closure.reason(code)
    return reason.label.get(lang()) if reason else code


def _flag_label(sop: Sop, code: str) -> str:
    flag = next((f for f in sop.closure.flags if f.code == code), None)
    return flag.label.get(lang()) if flag else code


def closure_reasons(sop: Sop, *, turns_18_soon: bool) -> list[dict[str, Any]]:
    """Each SOP closure reason with the conditions it needs, in the user's language."""
    rows = []
    for r in sop.closure.reasons:
        conditions: list[dict[str, Any]] = []
        if r.min_age is not None:
            conditions.append(
                {"code": "min_age", "text": _("From age %(age)s") % {"age": r.min_age}}
            )
        if r.max_age_exclusive is not None:
            conditions.append(
                {
                    "code": "max_age",
                    "text": _("Below age %(age)s") % {"age": r.max_age_exclusive},
                }
            )
        for flag in r.requires_flags:
            conditions.append(
                {
                    "code": "flag",
                    "text": _("Checked: %(check)s") % {"check": _flag_label(sop, flag)},
                }
            )
        if r.max_risk_level is not None:
            conditions.append(
                {
                    "code": "max_risk",
                    "text": _("Risk level %(level)s or lower")
                    % {"level": _(r.max_risk_level.label)},
                }
            )
        if r.requires_plan_completed:
            conditions.append(
                {"code": "plan_completed", "text": _("Every case plan action done or cancelled")}
            )
        elif r.requires_approved_plan:
            conditions.append({"code": "plan_approved", "text": _("An approved case plan")})
        if r.requires_transition_plan and turns_18_soon:
            conditions.append({"code": "transition_plan", "text": _("A transition plan")})
        rows.append(
            {
                "code": r.code,
                "label": r.label.get(lang()),
                "conditions": conditions,
                "min_age": r.min_age,
                "max_age": r.max_age_exclusive,
            }
        )
    return rows


@login_required
def closure_new(request: HttpRequest, case_id: UUID) -> HttpResponse:
    """The caseworker proposes closure against the SOP's criteria (SPEC §9)."""
    actor, case, data = load(request, case_id, "closure")
    _row, sop = active_sop(case.area)
    today = selectors.today_for(actor)
    turns_18_soon = tf.turns_18_within(
        case.child.birth_date, today, sop.closure.transition_planning_months
    )
    error = None
    status = 200
    if request.method == "POST":
        form = ClosureForm(request.POST, sop=sop, lang=lang())
        if form.is_valid():
            try:
                services.closure_request(
                    actor=actor,
                    case_id=case.pk,
                    expected_version=form.cleaned_data["version"],
                    reason=form.cleaned_data["reason"],
                    flags=list(form.cleaned_data["flags"]),
                    justification=form.cleaned_data["justification"],
                    transition_plan=form.cleaned_data["transition_plan"],
                )
            except (ServiceError, DomainError) as exc:
                error, status = error_context(exc), error_status(exc)
            else:
                messages.success(
                    request, _("Closure requested. The supervisor reviews it and decides.")
                )
                return HttpResponseRedirect(case_url(case.pk))
        else:
            status = 422
    else:
        form = ClosureForm(initial={"version": data["version"]}, sop=sop, lang=lang())
    return render(
        request,
        "web/followup/closure_form.html",
        _base(
            case,
            data,
            form=form,
            error=error,
            reasons=closure_reasons(sop, turns_18_soon=turns_18_soon),
            flags=[(f.code, f.label.get(lang())) for f in sop.closure.flags],
            selected_reason=form["reason"].value() or "",
            selected_flags=set(form["flags"].value() or []),
            turns_18_soon=turns_18_soon,
            months=sop.closure.transition_planning_months,
        ),
        status=status,
    )
