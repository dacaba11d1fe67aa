"""The SOP pages (SPEC §2): read by everyone who works cases, drafts edited by the coordinator.

Views parse input, build the new SOP data and call fanous.sop.services; the pydantic
schemas decide what is valid and the services who may change what.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from fanous.accounts.access import Actor
from fanous.accounts.permissions import Permission
from fanous.core.errors import ConflictError, NotFoundError, ServiceError, error_payload
from fanous.domain.errors import DomainError
from fanous.domain.sop import (
    AnyOf,
    AtLeast,
    Below,
    ConcernConfig,
    Condition,
    CountAtLeast,
    Effect,
    Flag,
    Frequency,
    In,
    Labels,
    RiskLevel,
    Sop,
    review_due_on,
    review_overdue,
)
from fanous.sop import services
from fanous.sop.models import SopVersion
from fanous.sop.selectors import sop_of, sop_version_get, sop_version_list_for

from .forms_coord import (
    FREQUENCIES,
    FREQUENCY_LABELS,
    ClosureForm,
    MatrixForm,
    NewVersionForm,
    SopDraftForm,
    TimeframesForm,
    suggest_next_version,
)
from .views import actor_of

CATEGORY_LABELS = {
    "age": _("Age"),
    "work_type": _("Type of work"),
    "worst_form": _("Worst forms of child labour"),
    "conditions": _("Working conditions"),
    "hazard": _("Workplace hazards"),
    "other_risk": _("Other protection risks"),
    "protective": _("Protective factors"),
    "context": _("Context"),
}
EFFECT_LABELS = {
    Effect.FLOOR: _("At least this level"),
    Effect.RAISE: _("One level up"),
    Effect.LOWER: _("One level down"),
}
LEVELS = (RiskLevel.HIGH, RiskLevel.MEDIUM, RiskLevel.LOW)


def _lang() -> str:
    return (get_language() or "ar").split("-")[0]


def _today() -> date:
    return timezone.localdate()


def _label(labels: Labels | None, lang: str) -> str:
    return labels.get(lang) if labels is not None else ""


# --------------------------------------------------------------------------- readable SOP


def _join(items: Sequence[str], lang: str) -> str:
    return ("، " if lang == "ar" else ", ").join(items)


def condition_text(condition: Condition, concern: ConcernConfig, lang: str) -> str:
    """A condition of the risk matrix in words, with the facts' labels in the user's language."""

    def fact(code: str) -> str:
        for f in concern.facts:
            if f.code == code:
                return f.label.get(lang)
        return code

    if isinstance(condition, Flag):
        return fact(condition.fact)
    if isinstance(condition, AnyOf | CountAtLeast):
        items = [fact(code) for code in condition.facts]
        if condition.category is not None:
            items.append(
                gettext("any item of “%(category)s”")
                % {"category": CATEGORY_LABELS.get(condition.category, condition.category)}
            )
        if isinstance(condition, CountAtLeast):
            return gettext("At least %(n)s of: %(items)s") % {
                "n": condition.n,
                "items": _join(items, lang),
            }
        return gettext("Any of: %(items)s") % {"items": _join(items, lang)}
    if isinstance(condition, Below):
        return gettext("%(fact)s below %(value)s") % {
            "fact": fact(condition.fact),
            "value": condition.value,
        }
    if isinstance(condition, AtLeast):
        return gettext("%(fact)s at least %(value)s") % {
            "fact": fact(condition.fact),
            "value": condition.value,
        }
    if isinstance(condition, In):
        definition = next((f for f in concern.facts if f.code == condition.fact), None)
        choices = {c.code: c.label.get(lang) for c in (definition.choices if definition else ())}
        values = [choices.get(v, v) for v in condition.values]
        return gettext("%(fact)s is one of: %(values)s") % {
            "fact": fact(condition.fact),
            "values": _join(values, lang),
        }
    return str(condition)


def _frequency(name: str, freq: Frequency | None) -> dict[str, Any]:
    return {
        "label": FREQUENCY_LABELS[name],
        "times": freq.times if freq else None,
        "days": freq.period_days if freq else None,
    }


def _concern_view(concern: ConcernConfig, lang: str) -> dict[str, Any]:
    return {
        "code": concern.code,
        "label": concern.label.get(lang),
        "guidance": _label(concern.guidance, lang),
        "base": concern.matrix.base.value,
        "rules": [
            {
                "code": rule.code,
                "label": rule.label.get(lang),
                "effect": EFFECT_LABELS[rule.effect],
                "effect_code": rule.effect.value,
                "level": rule.level.value if rule.level else "",
                "locked": rule.locked,
                "conditions": [condition_text(c, concern, lang) for c in rule.when],
            }
            for rule in concern.matrix.rules
        ],
    }


def sop_view(sop: Sop, lang: str) -> dict[str, Any]:
    """Everything the SOP page shows, as plain values in the user's language."""
    flags = {f.code: f.label.get(lang) for f in sop.closure.flags}
    timeframes = []
    for level in LEVELS:
        tf = sop.timeframes.for_level(level)
        if tf is None:
            continue
        timeframes.append(
            {
                "level": level.value,
                "assessment_due_days": tf.assessment_due_days,
                "plan_due_days": tf.plan_due_days,
                "frequencies": [_frequency(name, getattr(tf, name)) for name in FREQUENCIES],
                "remote_note": _label(tf.remote_note, lang),
            }
        )
    return {
        "title": sop.title.get(lang),
        "endorsing_agencies": sop.endorsing_agencies,
        "review_interval_months": sop.review_interval_months,
        "timezone": sop.timezone,
        "timeframes": timeframes,
        "concerns": [_concern_view(c, lang) for c in sop.concerns],
        "closure_reasons": [
            {
                "code": r.code,
                "label": r.label.get(lang),
                "min_age": r.min_age,
                "max_age": r.max_age_exclusive,
                "max_risk": r.max_risk_level.value if r.max_risk_level else "",
                "flags": [flags.get(code, code) for code in r.requires_flags],
                "plan_completed": r.requires_plan_completed,
                "approved_plan": r.requires_approved_plan,
                "transition_plan": r.requires_transition_plan,
            }
            for r in sop.closure.reasons
        ],
        "closure_flags": [f.label.get(lang) for f in sop.closure.flags],
        "transition_planning_months": sop.closure.transition_planning_months,
        "eligibility": {
            "max_age": sop.eligibility.max_age_exclusive,
            "min_criteria": sop.eligibility.min_criteria,
            "criteria": [c.label.get(lang) for c in sop.eligibility.criteria],
        },
        "staffing": sop.staffing,
        "consent_purposes": [
            {"label": p.label.get(lang), "required": p.required_for_registration}
            for p in sop.consent_purposes
        ],
    }


