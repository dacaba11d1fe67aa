"""Supervisor pages: approvals queue, decisions, team overview, reassignment (SPEC §1, §7, §9).

Buttons follow the workflow's allowed actions; the services refuse whoever may not decide.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from fanous.accounts.access import Actor
from fanous.accounts.permissions import Permission
from fanous.cases import queues, selectors, services
from fanous.core.errors import ServiceError
from fanous.domain import timeframes as tf
from fanous.domain.errors import DomainError
from fanous.domain.workflow import Action, CaseStatus
from fanous.sop.selectors import active_sop

from .forms_followup import AssignForm, DecisionForm
from .views import actor_of
from .views_followup import (
    _flag_label,
    _reason_label,
    case_url,
    error_context,
    error_status,
    load,
)


def _supervisor(request: HttpRequest) -> Actor:
    """Supervisor-only pages do not exist for other roles (need to know)."""
    actor = actor_of(request)
    if not actor.can(Permission.PLAN_APPROVE):
        raise Http404
    return actor


@login_required
def approvals(request: HttpRequest) -> HttpResponse:
    """Plans and closure requests of my team: high risk first, then the longest waiting."""
    actor = _supervisor(request)
    today = selectors.today_for(actor)
    rows = [
        {
            "case": c,
            "age": tf.age_on(c.child.birth_date, today),
            "subject": "closure" if c.status == CaseStatus.CLOSURE_REQUESTED else "plan",
        }
        for c in queues.approvals_for(actor=actor)[:200]
    ]
    return render(request, "web/followup/approvals.html", {"nav": "approvals", "rows": rows})


@login_required
def decision(request: HttpRequest, case_id: UUID) -> HttpResponse:
    """The plan or the closure request, with Approve / Return for its supervisor."""
    actor, case, data = load(request, case_id, "decision")
    error = None
    status = 200
    form = DecisionForm(initial={"version": data["version"]})
    if request.method == "POST":
        form = DecisionForm(request.POST)
        if form.is_valid():
            subject = form.cleaned_data["subject"]
            approve = form.cleaned_data["decision"] == "approve"
            kwargs = {
                "actor": actor,
                "case_id": case.pk,
                "expected_version": form.cleaned_data["version"],
                "note": form.cleaned_data["note"],
            }
            try:
                if subject == "plan":
                    (services.plan_approve if approve else services.plan_reject)(**kwargs)
                else:
                    (services.closure_approve if approve else services.closure_reject)(**kwargs)
            except (ServiceError, DomainError) as exc:
                error, status = error_context(exc), error_status(exc)
                error["field"] = "note" if getattr(exc, "code", "") == "reason_required" else ""
            else:
                done = {
                    ("plan", True): _("Case plan approved."),
                    ("plan", False): _("Case plan returned to the caseworker."),
                    ("closure", True): _("Closure approved: the case is closed."),
                    ("closure", False): _("Closure refused: the case stays open."),
                }[(subject, approve)]
                messages.success(request, done)
                if actor.can(Permission.PLAN_APPROVE):
                    return HttpResponseRedirect(reverse("web:approvals"))
                return HttpResponseRedirect(case_url(case.pk))
        else:
            status = 422
    _row, sop = active_sop(case.area)
    closure = data["closure_request"]
    allowed = set(data["allowed_actions"])
    return render(
        request,
        "web/followup/decision.html",
        {
            "nav": "approvals",
            "case": case,
            "data": data,
            "form": form,
            "error": error,
            "can_decide_plan": Action.APPROVE_PLAN in allowed or Action.REJECT_PLAN in allowed,
            "can_decide_closure": (
                Action.APPROVE_CLOSURE in allowed or Action.REJECT_CLOSURE in allowed
            ),
            "closure_reason": _reason_label(sop, closure["reason"]) if closure else "",
            "closure_flags": [_flag_label(sop, f) for f in closure["flags"]] if closure else [],
        },
        status=status,
    )


@login_required
def team(request: HttpRequest) -> HttpResponse:
    """My team's caseload per caseworker (SPEC §12: caseload against the staffing ratio)."""
    actor = _supervisor(request)
    today = selectors.today_for(actor)
    rows = queues.team_overview(actor=actor, today=today)
    max_cases = None
    agency = actor.user.agency
    if agency is not None and agency.area is not None:
        max_cases = active_sop(agency.area)[1].staffing.max_cases_per_caseworker
    return render(
        request,
        "web/followup/team.html",
        {"nav": "team", "rows": rows, "max_cases": max_cases},
    )


@login_required
def case_assign(request: HttpRequest, case_id: UUID) -> HttpResponse:
    """Reassign the case to another caseworker of the supervisor's team."""
    actor, case, data = load(request, case_id, "assign")
    choices: list[tuple[int, str]] = [
        (u.pk, u.get_full_name() or u.username) for u in queues.team_caseworkers(actor=actor)
    ]
    error = None
    status = 200
    if request.method == "POST":
        form = AssignForm(request.POST, choices=choices)
        if form.is_valid():
            try:
                services.case_assign(
                    actor=actor,
                    case_id=case.pk,
                    expected_version=form.cleaned_data["version"],
                    caseworker_id=form.cleaned_data["caseworker"],
                )
            except (ServiceError, DomainError) as exc:
                error, status = error_context(exc), error_status(exc)
            else:
                messages.success(request, _("Case reassigned."))
                return HttpResponseRedirect(case_url(case.pk))
        else:
            status = 422
    else:
        form = AssignForm(
            initial={"version": data["version"], "caseworker": case.caseworker_id},
            choices=choices,
        )
    context: dict[str, Any] = {
        "nav": "caseload",
        "case": case,
        "data": data,
        "form": form,
        "error": error,
        "choices": choices,
    }
    return render(request, "web/followup/assign.html", context, status=status)
