"""Emergency cash pages (SPEC §8): a case's cash, the supervisor's queue, the agency's budgets.

Parse, call the same services as /api/v1/cash, render. Every limit and permission is checked
by fanous.referrals.services.cash; refusals are shown in the forms, nothing half-saved.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fanous.accounts.access import Actor, supervises
from fanous.accounts.permissions import Permission
from fanous.cases import selectors
from fanous.cases.services.common import local_today
from fanous.core.errors import ServiceError
from fanous.domain.errors import DomainError
from fanous.domain.referrals import CashStatus
from fanous.domain.sop.referrals import EmergencyCash
from fanous.domain.workflow import CaseStatus
from fanous.referrals.models import CashDisbursement, EmergencyBudget
from fanous.referrals.selectors import cash as sel
from fanous.referrals.services import cash as services
from fanous.sop.selectors import active_sop

from .forms_cash import BudgetForm, CashDecisionForm, CashRequestForm
from .views import actor_of
from .views_followup import error_context, error_status, lang, load

CASH_STATUS_CLASSES = {
    CashStatus.REQUESTED.value: "text-bg-warning",
    CashStatus.APPROVED.value: "text-bg-success",
    CashStatus.REJECTED.value: "text-bg-secondary",
}


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _policy_or_none(sop: Any) -> EmergencyCash | None:
    return sop.referrals.emergency_cash if sop and sop.referrals else None


def _purposes(policy: EmergencyCash | None) -> dict[str, str]:
    if policy is None:
        return {}
    code = lang()
    return {p.code: p.label.get(code) for p in policy.purposes}


def _show_refusal(form: Any, exc: ServiceError | DomainError) -> dict[str, Any]:
    """The refusal for the summary, and next to the field it is about."""
    error = error_context(exc)
    field = exc.params.get("field") if isinstance(exc, ServiceError) else None
    if isinstance(exc, DomainError) and exc.code == "cash_refused":
        field = "amount"
    if field in form.fields:
        form.add_error(field, " ".join(r["message"] for r in error["reasons"]) or error["message"])
        attrs = form.fields[field].widget.attrs
        attrs["class"] = (attrs.get("class", "") + " is-invalid").strip()
        attrs["aria-invalid"] = "true"
        attrs["aria-describedby"] = f"{form[field].auto_id}-error"
        error["field"] = field
    return error


def _status_label(code: str) -> str:
    try:
        return _(CashStatus(code).label)
    except ValueError:
        return code


def _item_rows(items: list[CashDisbursement], purposes: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {
            "item": i,
            "purpose": purposes.get(i.purpose, i.purpose),
            "status": _status_label(i.status),
            "status_class": CASH_STATUS_CLASSES.get(i.status, "text-bg-light"),
        }
        for i in items
    ]


# ---------------------------------------------------------------- a case's cash


@login_required
def case_cash(request: HttpRequest, case_id: UUID) -> HttpResponse:
    """The case's disbursements, its total against the SOP's limit, and a request form."""
    actor, case, data = load(request, case_id, "cash", change=False)
    sop = active_sop(case.area)[1]
    policy = _policy_or_none(sop)
    purposes = _purposes(policy)
    today = selectors.today_for(actor)
    can_request = (
        policy is not None
        and actor.can(Permission.CASE_EDIT)
        and CaseStatus(case.status).is_open
        and (case.caseworker_id == actor.id or supervises(actor, case.caseworker_id))
    )
    error = None
    status = 200
    form = CashRequestForm(policy=policy, lang=lang()) if policy else None
    if request.method == "POST" and policy is not None:
        form = CashRequestForm(request.POST, policy=policy, lang=lang())
        if form.is_valid():
            try:
                services.cash_request(
                    actor=actor,
                    case_id=case.pk,
                    record_id=form.cleaned_data["record_id"],
                    amount=form.cleaned_data["amount"],
                    purpose=form.cleaned_data["purpose"],
                    note=form.cleaned_data["note"],
                )
            except (ServiceError, DomainError) as exc:
                error, status = _show_refusal(form, exc), error_status(exc)
            else:
                messages.success(request, _("Emergency cash requested: your supervisor decides."))
                return HttpResponseRedirect(reverse("web:case_cash", args=[case.pk]))
        else:
            status = 422
    cash = sel.case_cash(case)
    fund = None
    if policy is not None:
        fund = (
            sel.with_balance(sel.budgets_in_force(case.agency_id, today))
            .filter(currency=policy.currency)
            .first()
        )
    left = max(policy.max_per_case - cash.approved, Decimal(0)) if policy else None
    return render(
        request,
        "web/cash/case.html",
        {
            "nav": "caseload",
            "case": case,
            "data": data,
            "policy": policy,
            "cash": cash,
            "rows": _item_rows(cash.items, purposes),
            "left_for_case": left,
            "used_percent": (
                min(100, int(cash.approved * 100 / policy.max_per_case)) if policy else 0
            ),
            "fund": fund,
            "form": form if can_request else None,
            "error": error,
        },
        status=status,
    )


# ---------------------------------------------------------------- supervisor's queue


def _approver(request: HttpRequest) -> Actor:
    """The queue does not exist for roles that cannot approve cash (need to know)."""
    actor = actor_of(request)
    if not actor.can(Permission.CASH_APPROVE):
        raise Http404
    return actor


def _pending_row(
    item: CashDisbursement,
    *,
    balance: Decimal,
    case_total: Decimal,
    policy: EmergencyCash | None,
    purposes: dict[str, str],
    form: CashDecisionForm | None = None,
    error: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "item": item,
        "purpose": purposes.get(item.purpose, item.purpose),
        "status": _status_label(item.status),
        "status_class": CASH_STATUS_CLASSES.get(item.status, "text-bg-light"),
        "balance_before": balance,
        "balance_after": balance - item.amount,
        "overspends": item.amount > balance,
        "case_total": case_total,
        "case_after": case_total + item.amount,
        "max_per_case": policy.max_per_case if policy else None,
        "over_case_limit": bool(policy and case_total + item.amount > policy.max_per_case),
        "form": form or CashDecisionForm(initial={"version": item.version}),
        "error": error,
    }


def _pending_rows(actor: Actor) -> list[dict[str, Any]]:
    policy = _policy_or_none(selectors.sop_of_actor(actor))
    purposes = _purposes(policy)
    return [
        _pending_row(
            i,
            balance=i.budget_balance,  # type: ignore[attr-defined]
            case_total=i.case_total,  # type: ignore[attr-defined]
            policy=policy,
            purposes=purposes,
        )
        for i in sel.cash_pending_for(actor=actor)[:200]
    ]


@login_required
def cash_approvals(request: HttpRequest) -> HttpResponse:
    """Emergency cash waiting for my decision, with the fund's balance before and after."""
    actor = _approver(request)
    return render(
        request,
        "web/cash/approvals.html",
        {"nav": "cash_approvals", "rows": _pending_rows(actor)},
    )