def _row_info(row: SopVersion, today: date) -> dict[str, Any]:
    sop = sop_of(row)
    return {
        "row": row,
        "title": sop.title.get(_lang()),
        "review_due_on": review_due_on(sop),
        "review_overdue": row.status == SopVersion.Status.IN_FORCE and review_overdue(sop, today),
    }


def _base_context(actor: Actor, row: SopVersion) -> dict[str, Any]:
    info = _row_info(row, _today())
    return {
        "nav": "sop",
        **info,
        "area_name": row.area.name(_lang()),
        "can_manage": actor.can(Permission.SOP_MANAGE),
        "is_draft": row.status == SopVersion.Status.DRAFT,
    }


# --------------------------------------------------------------------------- pages


@login_required
def sop_list(request: HttpRequest) -> HttpResponse:
    """SOP versions by area, with their status and review date (SPEC §2)."""
    actor = actor_of(request)
    today = _today()
    lang = _lang()
    areas: dict[Any, dict[str, Any]] = {}
    for row in sop_version_list_for(actor):
        group = areas.setdefault(
            row.area_id, {"area": row.area, "name": row.area.name(lang), "versions": []}
        )
        group["versions"].append(_row_info(row, today))
    return render(
        request,
        "web/coord/sop_list.html",
        {
            "nav": "sop",
            "areas": list(areas.values()),
            "can_manage": actor.can(Permission.SOP_MANAGE),
        },
    )


