"""Case lists to CSV and XLSX (SPEC §12; issue 4 "Exports", "Consent enforcement").

* Scope: the cases the user may see (cases_visible_to, through the caseload selector and
  its filters): a caseworker exports their own cases, a supervisor their team's.
* De-identified by default: no name, phone, address or case number; the age band instead
  of the date of birth; each case gets a pseudonym that only means something inside this
  one file.
* Identified (supervisors only): names and case numbers, and only for the cases whose
  consent for the SOP's ``data_protection.export_consent_purpose`` is given and not
  withdrawn (caregiver, and the child from the SOP's assent age: the rule of
  fanous.cases.services.common.effective_consents, computed in SQL). The rows left out
  are counted in the file header.
* Sensitive sections never leave: no assessment facts, no free text, and the sensitive
  concerns of the SOP's data protection annex are dropped from the concerns column.
* Every file starts with "confidential", the requesting user, the date and time, and the
  SOP version.

Read in batches (``iterator(chunk_size=...)``) with the progress reported every batch.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_lazy
from django_stubs_ext import StrOrPromise

from fanous.accounts.access import Actor
from fanous.accounts.models import Agency
from fanous.accounts.permissions import Permission
from fanous.cases import selectors
from fanous.cases.models import Case, Consent, Sex
from fanous.core.errors import NotFoundError, PermissionDeniedError
from fanous.domain import timeframes as tf
from fanous.domain.dates import add_months
from fanous.domain.sop import RiskLevel, Sop
from fanous.domain.workflow import CaseStatus
from fanous.reports.interagency import AGE_BANDS
from fanous.sop.models import SopVersion
from fanous.sop.selectors import active_sop

CHUNK = 500

Progress = Callable[[int, int], None]  # (rows done, rows in all)


@dataclass(frozen=True)
class CaseListParams:
    """The caseload page's filters, plus whether names are included."""

    status: tuple[str, ...] = ()
    risk: tuple[str, ...] = ()
    overdue: bool = False
    q: str = ""
    include_closed: bool = False
    caseworker_id: int | None = None
    identified: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "status": list(self.status),
            "risk": list(self.risk),
            "overdue": self.overdue,
            "q": self.q,
            "include_closed": self.include_closed,
            "caseworker_id": self.caseworker_id,
            "identified": self.identified,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CaseListParams:
        statuses = {s.value for s in CaseStatus}
        levels = {r.value for r in RiskLevel}
        cw = data.get("caseworker_id")
        return cls(
            status=tuple(s for s in data.get("status") or () if s in statuses),
            risk=tuple(r for r in data.get("risk") or () if r in levels),
            overdue=bool(data.get("overdue")),
            q=str(data.get("q") or "")[:100],
            include_closed=bool(data.get("include_closed")),
            caseworker_id=int(cw)
            if isinstance(cw, int) or (isinstance(cw, str) and cw.isdigit())
            else None,
            identified=bool(data.get("identified")),
        )

    def caseload_filter(self) -> selectors.CaseloadFilter:
        return selectors.CaseloadFilter(
            status=[CaseStatus(s) for s in self.status] or None,
            risk=[RiskLevel(r) for r in self.risk] or None,
            overdue=True if self.overdue else None,
            q=self.q or None,
            include_closed=self.include_closed,
            caseworker_id=self.caseworker_id,
        )


def require_export(actor: Actor, *, identified: bool) -> None:
    """Caseworkers and supervisors export; only supervisors include names."""
    actor.require(Permission.CASE_EXPORT)
    if identified and not actor.can(Permission.CASE_EXPORT_IDENTIFIED):
        raise PermissionDeniedError(
            "Only a supervisor can export names. Export the de-identified list instead.",
            code="role_not_allowed",
        )


def actor_sop(actor: Actor) -> tuple[SopVersion, Sop]:
    agency = (
        Agency.objects.select_related("area").filter(pk=actor.agency_id).first()
        if actor.agency_id is not None
        else None
    )
    if agency is None or agency.area is None:
        raise NotFoundError(
            "No SOP is in force where your agency works. Ask the inter-agency coordinator."
        )
    return active_sop(agency.area)