@login_required
def cash_pending(request: HttpRequest) -> HttpResponse:
    """The queue alone, to embed in another page (hx-get, hx-trigger="load")."""
    actor = _approver(request)
    return render(request, "web/cash/partials/_pending.html", {"rows": _pending_rows(actor)})


@login_required
@require_POST
def cash_decide(request: HttpRequest, item_id: UUID) -> HttpResponse:
    """Approve or reject one request. HTMX gets the row back; a plain POST is redirected."""
    actor = _approver(request)
    item = sel.cash_get(actor=actor, disbursement_id=item_id)
    form = CashDecisionForm(request.POST)
    error = None
    status = 200
    if form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            (services.cash_approve if approve else services.cash_reject)(
                actor=actor,
                disbursement_id=item.pk,
                expected_version=form.cleaned_data["version"],
                note=form.cleaned_data["note"],
            )
        except (ServiceError, DomainError) as exc:
            error, status = _show_refusal(form, exc), error_status(exc)
        else:
            if not _is_htmx(request):
                messages.success(
                    request,
                    _("Emergency cash approved.") if approve else _("Emergency cash refused."),
                )
                return HttpResponseRedirect(reverse("web:cash_approvals"))
    else:
        status = 422
        error = {"message": _("Choose approve or reject."), "reasons": [], "code": "invalid"}
    item = sel.cash_get(actor=actor, disbursement_id=item_id)
    policy = _policy_or_none(active_sop(item.case.area)[1])
    budget_balance = sel.budget_balance(item.budget)
    case_total = sel.case_cash_total(item.case_id)
    if item.status == CashStatus.APPROVED:
        # Show the balance as it was before this approval and after it.
        budget_balance += item.amount
        case_total -= item.amount
    row = _pending_row(
        item,
        balance=budget_balance,
        case_total=case_total,
        policy=policy,
        purposes=_purposes(policy),
        form=form if error else None,
        error=error,
    )
    if _is_htmx(request):
        # htmx swaps only 2xx answers: the refusal is in the row itself.
        return render(request, "web/cash/partials/_pending_row.html", {"row": row})
    return render(
        request,
        "web/cash/approvals.html",
        {"nav": "cash_approvals", "rows": [row], "error": error},
        status=status,
    )


