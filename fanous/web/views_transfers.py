"""Transfer of a case to another agency (SPEC §9, §10): the request form from the case page,
the sending supervisor's approval, the receiving supervisor's inbox (accept and assign, or
decline), and the sending agency's read-only record once the case has left.

The views parse and render; fanous.referrals.services.transfers decides. What the
receiving agency may read before it accepts is decided by the selector's transfer_view.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fanous.accounts.access import Actor
from fanous.accounts.permissions import Permission
from fanous.audit.models import Event
from fanous.cases.presenters import case_out
from fanous.core.errors import ServiceError
from fanous.domain.errors import DomainError
from fanous.domain.referrals import TransferAction, TransferStatus
from fanous.referrals.models import CaseTransfer
from fanous.referrals.selectors import transfers as sel
from fanous.referrals.services import transfers as svc

from .forms_followup import MarkedForm
from .views import actor_of
from .views_access import case_for_change
from .views_followup import error_context, error_status

TEXT = {"class": "form-control"}


class TransferRequestForm(MarkedForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    to_agency = forms.ChoiceField(
        label=gettext_lazy("Receiving agency"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    reason = forms.CharField(
        label=gettext_lazy("Why transfer the case"),
        max_length=4000,
        widget=forms.Textarea(attrs={**TEXT, "rows": 3}),
    )
    note_to_receiver = forms.CharField(
        label=gettext_lazy("Note to the receiving agency"),
        max_length=2000,
        widget=forms.Textarea(attrs={**TEXT, "rows": 3}),
    )
    override_reason = forms.CharField(
        label=gettext_lazy("Best-interests or safety ground (without consent)"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={**TEXT, "rows": 2}),
    )

    def __init__(self, *args: Any, agencies: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field = self.fields["to_agency"]
        assert isinstance(choice_field, forms.ChoiceField)
        choice_field.choices = [("", "—"), *agencies]


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class ReasonForm(MarkedForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={**TEXT, "rows": 2}),
    )


class AcceptForm(MarkedForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    caseworker = forms.TypedChoiceField(
        label=gettext_lazy("Assign to"),
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["caseworker"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", _("Nobody yet: the case waits in the intake queue")), *choices]


def _lang() -> str:
    return (get_language() or "ar")[:2]


def _shown(view: dict[str, Any]) -> dict[str, Any]:
    """Labels and dates for the templates (the selector's view holds codes and ISO text)."""
    view["status_label"] = _(TransferStatus(view["status"]).label)
    snap = view.get("snapshot") or {}
    view["snapshot_dates"] = {
        k: parse_datetime(snap[k]) for k in ("identified_at", "registered_at") if snap.get(k)
    }
    for e in view.get("history") or []:
        try:
            e["label"] = Event.Action(e["action"]).label
        except ValueError:
            e["label"] = e["action"]
        status = (e.get("changes") or {}).get("status")
        if e["object_type"] == CaseTransfer._meta.label_lower and status:
            # A transfer's own status, not the case's step.
            e["transfer_status"] = _(TransferStatus(status[1]).label)
    return view


def detail_url(transfer_id: UUID) -> str:
    return reverse("web:transfer_detail", args=[transfer_id])


@login_required
def transfer_new(request: HttpRequest, case_id: UUID) -> HttpResponse:
    """The case team asks to transfer the case to another agency."""
    actor = actor_of(request)
    case, refusal = case_for_change(request, actor, case_id, "transfer_new")
    if refusal is not None:
        return refusal  # a share or break-glass access only reads (SPEC §12)
    data = case_out(case, actor)
    pending = sel.pending_transfer_of(actor=actor, case_id=case.pk)
    agencies = [
        (str(a.pk), f"{a.name(_lang())} ({a.code})")
        for a in sel.agencies_to_transfer_to(case_agency_id=case.agency_id)
    ]
    has_consent = sel.information_sharing_consent(case)
    error = None
    status = 200
    if request.method == "POST":
        form = TransferRequestForm(request.POST, agencies=agencies)
        if form.is_valid():
            try:
                transfer = svc.transfer_request(
                    actor=actor,
                    case_id=case.pk,
                    expected_version=form.cleaned_data["version"],
                    record_id=None,
                    to_agency_id=UUID(form.cleaned_data["to_agency"]),
                    reason=form.cleaned_data["reason"],
                    note_to_receiver=form.cleaned_data["note_to_receiver"],
                    override_reason=form.cleaned_data["override_reason"],
                )
            except (ServiceError, DomainError) as exc:
                error, status = error_context(exc), error_status(exc)
                error["field"] = {
                    "transfer_consent_missing": "override_reason",
                    "reason": "reason",
                    "note_to_receiver": "note_to_receiver",
                    "to_agency": "to_agency",
                }.get(getattr(exc, "code", ""), "")
            else:
                if transfer.status == "approved":
                    messages.success(request, _("Transfer approved and sent to the agency."))
                else:
                    messages.success(
                        request, _("Transfer requested: your supervisor will decide on it.")
                    )
                return HttpResponseRedirect(detail_url(transfer.pk))
        else:
            status = 422
    else:
        form = TransferRequestForm(initial={"version": data["version"]}, agencies=agencies)
    return render(
        request,
        "web/transfers/request.html",
        {
            "nav": "caseload",
            "case": case,
            "data": data,
            "form": form,
            "error": error,
            "pending": pending,
            "has_consent": has_consent,
        },
        status=status,
    )


@login_required
def transfer_list(request: HttpRequest) -> HttpResponse:
    """Transfers offered to my agency, and those of my case team (pending ones first)."""
    actor = actor_of(request)
    if not actor.can(Permission.CASE_VIEW):
        raise Http404
    lists = sel.transfer_list_for(actor=actor)
    lang = _lang()
    return render(
        request,
        "web/transfers/list.html",
        {
            "nav": "transfers",
            "inbox": [
                _shown(sel.transfer_view(actor=actor, transfer=t, lang=lang)) for t in lists.inbox
            ],
            "outbox": [
                _shown(sel.transfer_view(actor=actor, transfer=t, lang=lang)) for t in lists.outbox
            ],
            "can_decide": actor.can(Permission.TRANSFER_APPROVE),
        },
    )


def _detail(
    request: HttpRequest,
    actor: Actor,
    transfer: CaseTransfer,
    *,
    error: dict[str, Any] | None = None,
    forms_in: dict[str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    view = _shown(
        sel.transfer_view(actor=actor, transfer=transfer, lang=_lang(), with_history=True)
    )
    allowed = set(view["allowed_actions"])
    version = {"version": transfer.version}
    choices = [
        (u.pk, u.get_full_name() or u.username) for u in sel.receiving_caseworkers(actor=actor)
    ]
    built: dict[str, forms.Form] = {
        "approve": VersionForm(initial=version, prefix="approve"),
        "cancel": ReasonForm(initial=version, prefix="cancel"),
        "decline": ReasonForm(initial=version, prefix="decline"),
        "accept": AcceptForm(initial=version, prefix="accept", choices=choices),
    }
    built.update(forms_in or {})
    history = view.get("history") or []
    return render(
        request,
        "web/transfers/detail.html",
        {
            "nav": "transfers",
            "t": view,
            "forms": built,
            "error": error,
            "can": {a.value: a.value in allowed for a in TransferAction},
            "history": history,
            "sending": view["side"] == "sending",
            "reload_url": detail_url(transfer.pk),
        },
        status=status,
    )


@login_required
def transfer_detail(request: HttpRequest, transfer_id: UUID) -> HttpResponse:
    """One transfer, as the actor's side may read it, with the steps they may take."""
    actor = actor_of(request)
    transfer = sel.transfer_get(actor=actor, transfer_id=transfer_id, audit_section="transfer")
    return _detail(request, actor, transfer)


DONE = {
    "approve": gettext_lazy("Transfer approved and sent to the agency."),
    "cancel": gettext_lazy("Transfer cancelled: the case stays with your agency."),
    "decline": gettext_lazy("Transfer declined: the case stays with the sending agency."),
    "accept": gettext_lazy("Case accepted: it is now in your agency's caseload."),
}


@login_required
@require_POST
def transfer_act(request: HttpRequest, transfer_id: UUID, action: str) -> HttpResponse:
    """Approve, cancel, decline or accept; a refusal is shown on the transfer page."""
    if action not in DONE:
        raise Http404
    actor = actor_of(request)
    transfer = sel.transfer_get(actor=actor, transfer_id=transfer_id)
    form: forms.Form
    if action == "approve":
        form = VersionForm(request.POST, prefix=action)
    elif action == "accept":
        choices = [(u.pk, u.username) for u in sel.receiving_caseworkers(actor=actor)]
        form = AcceptForm(request.POST, prefix=action, choices=choices)
    else:
        form = ReasonForm(request.POST, prefix=action)
    if not form.is_valid():
        return _detail(request, actor, transfer, forms_in={action: form}, status=422)
    version = form.cleaned_data["version"]
    try:
        if action == "approve":
            svc.transfer_approve(actor=actor, transfer_id=transfer.pk, expected_version=version)
        elif action == "accept":
            svc.transfer_accept(
                actor=actor,
                transfer_id=transfer.pk,
                expected_version=version,
                caseworker_id=form.cleaned_data["caseworker"],
            )
        elif action == "decline":
            svc.transfer_decline(
                actor=actor,
                transfer_id=transfer.pk,
                expected_version=version,
                reason=form.cleaned_data["reason"],
            )
        else:
            svc.transfer_cancel(
                actor=actor,
                transfer_id=transfer.pk,
                expected_version=version,
                reason=form.cleaned_data["reason"],
            )
    except (ServiceError, DomainError) as exc:
        error = error_context(exc)
        error["action"] = action
        transfer = sel.transfer_get(actor=actor, transfer_id=transfer_id)
        return _detail(
            request,
            actor,
            transfer,
            error=error,
            forms_in={action: form},
            status=error_status(exc),
        )
    messages.success(request, str(DONE[action]))
    if action == "accept":
        return HttpResponseRedirect(reverse("web:case_detail", args=[transfer.case_id]))
    return HttpResponseRedirect(detail_url(transfer.pk))
