"""The urgent action referral card (SPEC §2): one printable page for the receiving service.

For a case needing immediate action, the receiving service gets, on one A4 page in its
language, what it needs to act and whom to call: the reference, the deadline, the sending
caseworker and supervisor, the service, the need and the reason, and only the sections the
sender chose to share (``Referral.shared``, frozen when it was sent; the case itself is
never read for more). The same card, titled "Referral form", serves non-urgent referrals.

Both doors (web and API) call :func:`urgent_card_pdf`; it checks who may read the referral
(the sending side or the receiving service, through ``referral_get``) and records the print
in the audit log, because printing case data is an access that must be traceable.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from django.db import transaction
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_lazy
from django_stubs_ext import StrOrPromise

from fanous.accounts.access import Actor
from fanous.accounts.models import User
from fanous.audit.models import Event
from fanous.audit.services import record
from fanous.core.errors import ValidationFailed
from fanous.domain.referrals import ReferralStatus
from fanous.domain.sop import RiskLevel
from fanous.referrals.models import Referral
from fanous.referrals.selectors.referrals import referral_get, sender_supervisors
from fanous.sop.selectors import sop_of

LANGUAGES = ("ar", "en", "fr")

ACCOMPANIMENT_LABELS: dict[str, StrOrPromise] = {
    "transport": gettext_lazy("Transport"),
    "translation": gettext_lazy("Interpretation"),
    "forms": gettext_lazy("Help with forms"),
    "escort": gettext_lazy("Escorted by the caseworker"),
}

SEX_LABELS: dict[str, StrOrPromise] = {"f": gettext_lazy("Female"), "m": gettext_lazy("Male")}

RELATION_LABELS: dict[str, StrOrPromise] = {
    "mother": gettext_lazy("Mother"),
    "father": gettext_lazy("Father"),
    "grandparent": gettext_lazy("Grandparent"),
    "sibling": gettext_lazy("Brother or sister"),
    "uncle_aunt": gettext_lazy("Uncle or aunt"),
    "spouse": gettext_lazy("Spouse"),
    "relative": gettext_lazy("Other relative"),
    "other": gettext_lazy("Other"),
}

NATIONALITY_LABELS: dict[str, StrOrPromise] = {
    "SY": gettext_lazy("Syria"),
    "JO": gettext_lazy("Jordan"),
    "IQ": gettext_lazy("Iraq"),
    "PS": gettext_lazy("Palestine"),
    "LB": gettext_lazy("Lebanon"),
    "YE": gettext_lazy("Yemen"),
    "SD": gettext_lazy("Sudan"),
    "EG": gettext_lazy("Egypt"),
    "other": gettext_lazy("Other"),
}


def _refuse_remote(url: str) -> None:
    """WeasyPrint never goes on the network: the card is built from the template alone.

    A remote URL would tell a third party that a child's card is being printed, and a
    slow or dead host would hang the print. (The template links no file either; fonts
    come from fontconfig.)
    """
    raise ValueError(f"The referral card loads no external resources (refused {url[:80]!r}).")


def _url_fetcher() -> Any:
    from weasyprint.urls import URLFetcher

    class RefusingFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            if not url.startswith("file:"):
                _refuse_remote(url)
            return super().fetch(url, headers)

    return RefusingFetcher(allowed_protocols=("file",))


def _label(value: str, labels: dict[str, StrOrPromise]) -> str:
    label = labels.get(value)
    return str(label) if label is not None else value


def _language_name(code: str) -> str:
    try:
        return str(translation.get_language_info(code)["name_translated"])
    except KeyError:
        return code


def _person(user: User | None) -> dict[str, str] | None:
    if user is None:
        return None
    return {"name": user.get_full_name() or user.username, "phone": user.phone}


def _local(value: datetime | None, zone: ZoneInfo) -> datetime | None:
    return timezone.localtime(value, zone) if value is not None else None


def _fact_labels(lines: Any, lang: str) -> list[str]:
    """Fact lines of the snapshot (``{"code", "label": {ar, en, fr}, "value"?}``) as text."""
    out = []
    for line in lines or ():
        labels = line.get("label") or {}
        text = labels.get(lang) or labels.get("en") or labels.get("ar") or line.get("code", "")
        if "value" in line:
            text = f"{text}: {line['value']}"
        out.append(text)
    return out


def _shared_view(shared: dict[str, Any], lang: str) -> dict[str, Any]:
    """The snapshot, with codes turned into labels; nothing is added that was not shared."""
    view: dict[str, Any] = {}
    if "identity" in shared:
        identity = dict(shared["identity"])
        identity["sex_label"] = _label(identity.get("sex") or "", SEX_LABELS)
        identity["nationality_label"] = _label(
            identity.get("nationality") or "", NATIONALITY_LABELS
        )
        identity["language_names"] = [_language_name(c) for c in identity.get("languages") or ()]
        born = identity.get("birth_date")
        identity["born"] = date.fromisoformat(born) if born else None
        view["identity"] = identity
    if "contact" in shared:
        view["contact"] = shared["contact"]
    if "caregiver" in shared:
        view["caregiver"] = [
            {"name": c.get("name", ""), "relation": _label(c.get("relation", ""), RELATION_LABELS)}
            for c in shared["caregiver"]
        ]
    if "risk_level" in shared and shared["risk_level"]:
        try:
            view["risk_level"] = gettext(RiskLevel(shared["risk_level"]).label)
        except ValueError:
            view["risk_level"] = shared["risk_level"]
    if "work" in shared:
        work = dict(shared["work"])
        work["condition_labels"] = _fact_labels(work.get("conditions"), lang)
        work["place"] = [
            work[k] for k in ("work_type", "workplace_name", "workplace_location") if work.get(k)
        ]
        view["work"] = work
    if "education" in shared:
        view["education"] = shared["education"]
    if "health" in shared:
        health = dict(shared["health"])
        health["concern_labels"] = _fact_labels(health.get("concerns"), lang)
        view["health"] = health
    if "safety_plan" in shared:
        view["safety_plan"] = shared["safety_plan"]
    if "sensitive_disclosures" in shared:
        view["sensitive_disclosures"] = _fact_labels(shared["sensitive_disclosures"], lang)
    return view


def card_context(referral: Referral, lang: str) -> dict[str, Any]:
    """What the card template shows, in ``lang`` (call under ``translation.override``)."""
    row = referral.sop_version
    sop = sop_of(row)
    policy = sop.referrals
    zone = ZoneInfo(sop.timezone)
    need = policy.need(referral.need) if policy and referral.need else None
    service_type = policy.service_type(referral.service_type) if policy else None
    referral_type = policy.referral_type(referral.kind) if policy else None
    case = referral.case
    # The caseworker who holds the case is the one to call; the sender when none is assigned.
    caseworker = case.caseworker or referral.sender
    supervisors = sender_supervisors(referral)
    provider = referral.provider
    return {
        "lang": lang,
        "dir": "rtl" if lang == "ar" else "ltr",
        "sep": "، " if lang == "ar" else ", ",
        "urgent": referral.urgent,
        "reference": f"{case.case_number}-R{referral.number}",
        "status": gettext(ReferralStatus(referral.status).label),
        "referral_type": referral_type.label.get(lang) if referral_type else referral.kind,
        "sop_title": sop.title.get(lang) if sop.title else "",
        "sop_version": row.version,
        "sop_endorsed_on": row.endorsed_on,
        "sent_at": _local(referral.sent_at, zone),
        "respond_by": _local(referral.respond_by, zone),
        "acknowledge_by": _local(referral.acknowledge_by, zone),
        "time_zone": sop.timezone,
        "sender_agency": referral.sender_agency.name(lang),
        "caseworker": _person(caseworker),
        "sender": _person(referral.sender) if referral.sender_id != caseworker.pk else None,
        "supervisors": [_person(s) for s in supervisors],
        "provider": {
            "name": provider.name(lang),
            "agency": provider.agency.name(lang),
            "address": provider.address,
            "phone": provider.phone,
            "email": provider.email,
            "contact_person": provider.contact_person,
            "opening_hours": provider.opening_hours,
            "languages": [_language_name(c) for c in provider.languages],
        },
        "to_user": _person(referral.to_user),
        "need": need.label.get(lang) if need else referral.need,
        "service_type": service_type.label.get(lang) if service_type else referral.service_type,
        "reason": referral.reason,
        "shared": _shared_view(referral.shared or {}, lang),
        "accompaniment": [_label(a, ACCOMPANIMENT_LABELS) for a in referral.accompaniment],
        "accompaniment_notes": referral.accompaniment_notes,
        "generated_at": timezone.localtime(timezone.now(), zone),
    }


def render_card_html(referral: Referral, lang: str) -> str:
    with translation.override(lang):
        return render_to_string("web/referrals/card.html", card_context(referral, lang))


def render_pdf(html: str) -> bytes:
    # Imported here: WeasyPrint loads pango at import, which only printing needs.
    from weasyprint import HTML

    pdf: bytes = HTML(string=html, base_url=None, url_fetcher=_url_fetcher()).write_pdf()
    return pdf


@transaction.atomic
def urgent_card_pdf(*, actor: Actor, referral_id: UUID, lang: str) -> bytes:
    """The referral's one-page card as PDF bytes, in ``lang``; the print is audited.

    Only who may read the referral may print it (the sending side through the case, the
    receiving service through what was sent to it); anyone else gets NotFoundError.
    """
    if lang not in LANGUAGES:
        raise ValidationFailed(
            "Unknown language %(lang)s. Choose ar, en or fr.", {"lang": lang}, code="lang"
        )
    referral = referral_get(actor=actor, referral_id=referral_id)
    pdf = render_pdf(render_card_html(referral, lang))
    record(
        actor=actor.user,
        action=Event.Action.REFERRAL,
        obj=referral,
        case=referral.case,
        changes={"lang": lang},
        summary="referral card printed",
        sop_version=referral.sop_version.version,
    )
    return pdf


def card_filename(referral_id: UUID) -> str:
    """A safe file name: nothing of the child (name, case number) in a downloads folder."""
    return f"referral-card-{referral_id.hex[:12]}.pdf"


def card_response(pdf: bytes, referral_id: UUID) -> HttpResponse:
    """The PDF shown in the browser's viewer (both doors), kept out of shared caches."""
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{card_filename(referral_id)}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
