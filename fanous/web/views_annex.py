"""Printable data-protection annexes of the SOP (issue 4, SPEC §2, §12).

* the data protection impact assessment (DPIA) template, as a page and as a PDF;
* the information sharing protocol: what a referral may carry, under which consent, how
  fast, and what stays restricted (sensitive sections, break-glass, shares).

Both carry the SOP version and its endorsement date on every printed page. They hold no
case data: anyone who may read the SOP may read them.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import get_language

from fanous.accounts.access import Actor
from fanous.accounts.models import Agency
from fanous.accounts.permissions import Permission
from fanous.core.errors import NotFoundError
from fanous.domain.sop import Sop
from fanous.sop.models import SopVersion
from fanous.sop.selectors import active_sop, sop_of, sop_version_get

from .views import actor_of

LANGUAGES = ("ar", "en", "fr")


def _lang() -> str:
    return (get_language() or "ar")[:2]


def _row(actor: Actor, sop_id: UUID | None) -> SopVersion:
    """The version asked for, else the one in force where the actor works."""
    actor.require(Permission.SOP_VIEW)
    if sop_id is not None:
        return sop_version_get(actor=actor, sop_id=sop_id)
    agency = (
        Agency.objects.select_related("area").filter(pk=actor.agency_id).first()
        if actor.agency_id
        else None
    )
    if agency is not None and agency.area is not None:
        try:
            return active_sop(agency.area)[0]
        except NotFoundError:
            raise Http404 from None
    row = (
        SopVersion.objects.filter(status=SopVersion.Status.IN_FORCE)
        .select_related("area")
        .order_by("area__code")
        .first()
    )
    if row is None:
        raise Http404
    return row


def dpia_context(row: SopVersion, sop: Sop, lang: str) -> dict[str, Any]:
    protection = sop.data_protection
    sections = (
        [
            {"code": d.code, "title": d.title.get(lang), "guidance": d.guidance.get(lang)}
            for d in protection.dpia
        ]
        if protection
        else []
    )
    return {
        "sop_row": row,
        "sop_title": sop.title.get(lang),
        "lang": lang,
        "dir": "rtl" if lang == "ar" else "ltr",
        "printed_on": timezone.localdate(),
        "dpia": sections,
        "protection": protection,
        "sensitive": [s.label.get(lang) for s in protection.sensitive_sections]
        if protection
        else [],
    }


def sharing_context(row: SopVersion, sop: Sop, lang: str) -> dict[str, Any]:
    policy = sop.referrals
    protection = sop.data_protection
    sections: list[dict[str, Any]] = []
    types: list[dict[str, Any]] = []
    if policy is not None:
        labels = {s.code: s.label.get(lang) for s in policy.sections}
        sections = [
            {
                "code": s.code,
                "label": s.label.get(lang),
                "default": s.default,
                "sensitive": s.sensitive,
            }
            for s in policy.sections
        ]
        types = [
            {
                "code": t.code,
                "label": t.label.get(lang),
                "urgent": t.urgent,
                "sections": [labels.get(c, c) for c in t.sections],
            }
            for t in policy.types
        ]
    return {
        "sop_row": row,
        "lang": lang,
        "printed_on": timezone.localdate(),
        "policy": policy,
        "share_sections": sections,
        "referral_types": types,
        "consent_purposes": [
            {
                "code": p.code,
                "label": p.label.get(lang),
                "required": p.required_for_registration,
                "for_sharing": policy is not None and p.code == policy.consent_purpose,
            }
            for p in sop.consent_purposes
        ],
        "assent_min_age": sop.assent_min_age,
        "protection": protection,
        "sensitive_sections": [
            {"code": s.code, "label": s.label.get(lang)} for s in protection.sensitive_sections
        ]
        if protection
        else [],
    }


@login_required
def annex_dpia(request: HttpRequest, sop_id: UUID | None = None) -> HttpResponse:
    """The DPIA template of the SOP, printable, version and date on every page."""
    row = _row(actor_of(request), sop_id)
    context = dpia_context(row, sop_of(row), _lang())
    return render(request, "web/annex/dpia.html", context)


@login_required
def annex_sharing(request: HttpRequest, sop_id: UUID | None = None) -> HttpResponse:
    """The information sharing protocol of the SOP, printable."""
    row = _row(actor_of(request), sop_id)
    context = sharing_context(row, sop_of(row), _lang())
    return render(request, "web/annex/sharing.html", context)


def dpia_pdf(row: SopVersion, lang: str) -> bytes:
    """The DPIA annex as a PDF in ``lang`` (WeasyPrint, no network, fonts from fontconfig)."""
    from fanous.referrals.card import render_pdf

    with translation.override(lang):
        html = render_to_string("web/annex/dpia_pdf.html", dpia_context(row, sop_of(row), lang))
    return render_pdf(html)


@login_required
def annex_dpia_pdf(request: HttpRequest, sop_id: UUID | None = None) -> HttpResponse:
    row = _row(actor_of(request), sop_id)
    lang = request.GET.get("lang", _lang())
    if lang not in LANGUAGES:
        lang = _lang()
    response = HttpResponse(dpia_pdf(row, lang), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="dpia-{row.version}-{lang}.pdf"'
    return response
