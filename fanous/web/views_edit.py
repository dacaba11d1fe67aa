"""Correction pages (SPEC §3, §5): the child's details, the registration, household members.

Parse the form, call the service the API calls (case_update_child, registration_update,
household_member_add), render. Only the fields that changed are sent, so the history shows
exactly what was corrected; a stale version is shown as "changed by someone else, reload".
"""

from __future__ import annotations

import uuid
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from fanous.accounts.permissions import Permission
from fanous.cases import selectors, services
from fanous.cases.models import Case, Registration
from fanous.cases.presenters import case_out
from fanous.cases.services.intake import CHILD_EDITABLE, REGISTRATION_FIELDS
from fanous.core.errors import ServiceError
from fanous.domain.errors import DomainError
from fanous.domain.workflow import CaseStatus

from .forms_edit import ChildEditForm, HouseholdMemberForm, RegistrationEditForm
from .forms_intake import IntakeForm
from .views import actor_of
from .views_access import case_for_change
from .views_intake import _forbidden, _refusal


def _status(error: dict[str, Any] | None, form: IntakeForm) -> int:
    if error and error.get("stale"):
        return 409
    return 422 if (error or form.errors) else 200


def _context(request: HttpRequest, case: Case, **extra: Any) -> dict[str, Any]:
    data = case_out(case, actor_of(request))
    return {"nav": "caseload", "case": case, "data": data, **extra}


def _submit(form: IntakeForm, call: Any) -> dict[str, Any] | None:
    """Run the service; its refusal goes beside the field it is about, or in the summary."""
    try:
        call()
    except (ServiceError, DomainError) as exc:
        return _refusal(form, exc)
    return None


@login_required
@require_http_methods(["GET", "POST"])
def child_edit(request: HttpRequest, case_id: UUID) -> HttpResponse:
    """Correct the child's name, birth date and other details after identification."""
    actor = actor_of(request)
    case, refusal = case_for_change(request, actor, case_id, "child")
    if refusal is not None:
        return refusal  # a share or break-glass access only reads (SPEC §12)
    if not actor.can(Permission.CASE_EDIT):
        return _forbidden(request)
    stored = {name: getattr(case.child, name) for name in CHILD_EDITABLE}
    post = request.POST if request.method == "POST" else None
    form = ChildEditForm(post, stored=stored, initial={**stored, "version": case.version})
    error = None
    if post is not None and form.is_valid():
        changes = form.changes()
        if not changes:
            messages.info(request, gettext("Nothing was changed."))
            return redirect("web:case_detail", case_id=case.pk)
        error = _submit(
            form,
            lambda: services.case_update_child(
                actor=actor,
                case_id=case.pk,
                expected_version=form.cleaned_data["version"],
                changes=changes,
            ),
        )
        if error is None:
            messages.success(request, gettext("The child's details were corrected."))
            return redirect("web:case_detail", case_id=case.pk)
        case = selectors.case_get(actor=actor, case_id=case_id)  # nothing half-saved: re-read
    form.flag_errors()
    return render(
        request,
        "web/edit/child.html",
        _context(request, case, form=form, error=error),
        status=_status(error, form),
    )


@login_required
@require_http_methods(["GET", "POST"])
def registration_edit(request: HttpRequest, case_id: UUID) -> HttpResponse:
    """Correct the child-labour registration details of a registered case."""
    actor = actor_of(request)
    case, refusal = case_for_change(request, actor, case_id, "registration")
    if refusal is not None:
        return refusal  # a share or break-glass access only reads (SPEC §12)
    if not actor.can(Permission.CASE_EDIT):
        return _forbidden(request)
    registration = Registration.objects.filter(case=case).first()
    if registration is None and request.method != "POST":
        # Nothing to correct yet: the wizard's registration step is where it is entered.
        if case.status == CaseStatus.IDENTIFIED:
            return redirect("web:intake_registration", case_id=case.pk)
        return redirect("web:case_detail", case_id=case.pk)
    stored = {f: getattr(registration, f) for f in REGISTRATION_FIELDS} if registration else {}
    post = request.POST if request.method == "POST" else None
    form = RegistrationEditForm(post, stored=stored, initial={**stored, "version": case.version})
    error = None
    if post is not None and form.is_valid():
        changes = form.changes()
        if not changes and registration is not None:
            messages.info(request, gettext("Nothing was changed."))
            return redirect("web:case_detail", case_id=case.pk)
        error = _submit(
            form,
            lambda: services.registration_update(
                actor=actor,
                case_id=case.pk,
                expected_version=form.cleaned_data["version"],
                changes=changes,
            ),
        )
        if error is None:
            messages.success(request, gettext("The registration details were corrected."))
            return redirect("web:case_detail", case_id=case.pk)
        case = selectors.case_get(actor=actor, case_id=case_id)
    form.flag_errors()
    return render(
        request,
        "web/edit/registration.html",
        _context(request, case, form=form, error=error),
        status=_status(error, form),
    )


@login_required
@require_http_methods(["GET", "POST"])
def household_member_new(request: HttpRequest, case_id: UUID) -> HttpResponse:
    """Add a person to the child's household: another child may need a case of their own."""
    actor = actor_of(request)
    case, refusal = case_for_change(request, actor, case_id, "household")
    if refusal is not None:
        return refusal  # a share or break-glass access only reads (SPEC §12)
    if not actor.can(Permission.CASE_EDIT):
        return _forbidden(request)
    post = request.POST if request.method == "POST" else None
    # The id is chosen when the page is shown: sending the form twice adds the member once.
    form = HouseholdMemberForm(
        post, initial={"member_id": uuid.uuid4(), "works": "", "in_school": ""}
    )
    error = None
    if post is not None and form.is_valid():
        error = _submit(
            form,
            lambda: services.household_member_add(
                actor=actor,
                case_id=case.pk,
                member_id=form.cleaned_data["member_id"],
                data=form.member_data(),
            ),
        )
        if error is None:
            messages.success(request, gettext("The household member was added."))
            return redirect("web:case_detail", case_id=case.pk)
    form.flag_errors()
    return render(
        request,
        "web/edit/household_member.html",
        _context(request, case, form=form, error=error),
        status=_status(error, form),
    )
