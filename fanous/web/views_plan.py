"""The case plan editor (SPEC §7): goals and actions, views, the safety plan; submit.

Parse, call the services, render. Whether the plan may be submitted (safety plan, the
supervisor's discussion of a high-risk case...) is decided by the domain; the page shows its
reasons.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from fanous.cases import selectors, services
from fanous.cases.models import CasePlan, PlanGoal
from fanous.cases.presenters import case_out
from fanous.cases.services.plan import EDITABLE_STATUSES
from fanous.core.errors import ServiceError
from fanous.domain.errors import DomainError
from fanous.domain.sop import RiskLevel
from fanous.domain.workflow import TRANSITIONS, Action, CaseStatus

from .forms_assessment import (
    GoalRow,
    PlanForm,
    apply_row_op,
    blank_goal,
    drop_blank_rows,
    goal_forms,
    rows_from_plan,
    rows_from_post,
)
from .views import actor_of
from .views_access import case_for_change
from .views_assessment import form_error

# Plans shown for editing: a draft, one returned for changes, or the approved one to revise.
EDITABLE_PLAN_STATUSES = (
    CasePlan.Status.DRAFT,
    CasePlan.Status.REJECTED,
    CasePlan.Status.APPROVED,
)


def _plan_data(form: PlanForm, goals: list[GoalRow]) -> services.PlanData:
    return services.PlanData(
        goals=tuple(
            services.GoalData(
                horizon=g.form.cleaned_data["horizon"],
                kind=g.form.cleaned_data["kind"],
                description=g.form.cleaned_data["description"],
                actions=tuple(
                    services.ActionData(
                        description=a.cleaned_data["description"],
                        responsible=a.cleaned_data["responsible"],
                        due_on=a.cleaned_data["due_on"],
                        service_type=a.cleaned_data["service_type"] or "",
                    )
                    for _j, a in g.actions
                ),
            )
            for g in goals
        ),
        **{name: form.cleaned_data[name] for name in PlanForm.VIEW_FIELDS + PlanForm.SAFETY_FIELDS},
    )


def _forms_valid(form: PlanForm, goals: list[GoalRow]) -> bool:
    ok = form.is_valid()
    for g in goals:
        ok = g.form.is_valid() and ok
        for _j, a in g.actions:
            ok = a.is_valid() and ok
    return ok


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, case_id: UUID) -> HttpResponse:
    """Write the case plan; save a draft or submit it to the supervisor (SPEC §7)."""
    actor = actor_of(request)
    case, refusal = case_for_change(request, actor, case_id, "plan")
    if refusal is not None:
        return refusal  # a share or break-glass access only reads (SPEC §12)
    status = CaseStatus(case.status)
    error: dict[str, Any] | None = None
    invalid = False
    focus = ""
    if request.method == "POST":
        op = request.POST.get("op", "save")
        form = PlanForm(request.POST)
        rows = rows_from_post(request.POST)
        if op in ("save", "submit"):
            goals = goal_forms(drop_blank_rows(rows), bound=True)
            invalid = not _forms_valid(form, goals)
            if not invalid:
                try:
                    # Submitting sends what is on the screen (saved and submitted together).
                    write = (
                        services.plan_save_and_submit
                        if op == "submit"
                        else (services.plan_save_draft)
                    )
                    write(
                        actor=actor,
                        case_id=case.pk,
                        expected_version=form.cleaned_data["version"],
                        data=_plan_data(form, goals),
                    )
                except (ServiceError, DomainError) as exc:
                    error = form_error(None, exc)
                else:
                    if op == "submit":
                        messages.success(
                            request, gettext("The case plan was sent to the supervisor.")
                        )
                        return redirect("web:case_detail", case_id=case.pk)
                    messages.success(request, gettext("The draft case plan was saved."))
                    return redirect("web:plan_edit", case_id=case.pk)
            if not goals:
                goals = goal_forms([blank_goal()], bound=False)
            case = selectors.case_get(actor=actor, case_id=case_id)
        else:
            rows, focus = apply_row_op(rows, op)
            goals = goal_forms(rows, bound=False)
    else:
        data = case_out(case, actor)
        plan = data["plan"]
        if plan and plan["status"] not in EDITABLE_PLAN_STATUSES + (CasePlan.Status.SUBMITTED,):
            plan = None
        initial: dict[str, Any] = {"version": case.version}
        if plan:
            initial.update({n: plan[n] for n in PlanForm.VIEW_FIELDS + PlanForm.SAFETY_FIELDS})
        form = PlanForm(initial=initial)
        goals = goal_forms(rows_from_plan(plan), bound=False)

    data = case_out(case, actor)
    high = data["risk"]["level"] == RiskLevel.HIGH
    if high:
        for name in PlanForm.SAFETY_FIELDS:
            form.fields[name].widget.attrs["aria-required"] = "true"
    plan = data["plan"]
    submittable = any((status, a) in TRANSITIONS for a in (Action.SUBMIT_PLAN, Action.REVISE_PLAN))
    return render(
        request,
        "web/assessment/plan.html",
        {
            "nav": "caseload",
            "case": case,
            "data": data,
            "form": form,
            "goals": goals,
            "focus": focus,
            "error": error,
            "high": high,
            "editable": status in EDITABLE_STATUSES,
            "submittable": submittable,
            "discussion_needed": high and not data["risk"]["high_risk_discussed_at"],
            "plan_status": str(CasePlan.Status(plan["status"]).label) if plan else "",
            "today": selectors.today_for(actor),
            "goal_count": len(goals),
            "invalid": invalid,
            "horizons": PlanGoal.Horizon.choices,
            "kinds": PlanGoal.Kind.choices,
        },
        status=422 if error or invalid else 200,
    )
