"""Intake pages (SPEC §3): search before create, then the identification and registration wizard.

The views parse forms and call the same services as the API (fanous.cases.services); every
rule and refusal is theirs. A refusal is shown in the form and nothing is half-saved: steps
that call several services run them in one transaction.
"""

from __future__ import annotations

import uuid
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext

from fanous.accounts.models import Area, User
from fanous.accounts.permissions import Permission
from fanous.cases import selectors, services
from fanous.cases.duplicates import DuplicateQuery, birth_year_from, likely_duplicates
from fanous.cases.models import Case
from fanous.cases.presenters import case_out
from fanous.cases.services.common import case_facts, local_today
from fanous.cases.services.intake import UNKNOWN_CODE_MESSAGES
from fanous.core.errors import ConflictError, ServiceError, error_payload
from fanous.domain import timeframes as tf
from fanous.domain import workflow
from fanous.domain.eligibility import evaluate_eligibility
from fanous.domain.errors import DomainError
from fanous.domain.workflow import Action, CaseStatus
from fanous.sop.selectors import active_sop

from .forms_intake import (
    ChildForm,
    ConsentForm,
    IntakeForm,
    NeedsForm,
    NotEligibleForm,
    RegistrationForm,
    SearchForm,
)
from .views import actor_of
from .views_access import case_for_change

# The wizard's steps, in order, for the progress indicator.
STEPS = ("needs", "child", "consent", "registration")

# Which field a service refusal is about, by its code (else it goes in the summary).
FIELD_OF_CODE = {
    "birth_date_future": "birth_date",
    "birth_date_impossible": "birth_date",
    "hours": "hours_per_day",
    "days": "days_per_week",
    "date_future": "recorded_on",
    "reason_required": "reason",
    "required": "referred_to",
}
FIELD_OF_UNKNOWN_CODE = {
    UNKNOWN_CODE_MESSAGES["criterion"]: "eligibility_criteria",
    UNKNOWN_CODE_MESSAGES["need"]: "needs",
}


def _lang() -> str:
    return get_language() or "ar"


def _refusal(form: IntakeForm, exc: ServiceError | DomainError) -> dict[str, Any]:
    """Put a service's refusal next to its field, or in the summary; return it for the page."""
    payload = error_payload(exc)
    if isinstance(exc, ConflictError) and exc.code == "conflict":
        payload["message"] = gettext(
            "This case was changed by someone else while you were working on it. "
            "Reload the page, check the case and enter your change again."
        )
        payload["stale"] = True
    field = FIELD_OF_CODE.get(exc.code) or FIELD_OF_UNKNOWN_CODE.get(exc.message)
    if field in form.fields:
        form.add_error(field, payload["message"])
        payload["on_field"] = True  # the summary lists it with a link to the field
    form.flag_errors()
    return payload


def _steps(current: str) -> list[dict[str, Any]]:
    labels = {
        "needs": gettext("Immediate needs"),
        "child": gettext("Child and eligibility"),
        "consent": gettext("Consent"),
        "registration": gettext("Registration"),
    }
    index = STEPS.index(current)
    return [
        {
            "code": code,
            "label": labels[code],
            "number": i + 1,
            "state": "done" if i < index else ("current" if i == index else "todo"),
        }
        for i, code in enumerate(STEPS)
    ]


def _area_of(user: User) -> Area | None:
    return user.agency.area if user.agency else None


def _forbidden(request: HttpRequest) -> HttpResponse:
    payload = {
        "code": "forbidden",
        "message": gettext(
            "Your role does not allow this action. Ask your supervisor if you need it."
        ),
        "reasons": [],
    }
    return render(request, "web/error.html", {"error": payload}, status=403)


# ---------------------------------------------------------------- search before create