def _today(sop: Sop) -> date:
    return timezone.now().astimezone(ZoneInfo(sop.timezone)).date()


def _consent_given(purpose: str, giver: str) -> Exists:
    """The latest record of ``purpose`` by ``giver`` gives consent and is not withdrawn."""
    latest = Consent.objects.filter(
        case=OuterRef(OuterRef("pk")), purpose=purpose, giver=giver
    ).order_by("-created_at", "-pk")
    return Exists(
        Consent.objects.filter(
            pk=Subquery(latest.values("pk")[:1]), given=True, withdrawn_at__isnull=True
        )
    )


def consent_condition(sop: Sop, today: date) -> Q:
    """SQL form of effective_consents for the export purpose (caregiver; child from the
    SOP's assent age)."""
    purpose = (
        sop.data_protection.export_consent_purpose
        if sop.data_protection
        else ("information_sharing")
    )
    below_assent = Q(child__birth_date__gt=add_months(today, -12 * sop.assent_min_age))
    return Q(_consent_given(purpose, Consent.Giver.CAREGIVER)) & (
        below_assent | Q(_consent_given(purpose, Consent.Giver.CHILD))
    )


def case_list_queryset(actor: Actor, params: CaseListParams, sop: Sop) -> QuerySet[Case]:
    return selectors.case_list_for(actor=actor, filters=params.caseload_filter(), today=_today(sop))


def case_list_count(*, actor: Actor, params: CaseListParams) -> int:
    require_export(actor, identified=params.identified)
    _row, sop = actor_sop(actor)
    return case_list_queryset(actor, params, sop).count()


@dataclass(frozen=True)
class Column:
    code: str
    header: StrOrPromise
    identified_only: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("ref", gettext_lazy("Reference in this file")),
    Column("case_number", gettext_lazy("Case number"), True),
    Column("child_name", gettext_lazy("Child's name"), True),
    Column("birth_date", gettext_lazy("Date of birth"), True),
    Column("phone", gettext_lazy("Phone"), True),
    Column("address", gettext_lazy("Address"), True),
    Column("caseworker", gettext_lazy("Caseworker"), True),
    Column("agency", gettext_lazy("Agency")),
    Column("area", gettext_lazy("Area")),
    Column("sex", gettext_lazy("Sex")),
    Column("age_band", gettext_lazy("Age band")),
    Column("nationality", gettext_lazy("Nationality")),
    Column("legal_status", gettext_lazy("Legal status")),
    Column("disability", gettext_lazy("Disability")),
    Column("status", gettext_lazy("Status")),
    Column("risk_level", gettext_lazy("Risk level")),
    Column("concerns", gettext_lazy("Protection concerns")),
    Column("source", gettext_lazy("Source")),
    Column("work_type", gettext_lazy("Work type")),
    Column("identified_on", gettext_lazy("Identified on")),
    Column("registered_on", gettext_lazy("Registered on")),
    Column("initial_assessed_on", gettext_lazy("Initial assessment on")),
    Column("comprehensive_assessed_on", gettext_lazy("Comprehensive assessment on")),
    Column("plan_approved_on", gettext_lazy("Plan approved on")),
    Column("next_due_on", gettext_lazy("Next due on")),
    Column("closed_on", gettext_lazy("Closed on")),
    Column("closure_reason", gettext_lazy("Closure reason")),
)
DATE_COLUMNS = frozenset(
    {
        "birth_date",
        "identified_on",
        "registered_on",
        "initial_assessed_on",
        "comprehensive_assessed_on",
        "plan_approved_on",
        "next_due_on",
        "closed_on",
    }
)

