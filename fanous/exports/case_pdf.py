"""The case file as PDF (issue 5): the whole case, in Arabic, English or French.

For the people who work the case (the assigned caseworker and their supervisor: the
actor's own scope, not a share or break-glass access). Built from the case read model
(fanous.cases.presenters.case_out), so what it hides (sensitive sections) stays hidden
here too; the assessments and notes this file adds leave out the SOP's sensitive facts
and narrative domains unless the actor may see them (accounts.access.can_see_sensitive).

Every page has the SOP version and the print date in its header, "CONFIDENTIAL / سري"
and "page x of y". Printing is an access: it is recorded as a read and as an export.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from django.db import transaction
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_lazy
from django_stubs_ext import StrOrPromise

from fanous.accounts.access import Actor, can_see_sensitive, in_scope
from fanous.audit.models import Event
from fanous.audit.services import record, record_read
from fanous.cases.models import Assessment, Case, Consent, FollowUp
from fanous.cases.presenters import case_out
from fanous.cases.selectors import case_get, case_history
from fanous.core.errors import PermissionDeniedError, ValidationFailed
from fanous.domain.sop import Sop
from fanous.sop.selectors import active_sop

LANGUAGES = ("ar", "en", "fr")

REGISTRATION_LABELS: dict[str, StrOrPromise] = {
    "workplace_name": gettext_lazy("Workplace"),
    "workplace_location": gettext_lazy("Workplace location"),
    "workplace_contact": gettext_lazy("Workplace contact"),
    "work_type": gettext_lazy("Work type"),
    "tasks": gettext_lazy("Tasks"),
    "hours_per_day": gettext_lazy("Hours per day"),
    "days_per_week": gettext_lazy("Days per week"),
    "whereabouts_when_not_working": gettext_lazy("Whereabouts when not working"),
    "concern_hazardous_work": gettext_lazy("Hazardous work"),
    "education_status": gettext_lazy("Education"),
    "immediate_protection_risks": gettext_lazy("Immediate protection risks"),
    "health_wellbeing": gettext_lazy("Health and well-being"),
}


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _get(obj: Any, name: str) -> Any:
    """A field of the read model, whether it hands out rows or dicts."""
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)


def _yes_no(value: Any) -> Any:
    return gettext("Yes") if value is True else value


def _giver(code: Any) -> str:
    try:
        return str(Consent.Giver(code).label)
    except ValueError:
        return str(code or "")


def _fact_lines(
    facts: dict[str, Any], sop: Sop, lang: str, hidden: frozenset[str]
) -> list[dict[str, str]]:
    defs = {f.code: f for c in sop.concerns for f in c.facts}
    out = []
    for code, value in facts.items():
        if code in hidden or value in (None, False, "", []):
            continue
        fact = defs.get(code)
        label = fact.label.get(lang) if fact else code
        if value is True:
            text = gettext("Yes")
        elif fact is not None and fact.choices:
            text = next((c.label.get(lang) for c in fact.choices if c.code == value), str(value))
        else:
            text = str(value)
        out.append({"label": label, "value": text})
    return out


def case_pdf_context(case: Case, actor: Actor, lang: str) -> dict[str, Any]:
    """Everything the template shows (call under ``translation.override(lang)``)."""
    from fanous.referrals.selectors.referrals import case_referrals

    row, sop = active_sop(case.area)
    zone = ZoneInfo(sop.timezone)
    out = case_out(case, actor)
    sensitive_ok = can_see_sensitive(actor, case)
    dp = sop.data_protection
    hidden_facts = frozenset() if sensitive_ok or dp is None else dp.facts
    hidden_narrative = frozenset() if sensitive_ok or dp is None else dp.narrative
    assessments = [
        {
            "kind": str(Assessment.Kind(a.kind).label),
            "assessed_on": a.assessed_on,
            "risk_level": a.risk_level,
            "facts": _fact_lines(a.facts or {}, sop, lang, hidden_facts),
            "narrative": [
                (k, v) for k, v in (a.narrative or {}).items() if v and k not in hidden_narrative
            ],
            "sop_version": a.sop_version.version,
        }
        for a in Assessment.objects.filter(case=case)
        .select_related("sop_version")
        .order_by("assessed_on", "created_at")
    ]
    follow_ups = [
        {
            "kind": str(FollowUp.Kind(f.kind).label),
            "happened_on": f.happened_on,
            "child_seen": f.child_seen,
            "notes": f.notes,
        }
        for f in FollowUp.objects.filter(case=case).order_by("happened_on", "created_at")
    ]
    referrals = [
        {
            "reference": f"R{r.number}",
            "service": r.provider.name(lang) if r.provider else r.service_type,
            "status": r.status,
            "urgent": r.urgent,
            "sent_at": timezone.localtime(r.sent_at, zone) if r.sent_at else None,
        }
        for r in case_referrals(actor=actor, case_id=case.pk)
    ]
    timeline = [
        {
            "at": timezone.localtime(e.at, zone),
            "action": str(Event.Action(e.action).label),
            "who": (e.actor.get_full_name() or e.actor.username) if e.actor else "",
        }
        for e in case_history(actor=actor, case_id=case.pk)
    ]
    concern_labels = {c.code: c.label.get(lang) for c in sop.concerns}
    purposes = {p.code: p.label.get(lang) for p in sop.consent_purposes}
    printed = timezone.localtime(timezone.now(), zone)
    header = f"{gettext('SOP version')} {row.version} · {printed:%d/%m/%Y %H:%M}"
    return {
        "lang": lang,
        "dir": "rtl" if lang == "ar" else "ltr",
        "case": out,
        "concerns": [concern_labels.get(c, c) for c in out.get("concerns") or []],
        "consents": [
            {
                "purpose": purposes.get(_get(c, "purpose"), _get(c, "purpose")),
                "giver": _giver(_get(c, "giver")),
                "given": _get(c, "given"),
                "recorded_on": _get(c, "recorded_on"),
                "withdrawn": _get(c, "withdrawn_at") is not None,
            }
            for c in out.get("consents") or []
        ],
        "registration": [
            (str(REGISTRATION_LABELS.get(k, k)), _yes_no(v))
            for k, v in (out.get("registration") or {}).items()
            if v not in (None, "", False)
        ],
        "assessments": assessments,
        "follow_ups": follow_ups,
        "referrals": referrals,
        "timeline": timeline,
        "sop_version": row.version,
        "sop_title": sop.title.get(lang),
        "printed_at": printed,
        "printed_by": actor.user.get_full_name() or actor.user.username,
        "sensitive_hidden": not sensitive_ok,
        "page_header": _css_string("\u2066" + header + "\u2069"),
        "confidential": _css_string("CONFIDENTIAL / سري"),
        "page_label": _css_string(gettext("Page")),
    }


@transaction.atomic
def case_file_pdf(*, actor: Actor, case_id: UUID, lang: str) -> bytes:
    """The case file as PDF bytes; the print is recorded as a read and as an export."""
    from fanous.referrals.card import render_pdf

    if lang not in LANGUAGES:
        raise ValidationFailed(
            "Unknown language %(lang)s. Choose ar, en or fr.", {"lang": lang}, code="lang"
        )
    case = case_get(actor=actor, case_id=case_id)  # 404 for whoever may not see it
    if not in_scope(actor, case):
        raise PermissionDeniedError(
            "Only the assigned caseworker and their supervisor can print the case file.",
            code="not_assigned",
        )
    zone = ZoneInfo(active_sop(case.area)[1].timezone)
    # Dates in the SOP's time zone, like the page header.
    with translation.override(lang), timezone.override(zone):
        html = render_to_string("web/exports/case_pdf.html", case_pdf_context(case, actor, lang))
    pdf = render_pdf(html)
    record_read(actor, case, case, section="case_file_pdf")
    record(
        actor=actor.user,
        action=Event.Action.EXPORT,
        obj=case,
        case=case,
        changes={"format": "pdf", "lang": lang},
        summary="case file printed",
        sop_version=case.sop_version.version,
    )
    return pdf


def case_pdf_response(pdf: bytes, case_id: UUID) -> HttpResponse:
    """Shown in the browser's viewer; no name or case number in the file name."""
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="case-file-{case_id.hex[:12]}.pdf"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