def _prefill(form: SearchForm, today: Any) -> dict[str, str]:
    """What the search already says about the child, to start the child's form with."""
    if not form.is_valid():
        return {}
    data = form.cleaned_data
    words = (data["name"] or "").split()
    # "عبد الله" is one name written in two words.
    names: list[str] = []
    for word in words:
        if names and names[-1] in ("عبد", "Abd", "abd"):
            names[-1] = f"{names[-1]} {word}"
        else:
            names.append(word)
    prefill: dict[str, str] = {}
    if names:
        prefill["given_name"] = names[0]
    if len(names) >= 2:
        prefill["family_name"] = names[-1]
    if len(names) >= 3:
        prefill["father_name"] = names[1]
    if len(names) >= 4:
        prefill["grandfather_name"] = " ".join(names[2:-1])
    if data.get("age_or_year") is not None:
        prefill["birth_date"] = f"{birth_year_from(data['age_or_year'], today)}-01-01"
        prefill["birth_date_estimated"] = "on"
    if data.get("location"):
        prefill["current_address"] = data["location"]
    return prefill


@login_required
def intake_search(request: HttpRequest) -> HttpResponse:
    """Search before create: likely duplicates among the cases the user may see."""
    actor = actor_of(request)
    if not actor.can(Permission.CASE_CREATE):
        return _forbidden(request)
    today = selectors.today_for(actor)
    form = SearchForm(request.GET or None)
    searched = bool(request.GET) and form.is_valid()
    results = []
    if searched:
        data = form.cleaned_data
        year = data.get("age_or_year")
        query = DuplicateQuery(
            name=data["name"] or "",
            birth_year=birth_year_from(year, today) if year is not None else None,
            caregiver_name=data["caregiver"] or "",
            location=data["location"] or "",
        )
        searched = not query.is_empty
        results = likely_duplicates(actor=actor, query=query, today=today) if searched else []
    form.flag_errors()
    new_query = QueryDict(mutable=True)
    new_query.update(_prefill(form, today))
    context = {
        "nav": "register",
        "form": form,
        "searched": searched,
        "results": results,
        "new_url": reverse("web:intake_new") + (f"?{new_query.urlencode()}" if new_query else ""),
    }
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "dup-results":
        return render(request, "web/intake/partials/_search_results.html", context)
    return render(request, "web/intake/search.html", context)


# ---------------------------------------------------------------- steps 1-2: needs, child


def _carried(data: Any, names: list[str]) -> list[tuple[str, str]]:
    """The values of another step's fields, carried through this one as hidden inputs."""
    return [(n, v) for n in names for v in data.getlist(n)]


def _initial(data: Any, form: IntakeForm) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, field in form.fields.items():
        if name in data:
            multi = isinstance(field.widget, forms.CheckboxSelectMultiple)
            out[name] = data.getlist(name) if multi else data.get(name)
    return out


@login_required
def intake_new(request: HttpRequest) -> HttpResponse:
    """Immediate needs first, then the child's details and eligibility -> case_identify."""
    actor = actor_of(request)
    if not actor.can(Permission.CASE_CREATE):
        return _forbidden(request)
    user: User = request.user  # type: ignore[assignment]
    area = _area_of(user)
    if area is None:
        return _forbidden(request)
    _row, sop = active_sop(area)
    lang = _lang()
    post = request.POST if request.method == "POST" else None
    step = request.POST.get("step", "needs") if post else "needs"
    draft_id = request.POST.get("draft_id") or str(uuid.uuid4())
    error = None

    needs = NeedsForm(post)
    child = ChildForm(sop=sop, lang=lang, initial=request.GET.dict())
    if post and (_initial(post, child)):
        child = ChildForm(sop=sop, lang=lang, initial=_initial(post, child))

    if post and "back" in post:
        step = "needs"
        needs = NeedsForm(initial=_initial(post, needs))
    elif post and step == "needs":
        if needs.is_valid():
            step = "child"
    elif post and step == "child":
        child = ChildForm(post, sop=sop, lang=lang)
        if needs.is_valid() and child.is_valid():
            try:
                case_id = UUID(draft_id)
            except ValueError:
                case_id = uuid.uuid4()
            try:
                case, _created = services.case_identify(
                    actor=actor,
                    case_id=case_id,
                    child=services.ChildData(**child.child_data()),
                    area=area,
                    concerns=[],
                    eligibility_criteria=child.cleaned_data["eligibility_criteria"],
                    immediate_needs=needs.cleaned_data["needs"],
                    immediate_needs_notes=needs.cleaned_data["needs_notes"],
                    source=child.cleaned_data["source"],
                    household_address=child.cleaned_data["current_address"],
                    household_phone=child.cleaned_data["phone"],
                )
            except (ServiceError, DomainError) as exc:
                error = _refusal(child, exc)
            else:
                return _after_identify(request, case)
        child.flag_errors()
    needs.flag_errors()
    carried_data = post if post is not None else request.GET
    context = {
        "nav": "register",
        "draft_id": draft_id,
        "error": error,
        "step": step,
        "steps": _steps(step),
        "needs_form": needs,
        "child_form": child,
        # Step 1 carries the child's fields (from the search, or back from step 2); step 2
        # carries the needs.
        "carried": (
            _carried(carried_data, list(ChildForm.base_fields))
            if step == "needs"
            else _carried(carried_data, list(NeedsForm.base_fields))
        ),
        "max_age": sop.eligibility.max_age_exclusive,
    }
    return render(request, "web/intake/new.html", context)