_VALUES = (
    "pk",
    "case_number",
    "agency__code",
    "area__code",
    "child__given_name",
    "child__father_name",
    "child__grandfather_name",
    "child__family_name",
    "child__birth_date",
    "child__phone",
    "child__current_address",
    "child__sex",
    "child__nationality",
    "child__legal_status",
    "child__disability",
    "caseworker__first_name",
    "caseworker__last_name",
    "caseworker__username",
    "status",
    "risk_level",
    "concerns",
    "source",
    "registration__work_type",
    "identified_at",
    "registered_at",
    "initial_assessed_on",
    "comprehensive_assessed_on",
    "plan_approved_at",
    "next_due_on",
    "closed_at",
    "closure_reason",
)


def age_band(birth_date: date | None, on: date) -> str:
    if birth_date is None or birth_date > on:
        return ""
    age = tf.age_on(birth_date, on)
    for code, low, high in AGE_BANDS:
        if age >= low and (high is None or age <= high):
            return code
    return ""


@dataclass
class CaseListFile:
    content: bytes
    rows: int
    excluded: int
    sop_version: str
    filename: str
    content_type: str


class _Rows:
    """Turns a values() row into the export's cells, in the file's language."""

    def __init__(self, sop: Sop, lang: str, identified: bool, prefix: str, today: date) -> None:
        self.sop, self.lang, self.identified, self.prefix = sop, lang, identified, prefix
        self.today = today
        self.zone = ZoneInfo(sop.timezone)
        protected = sop.data_protection.concerns if sop.data_protection else frozenset()
        self.protected = protected
        self.concern_labels = {c.code: c.label.get(lang) for c in sop.concerns}
        self.columns = [c for c in COLUMNS if identified or not c.identified_only]
        self.n = 0

    def _day(self, value: datetime | None) -> date | None:
        return timezone.localtime(value, self.zone).date() if value else None

    def cells(self, r: dict[str, Any]) -> list[Any]:
        self.n += 1
        name = " ".join(
            p
            for p in (
                r["child__given_name"],
                r["child__father_name"],
                r["child__grandfather_name"],
                r["child__family_name"],
            )
            if p
        )
        caseworker = " ".join(
            p for p in (r["caseworker__first_name"], r["caseworker__last_name"]) if p
        ) or (r["caseworker__username"] or "")
        concerns = [c for c in (r["concerns"] or []) if c not in self.protected]
        values: dict[str, Any] = {
            "ref": f"{self.prefix}-{self.n:06d}",
            "case_number": r["case_number"],
            "child_name": name,
            "birth_date": r["child__birth_date"],
            "phone": r["child__phone"] or "",
            "address": r["child__current_address"] or "",
            "caseworker": caseworker,
            "agency": r["agency__code"],
            "area": r["area__code"],
            "sex": str(Sex(r["child__sex"]).label) if r["child__sex"] in Sex.values else "",
            "age_band": age_band(r["child__birth_date"], self.today),
            "nationality": r["child__nationality"] or "",
            "legal_status": r["child__legal_status"] or "",
            "disability": gettext("Yes") if r["child__disability"] else gettext("No"),
            "status": _status_label(r["status"]),
            "risk_level": _risk_label(r["risk_level"]),
            "concerns": ", ".join(self.concern_labels.get(c, c) for c in concerns),
            "source": r["source"] or "",
            "work_type": r["registration__work_type"] or "",
            "identified_on": self._day(r["identified_at"]),
            "registered_on": self._day(r["registered_at"]),
            "initial_assessed_on": r["initial_assessed_on"],
            "comprehensive_assessed_on": r["comprehensive_assessed_on"],
            "plan_approved_on": self._day(r["plan_approved_at"]),
            "next_due_on": r["next_due_on"],
            "closed_on": self._day(r["closed_at"]),
            "closure_reason": r["closure_reason"] or "",
        }
        return [values[c.code] for c in self.columns]


def _status_label(value: str) -> str:
    try:
        return gettext(CaseStatus(value).label)
    except ValueError:
        return value


def _risk_label(value: str) -> str:
    try:
        return gettext(RiskLevel(value).label)
    except ValueError:
        return value