@login_required
def sop_detail(request: HttpRequest, sop_id: UUID) -> HttpResponse:
    """One SOP version, printable, with the version and date on every page (SPEC §2)."""
    actor = actor_of(request)
    row = sop_version_get(actor=actor, sop_id=sop_id)
    context = _base_context(actor, row)
    context["sop"] = sop_view(sop_of(row), _lang())
    context["printed_on"] = _today()
    return render(request, "web/coord/sop_detail.html", context)


@login_required
def sop_new_version(request: HttpRequest, sop_id: UUID) -> HttpResponse:
    """A new draft copied from a version (normally the one in force)."""
    actor = actor_of(request)
    source = sop_version_get(actor=actor, sop_id=sop_id)
    actor.require(Permission.SOP_MANAGE)
    error: dict[str, Any] | None = None
    if request.method == "POST":
        form = NewVersionForm(request.POST)
        if form.is_valid():
            try:
                draft = services.sop_create_draft(
                    actor=actor, area=source.area, data=form.build(source.data)
                )
            except (ServiceError, DomainError) as exc:
                error = error_payload(exc)
                error["reasons"] = form.attach_reasons(exc.reasons)
            else:
                messages.success(request, gettext("Draft created. Edit it, then put it in force."))
                return HttpResponseRedirect(reverse("web:sop_detail", args=[draft.pk]))
    else:
        taken = SopVersion.objects.filter(area=source.area).values_list("version", flat=True)
        form = NewVersionForm(
            initial={
                "version": suggest_next_version(source.version, taken),
                "endorsed_on": _today(),
            }
        )
    context = _base_context(actor, source)
    context.update({"form": form, "error": error})
    return render(request, "web/coord/sop_new_version.html", context, status=422 if error else 200)


def _edit(
    request: HttpRequest,
    sop_id: UUID,
    *,
    template: str,
    make_form: Callable[[SopVersion, dict[str, Any] | None], SopDraftForm],
    extra: dict[str, Any] | None = None,
    anchor: str = "",
) -> HttpResponse:
    """Shared by the draft forms: build the new data, let the service validate and save."""
    actor = actor_of(request)
    row = sop_version_get(actor=actor, sop_id=sop_id)
    actor.require(Permission.SOP_MANAGE)
    error: dict[str, Any] | None = None
    if request.method == "POST":
        form = make_form(row, request.POST)
        if form.is_valid():
            try:
                services.sop_update_draft(
                    actor=actor,
                    sop_id=row.pk,
                    data=form.build(row.data),
                    expected_version=form.cleaned_data["row_version"],
                )
            except (ServiceError, DomainError) as exc:
                error = error_payload(exc)
                error["conflict"] = isinstance(exc, ConflictError)
                # Each reason in the user's language, next to its field and in the summary.
                error["reasons"] = form.attach_reasons(exc.reasons)
            else:
                messages.success(request, gettext("The draft is saved."))
                url = reverse("web:sop_detail", args=[row.pk])
                return HttpResponseRedirect(f"{url}#{anchor}" if anchor else url)
        else:
            error = {"message": gettext("Correct the fields marked below."), "reasons": []}
    else:
        if row.status != SopVersion.Status.DRAFT:
            # Nothing to edit: a version in force is changed by publishing a new one.
            return HttpResponseRedirect(reverse("web:sop_detail", args=[row.pk]))
        form = make_form(row, None)
    context = _base_context(actor, row)
    context.update({"form": form, "error": error, **(extra or {})})
    status = 200
    if error:
        status = 409 if error.get("conflict") else 422
    return render(request, template, context, status=status)