def _after_identify(request: HttpRequest, case: Case) -> HttpResponse:
    actor = actor_of(request)
    if not actor.can(Permission.CASE_EDIT):
        # A helpline counsellor opens the case; the agency's supervisor assigns it.
        messages.success(
            request, gettext("The child is identified. A supervisor will assign the case.")
        )
        return redirect("web:case_detail", case_id=case.pk)
    if case.eligible:
        return redirect("web:intake_consent", case_id=case.pk)
    return redirect("web:intake_not_eligible", case_id=case.pk)


# ---------------------------------------------------------------- step 3: consent


def _case_context(request: HttpRequest, case: Case) -> dict[str, Any]:
    actor = actor_of(request)
    return {"nav": "register", "case": case, "data": case_out(case, actor)}


@login_required
def intake_consent(request: HttpRequest, case_id: UUID) -> HttpResponse:
    """Consent of the caregiver and assent/consent of the child, per purpose of the SOP."""
    actor = actor_of(request)
    case, refusal = case_for_change(request, actor, case_id, "consent")
    if refusal is not None:
        return refusal  # a share or break-glass access only reads (SPEC §12)
    if request.method != "POST" and case.status != CaseStatus.IDENTIFIED:
        return redirect("web:case_detail", case_id=case.pk)
    _row, sop = active_sop(case.area)
    today = local_today(sop)
    lang = _lang()
    form = ConsentForm(
        request.POST if request.method == "POST" else None,
        sop=sop,
        lang=lang,
        initial={"batch": uuid.uuid4(), "recorded_on": today, "method": "verbal"},
    )
    error = None
    if request.method == "POST" and form.is_valid():
        batch = form.cleaned_data["batch"]
        try:
            with transaction.atomic():
                for purpose, giver, given in form.decisions():
                    services.consent_record(
                        actor=actor,
                        case_id=case.pk,
                        # The same form sent twice records each decision once.
                        record_id=uuid.uuid5(batch, f"{purpose}/{giver}"),
                        purpose=purpose,
                        giver=giver,
                        given=given,
                        giver_name=(
                            form.cleaned_data["caregiver_name"] if giver == "caregiver" else ""
                        ),
                        giver_relation=(
                            form.cleaned_data["caregiver_relation"] if giver == "caregiver" else ""
                        ),
                        method=form.cleaned_data["method"],
                        recorded_on=form.cleaned_data["recorded_on"],
                    )
        except (ServiceError, DomainError) as exc:
            error = _refusal(form, exc)
        else:
            return redirect("web:intake_registration", case_id=case.pk)
    form.flag_errors()
    context = _case_context(request, case)
    age = tf.age_on(case.child.birth_date, today)
    labels = {p.code: p.label.get(lang) for p in sop.consent_purposes}
    context.update(
        {
            "step": "consent",
            "steps": _steps("consent"),
            "form": form,
            "error": error,
            "child_age": age,
            "assent_min_age": sop.assent_min_age,
            "assent_needed": age >= sop.assent_min_age,
            "recorded": [
                (labels.get(c.purpose, c.purpose), c) for c in selectors.consents_of(case)
            ],
        }
    )
    return render(request, "web/intake/consent.html", context)