def _header_lines(
    actor: Actor, sop_version: str, now: datetime, identified: bool, excluded: int
) -> list[tuple[str, Any]]:
    user = actor.user.get_full_name() or actor.user.username
    lines: list[tuple[str, Any]] = [
        (gettext("CONFIDENTIAL"), gettext("Case list. Keep it safe; delete it when done.")),
        (gettext("Requested by"), f"{user} ({actor.user.username})"),
        (gettext("Generated on"), now),
        (gettext("SOP version"), sop_version),
        (
            gettext("Content"),
            gettext("Identified (names included)") if identified else gettext("De-identified"),
        ),
    ]
    if identified:
        lines.append(
            (gettext("Cases left out for want of consent to export"), excluded),
        )
    return lines


def build_case_list(
    *,
    actor: Actor,
    params: CaseListParams,
    fmt: str,
    lang: str,
    prefix: str,
    progress: Progress,
) -> CaseListFile:
    """The file (``fmt`` "csv" or "xlsx"), built in batches; ``progress`` after each batch."""
    require_export(actor, identified=params.identified)
    row, sop = actor_sop(actor)
    today = _today(sop)
    qs = case_list_queryset(actor, params, sop)
    excluded = 0
    if params.identified:
        allowed = qs.filter(consent_condition(sop, today))
        excluded = qs.count() - allowed.count()
        qs = allowed
    total = qs.count()
    with translation.override(lang):
        maker = _Rows(sop, lang, params.identified, prefix, today)
        now = timezone.localtime(timezone.now(), ZoneInfo(sop.timezone))
        header = _header_lines(actor, row.version, now, params.identified, excluded)
        headers = [str(c.header) for c in maker.columns]

        def rows() -> Iterator[list[Any]]:
            done = 0
            for r in qs.values(*_VALUES).iterator(chunk_size=CHUNK):
                yield maker.cells(r)
                done += 1
                if done % CHUNK == 0:
                    progress(done, total)
            progress(done, total)

        if fmt == "csv":
            content = _csv(header, headers, rows())
            content_type = "text/csv; charset=utf-8"
        else:
            content = _xlsx(header, headers, maker.columns, rows(), rtl=lang == "ar")
            content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return CaseListFile(
        content=content,
        rows=maker.n,
        excluded=excluded,
        sop_version=row.version,
        filename=f"cases-{now:%Y%m%d-%H%M}.{fmt}",
        content_type=content_type,
    )


def _csv(header: list[tuple[str, Any]], headers: list[str], rows: Iterator[list[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    for label, value in header:
        if isinstance(value, datetime):
            value = value.strftime("%Y-%m-%d %H:%M %Z")
        writer.writerow([f"# {label}", value])
    writer.writerow([])
    writer.writerow(headers)
    for cells in rows:
        writer.writerow(
            ["" if v is None else v.isoformat() if isinstance(v, date) else v for v in cells]
        )
    # The BOM lets Excel open the UTF-8 file with its Arabic intact.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _xlsx(
    header: list[tuple[str, Any]],
    headers: list[str],
    columns: list[Column],
    rows: Iterator[list[Any]],
    *,
    rtl: bool,
) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(gettext("Cases")[:31])
    ws.sheet_view.rightToLeft = rtl
    bold = Font(bold=True)

    def cell(value: Any, *, strong: bool = False) -> Any:
        if isinstance(value, datetime):
            value = value.replace(tzinfo=None)  # local time; Excel has no time zones
            c = WriteOnlyCell(ws, value=value)
            c.number_format = "DD/MM/YYYY HH:MM"
        else:
            c = WriteOnlyCell(ws, value=value)
            if isinstance(value, date):
                c.number_format = "DD/MM/YYYY"
        if strong:
            c.font = bold
        return c

    for label, value in header:
        ws.append([cell(label, strong=True), cell(value)])
    ws.append([])
    ws.append([cell(h, strong=True) for h in headers])
    is_date = [c.code in DATE_COLUMNS for c in columns]
    for cells in rows:
        ws.append(
            [cell(v) if d and v is not None else v for v, d in zip(cells, is_date, strict=True)]
        )
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
