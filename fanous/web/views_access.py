"""Who else may read a case (SPEC §1, §12): the access page of a case (live and past
shares and break-glass accesses, the share form, revocation) and the break-glass page.

Parse the form, call the service the API calls (case_share, grant_revoke, break_glass),
render. A grant gives read access only: :func:`read_only_refusal` keeps grantees out of
the pages that change a case.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from fanous.accounts.access import Actor, cases_visible_to, in_scope
from fanous.cases import selectors as case_selectors
from fanous.cases.models import Case
from fanous.cases.presenters import case_out
from fanous.core.errors import ServiceError, error_payload
from fanous.domain.roles import Role
from fanous.protection import selectors, services
from fanous.sop.selectors import active_sop

from .views import actor_of


def read_only_refusal(request: HttpRequest, actor: Actor, case: Case) -> HttpResponse | None:
    """A 403 page when the actor reads the case only through a share or a break-glass
    access (grants never allow changes); None when the case is in their own scope."""
    if in_scope(actor, case):
        return None
    payload = {
        "code": "read_only_access",
        "message": gettext(
            "You can read this case because it was shared with you, but only its caseworker "
            "and their supervisor can change it."
        ),
        "reasons": [],
    }
    return render(request, "web/error.html", {"error": payload}, status=403)


def case_for_change(
    request: HttpRequest, actor: Actor, case_id: UUID, section: str
) -> tuple[Case, HttpResponse | None]:
    """The case behind a page that changes it: 404 outside the actor's sight, the 403 page
    of :func:`read_only_refusal` for a grantee, and opening the page (GET) is an audited
    read of ``section`` (SPEC §12: every access to a case is traceable)."""
    case = case_selectors.case_get(actor=actor, case_id=case_id)
    refusal = read_only_refusal(request, actor, case)
    if refusal is None and request.method == "GET":
        case_selectors.audit_case_read(actor, case, section)
    return case, refusal


class ShareForm(forms.Form):
    user = forms.TypedChoiceField(label=gettext_lazy("Colleague"), coerce=int, choices=())
    until = forms.DateField(
        label=gettext_lazy("Until (last day)"),
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=2000,
        help_text=gettext_lazy("For example: cover during annual leave. Kept in the audit log."),
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )
    include_sensitive = forms.BooleanField(
        label=gettext_lazy("Include sensitive sections"),
        required=False,
        help_text=gettext_lazy(
            "Sexual violence, association with armed groups, trafficking and health. "
            "Only the case's supervisor can share them."
        ),
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args: Any, colleagues: Any, allow_sensitive: bool, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["user"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "—")] + [
            (u.pk, f"{u.get_full_name() or u.username} ({u.get_role_display()})")
            for u in colleagues
        ]
        field.widget.attrs["class"] = "form-select"
        if not allow_sensitive:
            del self.fields["include_sensitive"]


class BreakGlassForm(forms.Form):
    case_number = forms.CharField(
        label=gettext_lazy("Case number"),
        max_length=40,
        widget=forms.TextInput(attrs={"class": "form-control", "dir": "ltr"}),
    )
    reason = forms.CharField(
        label=gettext_lazy("Why do you need emergency access?"),
        max_length=2000,
        help_text=gettext_lazy(
            "At least 20 characters. Kept in the audit log; the case's caseworker and "
            "supervisor are told at once."
        ),
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )


def _flag(form: forms.Form) -> None:
    for name in form.errors:
        if name in form.fields:
            widget = form.fields[name].widget
            widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"
            widget.attrs["aria-invalid"] = "true"
            widget.attrs["aria-describedby"] = f"{name}-error"


def _refusal(form: forms.Form, exc: ServiceError) -> dict[str, Any]:
    payload = error_payload(exc)
    field = {
        "reason_required": "reason",
        "date_past": "until",
        "share_too_long": "until",
        "share_not_colleague": "user",
        "share_not_needed": "user",
        "not_needed": "case_number",
    }.get(payload["code"])
    if field and field in form.fields:
        form.add_error(field, payload["message"])
        payload["on_field"] = True
    return payload


@login_required
@require_http_methods(["GET", "POST"])
def case_access(request: HttpRequest, case_id: UUID) -> HttpResponse:
    """Who may read the case besides its team; the share form for its caseworker and
    supervisor."""
    actor = actor_of(request)
    case = case_selectors.case_get(actor=actor, case_id=case_id)
    may = selectors.may_manage(actor, case)
    _, sop = active_sop(case.area)
    today = case_selectors.today_for(actor)
    max_days = services.share_max_days(sop)
    form = None
    error = None
    status = 200
    if may["share"]:
        form = ShareForm(
            request.POST if request.method == "POST" else None,
            colleagues=selectors.share_candidates(actor=actor, case=case),
            allow_sensitive=may["share_sensitive"],
            initial={"until": today + timedelta(days=min(7, max_days))},
        )
        if request.method == "POST" and form.is_valid():
            try:
                services.case_share(
                    actor=actor,
                    case_id=case.pk,
                    user_id=form.cleaned_data["user"],
                    reason=form.cleaned_data["reason"],
                    until=form.cleaned_data["until"],
                    include_sensitive=bool(form.cleaned_data.get("include_sensitive")),
                )
            except ServiceError as exc:
                error = _refusal(form, exc)
            else:
                messages.success(request, gettext("The case was shared."))
                return redirect("web:case_access", case_id=case.pk)
        if request.method == "POST":
            status = 422
        _flag(form)
    elif request.method == "POST":
        error = {
            "code": "not_assigned",
            "message": gettext(
                "Only the assigned caseworker or their supervisor can share this case."
            ),
        }
        status = 403
    grants = selectors.grants_listed(actor=actor, case_id=case.pk)
    return render(
        request,
        "web/access/case_access.html",
        {
            "nav": "caseload",
            "case": case,
            "data": case_out(case, actor),
            "grants": grants,
            "form": form,
            "error": error,
            "may": may,
            "max_days": max_days,
            "is_lead": may["share"],
        },
        status=status,
    )


@login_required
@require_POST
def grant_revoke(request: HttpRequest, case_id: UUID, grant_id: UUID) -> HttpResponse:
    actor = actor_of(request)
    try:
        services.grant_revoke(actor=actor, case_id=case_id, grant_id=grant_id)
    except ServiceError as exc:
        payload = error_payload(exc)
        return render(request, "web/error.html", {"error": payload}, status=exc.status)
    messages.success(request, gettext("The access was ended."))
    if cases_visible_to(actor).filter(pk=case_id).exists():
        return redirect("web:case_access", case_id=case_id)
    return redirect("web:caseload")


@login_required
@require_http_methods(["GET", "POST"])
def break_glass(request: HttpRequest) -> HttpResponse:
    """A supervisor's emergency access to a case of their agency they cannot see."""
    actor = actor_of(request)
    if actor.role != Role.SUPERVISOR:
        payload = {
            "code": "role_not_allowed",
            "message": gettext("Only a supervisor can use emergency access."),
            "reasons": [],
        }
        return render(request, "web/error.html", {"error": payload}, status=403)
    form = BreakGlassForm(request.POST if request.method == "POST" else None)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            grant = services.break_glass(
                actor=actor,
                case_number=form.cleaned_data["case_number"],
                reason=form.cleaned_data["reason"],
            )
        except ServiceError as exc:
            error = _refusal(form, exc)
        else:
            return redirect("web:case_detail", case_id=grant.case_id)
    _flag(form)
    sop = case_selectors.sop_of_actor(actor)
    hours = (
        sop.data_protection.break_glass_hours
        if sop and sop.data_protection
        else services.DEFAULT_BREAK_GLASS_HOURS
    )
    return render(
        request,
        "web/access/break_glass.html",
        {"nav": "caseload", "form": form, "error": error, "hours": hours},
        status=422 if request.method == "POST" else 200,
    )