# ---------------------------------------------------------------- step 4: registration


@login_required
def intake_registration(request: HttpRequest, case_id: UUID) -> HttpResponse:
    """The child-labour registration fields -> case_register (refused without consent)."""
    actor = actor_of(request)
    case, refusal = case_for_change(request, actor, case_id, "registration")
    if refusal is not None:
        return refusal  # a share or break-glass access only reads (SPEC §12)
    if request.method != "POST" and case.status != CaseStatus.IDENTIFIED:
        return redirect("web:case_detail", case_id=case.pk)
    form = RegistrationForm(
        request.POST if request.method == "POST" else None, initial={"version": case.version}
    )
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            services.case_register(
                actor=actor,
                case_id=case.pk,
                expected_version=form.cleaned_data["version"],
                data=form.registration_data(),
            )
        except (ServiceError, DomainError) as exc:
            error = _refusal(form, exc)
        else:
            messages.success(request, gettext("The child is registered for case management."))
            return redirect("web:case_detail", case_id=case.pk)
    form.flag_errors()
    case = selectors.case_get(actor=actor, case_id=case_id)
    _row, sop = active_sop(case.area)
    context = _case_context(request, case)
    # The workflow's own explanation, before the caseworker fills in the form.
    blockers = [
        error_payload(DomainError("", r.message, r.params))["message"]
        for r in workflow.guard(
            Action.REGISTER, case_facts(case, actor, sop, local_today(sop)), actor.role
        )
    ]
    context.update(
        {
            "step": "registration",
            "steps": _steps("registration"),
            "form": form,
            "error": error,
            "blockers": blockers if case.status == CaseStatus.IDENTIFIED else [],
        }
    )
    return render(request, "web/intake/registration.html", context)


# ---------------------------------------------------------------- not eligible -> refer out


@login_required
def intake_not_eligible(request: HttpRequest, case_id: UUID) -> HttpResponse:
    """Not eligible: the reason explained to the family, then the referral to other services."""
    actor = actor_of(request)
    case, refusal = case_for_change(request, actor, case_id, "eligibility")
    if refusal is not None:
        return refusal  # a share or break-glass access only reads (SPEC §12)
    if request.method != "POST" and case.status not in (
        CaseStatus.IDENTIFIED,
        CaseStatus.NOT_ELIGIBLE,
    ):
        return redirect("web:case_detail", case_id=case.pk)
    _row, sop = active_sop(case.area)
    today = local_today(sop)
    why = [
        error_payload(DomainError("", r.message, r.params))["message"]
        for r in evaluate_eligibility(
            sop.eligibility, tf.age_on(case.child.birth_date, today), case.eligibility_criteria
        ).reasons
    ]
    declared = case.status == CaseStatus.NOT_ELIGIBLE
    form = NotEligibleForm(
        request.POST if request.method == "POST" else None,
        initial={"version": case.version, "reason": case.not_eligible_reason or " ".join(why)},
    )
    error = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                version = data["version"]
                if not declared:
                    case = services.case_declare_not_eligible(
                        actor=actor,
                        case_id=case.pk,
                        expected_version=version,
                        reason=data["reason"],
                    )
                    version = case.version
                services.case_refer_out(
                    actor=actor,
                    case_id=case.pk,
                    expected_version=version,
                    referred_to=data["referred_to"],
                    feedback=data["feedback"],
                )
        except (ServiceError, DomainError) as exc:
            error = _refusal(form, exc)
            case = selectors.case_get(actor=actor, case_id=case_id)
        else:
            messages.success(request, gettext("The child is referred to other services."))
            return redirect("web:case_detail", case_id=case.pk)
    form.flag_errors()
    context = _case_context(request, case)
    context.update(
        {
            "form": form,
            "error": error,
            "why": why,
            "declared": declared,
            "criteria_labels": [
                c.label.get(_lang())
                for c in sop.eligibility.criteria
                if c.code in case.eligibility_criteria
            ],
        }
    )
    return render(request, "web/intake/not_eligible.html", context)