@login_required
def sop_edit_timeframes(request: HttpRequest, sop_id: UUID) -> HttpResponse:
    """Deadlines and follow-up frequencies per risk level (SPEC §5, §7, §8)."""

    def make(row: SopVersion, data: Any) -> SopDraftForm:
        return TimeframesForm(
            data,
            timeframes=row.data.get("timeframes", {}),
            initial={"row_version": row.row_version},
        )

    return _edit(
        request,
        sop_id,
        template="web/coord/sop_edit_timeframes.html",
        make_form=make,
        anchor="timeframes",
    )


@login_required
def sop_edit_closure(request: HttpRequest, sop_id: UUID) -> HttpResponse:
    """The conditions of each closure reason (SPEC §9)."""
    lang = _lang()

    def make(row: SopVersion, data: Any) -> SopDraftForm:
        sop = sop_of(row)
        closure = row.data.get("closure", {})
        labels = [_raw_label(r.get("label"), lang) for r in closure.get("reasons", [])]
        flags = [(f.code, f.label.get(lang)) for f in sop.closure.flags]
        return ClosureForm(
            data,
            closure=closure,
            reason_labels=labels,
            flag_labels=flags,
            initial={"row_version": row.row_version},
        )

    return _edit(
        request,
        sop_id,
        template="web/coord/sop_edit_closure.html",
        make_form=make,
        anchor="closure",
    )


@login_required
def sop_edit_matrix(request: HttpRequest, sop_id: UUID, concern: str) -> HttpResponse:
    """The level of each floor rule of a concern's risk matrix, and its lock (SPEC §4)."""
    lang = _lang()
    actor = actor_of(request)
    row = sop_version_get(actor=actor, sop_id=sop_id)
    concerns = row.data.get("concerns", [])
    index = next((i for i, c in enumerate(concerns) if c.get("code") == concern), None)
    if index is None:
        raise NotFoundError("This SOP version has no such protection concern.")
    parsed = sop_of(row).concern(concern)
    conditions = [
        [condition_text(c, parsed, lang) for c in rule.when] for rule in parsed.matrix.rules
    ]

    def make(row: SopVersion, data: Any) -> SopDraftForm:
        labels = [_raw_label(r.get("label"), lang) for r in concerns[index]["matrix"]["rules"]]
        return MatrixForm(
            data,
            concern_index=index,
            concern=concerns[index],
            rule_labels=labels,
            rule_conditions=conditions,
            initial={"row_version": row.row_version},
        )

    return _edit(
        request,
        sop_id,
        template="web/coord/sop_edit_matrix.html",
        make_form=make,
        extra={
            "concern_code": concern,
            "concern_label": parsed.label.get(lang),
        },
        anchor=f"concern-{concern}",
    )


def _raw_label(value: Any, lang: str) -> str:
    if isinstance(value, dict):
        return str(value.get(lang) or value.get("en") or value.get("ar") or "")
    return ""


@login_required
@require_POST
def sop_publish(request: HttpRequest, sop_id: UUID) -> HttpResponse:
    """Put a draft in force; the version it replaces becomes superseded."""
    actor = actor_of(request)
    row = sop_version_get(actor=actor, sop_id=sop_id)
    try:
        services.sop_publish(actor=actor, sop_id=row.pk)
    except (ServiceError, DomainError) as exc:
        payload = error_payload(exc)
        context = _base_context(actor, row)
        context.update(
            {"sop": sop_view(sop_of(row), _lang()), "printed_on": _today(), "error": payload}
        )
        status = getattr(exc, "status", 422)
        return render(request, "web/coord/sop_detail.html", context, status=status)
    messages.success(request, gettext("This version is now in force."))
    return HttpResponseRedirect(reverse("web:sop_detail", args=[row.pk]))