# ---------------------------------------------------------------- agency budgets


def _budget_reader(request: HttpRequest) -> Actor:
    actor = actor_of(request)
    if not (actor.can(Permission.BUDGET_MANAGE) or actor.can(Permission.CASH_APPROVE)):
        raise Http404
    return actor


def _ledger_rows(budget: EmergencyBudget, purposes: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {"item": i, "purpose": purposes.get(i.purpose, i.purpose)}
        for i in sel.budget_ledger(budget)
    ]


@login_required
def budgets(request: HttpRequest) -> HttpResponse:
    """The agency's budgets (allocated, approved, pending, left) and one budget's ledger."""
    actor = _budget_reader(request)
    manage = actor.can(Permission.BUDGET_MANAGE)
    sop = selectors.sop_of_actor(actor)
    policy = _policy_or_none(sop)
    error = None
    status = 200
    form = None
    if manage:
        today = local_today(sop) if sop else selectors.today_for(actor)
        form = BudgetForm(
            initial={
                "name": _("Emergency fund %(year)s") % {"year": today.year},
                "starts_on": today.replace(month=1, day=1),
                "ends_on": today.replace(month=12, day=31),
            }
        )
    if request.method == "POST":
        if not manage:
            raise Http404
        form = BudgetForm(request.POST)
        if form.is_valid():
            try:
                budget, _created = services.budget_create(
                    actor=actor,
                    record_id=form.cleaned_data["record_id"],
                    name=form.cleaned_data["name"],
                    currency=policy.currency if policy else "",
                    amount=form.cleaned_data["amount"],
                    starts_on=form.cleaned_data["starts_on"],
                    ends_on=form.cleaned_data["ends_on"],
                )
            except (ServiceError, DomainError) as exc:
                error, status = _show_refusal(form, exc), error_status(exc)
            else:
                messages.success(request, _("Budget opened."))
                return HttpResponseRedirect(f"{reverse('web:cash_budgets')}?budget={budget.pk}")
        else:
            status = 422
    rows = list(sel.budget_list_for(actor=actor))
    chosen = None
    wanted = request.GET.get("budget", "")
    for b in rows:
        if str(b.pk) == wanted:
            chosen = b
    if chosen is None and rows:
        chosen = rows[0]
    return render(
        request,
        "web/cash/budgets.html",
        {
            "nav": "cash_budgets",
            "budgets": rows,
            "chosen": chosen,
            "ledger": _ledger_rows(chosen, _purposes(policy)) if chosen else [],
            "policy": policy,
            "form": form,
            "error": error,
            "manage": manage,
        },
        status=status,
    )


@login_required
def budget_edit(request: HttpRequest, budget_id: UUID) -> HttpResponse:
    """Change a budget's name, amount, period or whether it takes new requests."""
    actor = actor_of(request)
    if not actor.can(Permission.BUDGET_MANAGE):
        raise Http404
    budget = sel.budget_get(actor=actor, budget_id=budget_id)
    error = None
    status = 200
    form = BudgetForm(
        initial={
            "version": budget.version,
            "name": budget.name,
            "amount": budget.amount,
            "starts_on": budget.starts_on,
            "ends_on": budget.ends_on,
            "is_active": budget.is_active,
        }
    )
    if request.method == "POST":
        form = BudgetForm(request.POST)
        if form.is_valid():
            try:
                services.budget_update(
                    actor=actor,
                    budget_id=budget.pk,
                    expected_version=form.cleaned_data["version"] or 0,
                    name=form.cleaned_data["name"],
                    amount=form.cleaned_data["amount"],
                    starts_on=form.cleaned_data["starts_on"],
                    ends_on=form.cleaned_data["ends_on"],
                    is_active=form.cleaned_data["is_active"],
                )
            except (ServiceError, DomainError) as exc:
                error, status = _show_refusal(form, exc), error_status(exc)
            else:
                messages.success(request, _("Budget saved."))
                return HttpResponseRedirect(f"{reverse('web:cash_budgets')}?budget={budget.pk}")
        else:
            status = 422
    return render(
        request,
        "web/cash/budget_edit.html",
        {"nav": "cash_budgets", "budget": budget, "form": form, "error": error},
        status=status,
    )
