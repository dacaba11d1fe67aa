"""The inter-agency report (SPEC §12): de-identified aggregates for the coordination group.

For the coordinator (``REPORTS_AGGREGATE``): counts of the cases of every agency working
under one SOP (its area and the areas below it), identified within a period (both ends
included, in the SOP's time zone), by area, sex, age band, nationality, legal status, work
type, risk level and any SOP fact the coordination group wants to follow (a hazard, a
condition...), each crossed with a column dimension (sex by default).

* Computed in the database: one GROUP BY per table, never a loop over cases.
* De-identified: only codes and their labels leave the database, never a name, a case
  number, an id or a date of birth (the age band is computed in SQL at the period end).
* Small cells are suppressed (fanous.domain.suppression): nothing under 5 is shown, and no
  hidden count can be recomputed from the totals.
* Sensitive facts (the SOP's data protection annex, and facts marked sensitive) cannot be
  chosen as dimensions: they are restricted even inside the agency.

The HTML page, the XLSX and the PDF show the same :class:`Report`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from io import BytesIO
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from django.db.models import Case as When_
from django.db.models import (
    CharField,
    Count,
    Expression,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_lazy
from django_stubs_ext import StrOrPromise

from fanous.accounts.access import Actor
from fanous.accounts.models import Area
from fanous.accounts.permissions import Permission
from fanous.cases.models import Assessment, Case, Sex
from fanous.core.errors import NotFoundError, ValidationFailed
from fanous.domain.dates import add_months
from fanous.domain.sop import FactDef, FactType, RiskLevel, Sop
from fanous.domain.suppression import Suppressed, suppress
from fanous.sop.models import SopVersion
from fanous.sop.selectors import sop_of

# Age bands at the period end: (code, lowest age, highest age or None). Change here only.
AGE_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("0-4", 0, 4),
    ("5-11", 5, 11),
    ("12-14", 12, 14),
    ("15-17", 15, 17),
    ("18+", 18, None),
)

FACT_PREFIX = "fact:"
NOT_RECORDED = ""

BUILTIN_DIMENSIONS: dict[str, StrOrPromise] = {
    "area": gettext_lazy("Area"),
    "sex": gettext_lazy("Sex"),
    "age_band": gettext_lazy("Age band"),
    "nationality": gettext_lazy("Nationality"),
    "legal_status": gettext_lazy("Legal status"),
    "work_type": gettext_lazy("Work type"),
    "risk_level": gettext_lazy("Risk level"),
}
DEFAULT_DIMENSIONS = tuple(BUILTIN_DIMENSIONS)
DEFAULT_COLUMNS = "sex"

# The order rows and columns are shown in, where there is a natural one.
_ORDER: dict[str, list[str]] = {
    "sex": [Sex.FEMALE.value, Sex.MALE.value],
    "age_band": [b[0] for b in AGE_BANDS],
    "risk_level": [RiskLevel.HIGH, RiskLevel.MEDIUM, RiskLevel.LOW, RiskLevel.NONE],
    "fact": ["yes", "no"],
}


@dataclass(frozen=True)
class ReportParams:
    area_id: UUID
    start: date
    end: date
    dimensions: tuple[str, ...] = DEFAULT_DIMENSIONS
    columns: str = DEFAULT_COLUMNS

    def to_json(self) -> dict[str, Any]:
        return {
            "area_id": str(self.area_id),
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "dimensions": list(self.dimensions),
            "columns": self.columns,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ReportParams:
        return cls(
            area_id=UUID(str(data["area_id"])),
            start=date.fromisoformat(data["start"]),
            end=date.fromisoformat(data["end"]),
            dimensions=tuple(data.get("dimensions") or DEFAULT_DIMENSIONS),
            columns=data.get("columns") or DEFAULT_COLUMNS,
        )


@dataclass
class Table:
    code: str
    title: str
    column_title: str
    row_labels: list[str]
    col_labels: list[str]
    counts: Suppressed

    def rows(self) -> list[tuple[str, list[int | None], int | None]]:
        return [
            (label, cells, total)
            for label, cells, total in zip(
                self.row_labels, self.counts.cells, self.counts.row_totals, strict=True
            )
        ]


@dataclass
class Report:
    area: str
    start: date
    end: date
    sop_version: str
    sop_title: str
    generated_at: datetime
    requested_by: str
    lang: str
    tables: list[Table] = field(default_factory=list)


# --------------------------------------------------------------------------- choices


def report_areas(actor: Actor) -> list[Area]:
    """The areas with an SOP in force: the coordinator reports on one of them at a time."""
    actor.require(Permission.REPORTS_AGGREGATE)
    ids = SopVersion.objects.filter(status=SopVersion.Status.IN_FORCE).values("area_id")
    return list(Area.objects.filter(pk__in=ids).order_by("code"))


def reportable_facts(sop: Sop) -> list[FactDef]:
    """SOP facts that may be a dimension: yes/no and choice facts, never a sensitive one."""
    protected = sop.data_protection.facts if sop.data_protection else frozenset()
    seen: set[str] = set()
    out: list[FactDef] = []
    for concern in sop.concerns:
        for fact in concern.facts:
            if fact.code in seen or fact.sensitive or fact.code in protected:
                continue
            if fact.type not in (FactType.BOOL, FactType.CHOICE):
                continue  # a number (hours, age) has too many values for a count table
            seen.add(fact.code)
            out.append(fact)
    return out


def dimension_choices(sop: Sop, lang: str) -> list[tuple[str, str]]:
    """(code, label) of every dimension the coordinator can choose, built-in first."""
    out = [(code, str(label)) for code, label in BUILTIN_DIMENSIONS.items()]
    out += [(FACT_PREFIX + f.code, f.label.get(lang)) for f in reportable_facts(sop)]
    return out


# --------------------------------------------------------------------------- queries


def _area_of(actor: Actor, area_id: UUID) -> tuple[Area, SopVersion, Sop]:
    area = next((a for a in report_areas(actor) if a.pk == area_id), None)
    if area is None:
        raise NotFoundError("No SOP is in force for this area. Choose another area.")
    row = SopVersion.objects.get(area=area, status=SopVersion.Status.IN_FORCE)
    return area, row, sop_of(row)


def _areas_under(area: Area) -> set[UUID]:
    """The area and the areas below it that have no SOP of their own (their SOP is ours)."""
    return {a.pk for a in Area.objects.select_related("parent") if a.sop_area().pk == area.pk}


def report_cases(area: Area, sop: Sop, start: date, end: date) -> QuerySet[Case]:
    """Cases identified in [start, end] (both days included, in the SOP's time zone)."""
    zone = ZoneInfo(sop.timezone)
    since = datetime.combine(start, time.min, tzinfo=zone)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone)
    return Case.objects.filter(
        area_id__in=_areas_under(area), identified_at__gte=since, identified_at__lt=until
    )


def _age_band(end: date) -> Expression:
    """The age band at ``end`` from the date of birth, in SQL (no birth date leaves it)."""
    whens = []
    for code, low, _high in reversed(AGE_BANDS):
        # Completed years >= low  <=>  born on or before ``end`` minus ``low`` years.
        whens.append(When(child__birth_date__lte=add_months(end, -12 * low), then=Value(code)))
    return When_(*whens, default=Value(NOT_RECORDED), output_field=CharField())


def _fact(fact: FactDef) -> Expression:
    """The fact's value in the case's latest assessment: yes/no, a choice code, or ''."""
    latest = Assessment.objects.filter(case=OuterRef("pk")).order_by("-assessed_on", "-created_at")
    # Only the open (clear) column: sensitive facts are sealed and never reportable.
    path = f"open_facts__{fact.code}"
    if fact.type == FactType.BOOL:
        value: Expression = When_(
            When(Q(**{path: True}), then=Value("yes")),
            When(Q(**{path: False}), then=Value("no")),
            default=Value(NOT_RECORDED),
            output_field=CharField(),
        )
    else:
        value = KT(path)
    return Coalesce(
        Subquery(latest.annotate(v=value).values("v")[:1], output_field=CharField()),
        Value(NOT_RECORDED),
        output_field=CharField(),
    )


def _expr(code: str, end: date, facts: dict[str, FactDef]) -> Expression:
    if code == "area":
        return Coalesce("area__code", Value(NOT_RECORDED), output_field=CharField())
    if code == "sex":
        return Coalesce("child__sex", Value(NOT_RECORDED), output_field=CharField())
    if code == "age_band":
        return _age_band(end)
    if code in ("nationality", "legal_status"):
        return Coalesce(f"child__{code}", Value(NOT_RECORDED), output_field=CharField())
    if code == "work_type":
        return Coalesce("registration__work_type", Value(NOT_RECORDED), output_field=CharField())
    if code == "risk_level":
        return Coalesce("risk_level", Value(NOT_RECORDED), output_field=CharField())
    return _fact(facts[code.removeprefix(FACT_PREFIX)])


def _check_params(params: ReportParams, sop: Sop) -> dict[str, FactDef]:
    facts = {f.code: f for f in reportable_facts(sop)}
    if params.end < params.start:
        raise ValidationFailed(
            "The period ends before it starts. Choose an end date on or after the start date.",
            code="period_invalid",
        )
    for code in (*params.dimensions, params.columns):
        if code in BUILTIN_DIMENSIONS:
            continue
        if code.startswith(FACT_PREFIX) and code.removeprefix(FACT_PREFIX) in facts:
            continue
        raise ValidationFailed(
            "%(dimension)s cannot be reported on. Choose one of the listed dimensions.",
            {"dimension": code},
            code="dimension_unknown",
        )
    if not params.dimensions:
        raise ValidationFailed("Choose at least one dimension.", code="dimension_missing")
    return facts


def report_case_count(*, actor: Actor, params: ReportParams) -> int:
    """How many cases the report covers (decides whether it runs in the background)."""
    area, _row, sop = _area_of(actor, params.area_id)
    _check_params(params, sop)
    return report_cases(area, sop, params.start, params.end).count()


# --------------------------------------------------------------------------- labels


def _labeller(code: str, sop: Sop, facts: dict[str, FactDef], lang: str) -> Any:
    from fanous.referrals.card import NATIONALITY_LABELS

    not_recorded = gettext("Not recorded")
    if code == "area":
        names = {a.code: a.name(lang) for a in Area.objects.all()}
        return lambda v: names.get(v, v) if v else not_recorded
    if code == "sex":
        return lambda v: str(Sex(v).label) if v in Sex.values else not_recorded
    if code == "risk_level":
        return lambda v: gettext(RiskLevel(v).label) if v in set(RiskLevel) else not_recorded
    if code == "nationality":
        return lambda v: str(NATIONALITY_LABELS.get(v, v)) if v else not_recorded
    if code.startswith(FACT_PREFIX):
        fact = facts[code.removeprefix(FACT_PREFIX)]
        choices = {c.code: c.label.get(lang) for c in fact.choices}
        yes_no = {"yes": gettext("Yes"), "no": gettext("No")}
        return lambda v: (yes_no.get(v) or choices.get(v) or v) if v else not_recorded
    return lambda v: v or not_recorded


def _ordered(code: str, keys: set[str]) -> list[str]:
    order = _ORDER.get("fact" if code.startswith(FACT_PREFIX) else code, [])
    known = [k for k in order if k in keys]
    rest = sorted(k for k in keys if k not in order and k != NOT_RECORDED)
    return known + rest + ([NOT_RECORDED] if NOT_RECORDED in keys else [])


def _title(code: str, facts: dict[str, FactDef], lang: str) -> str:
    if code in BUILTIN_DIMENSIONS:
        return str(BUILTIN_DIMENSIONS[code])
    return facts[code.removeprefix(FACT_PREFIX)].label.get(lang)


# --------------------------------------------------------------------------- the report


def interagency_report(*, actor: Actor, params: ReportParams, lang: str) -> Report:
    """The report, suppressed, with its labels in ``lang``."""
    with translation.override(lang):
        return _interagency_report(actor=actor, params=params, lang=lang)


def _interagency_report(*, actor: Actor, params: ReportParams, lang: str) -> Report:
    area, row, sop = _area_of(actor, params.area_id)
    facts = _check_params(params, sop)
    cases = report_cases(area, sop, params.start, params.end)
    col_code = params.columns
    report = Report(
        area=area.name(lang),
        start=params.start,
        end=params.end,
        sop_version=row.version,
        sop_title=sop.title.get(lang),
        generated_at=timezone.localtime(timezone.now(), ZoneInfo(sop.timezone)),
        requested_by=actor.user.get_full_name() or actor.user.username,
        lang=lang,
    )
    col_label = _labeller(col_code, sop, facts, lang)
    for code in params.dimensions:
        same = code == col_code
        grouped = (
            cases.order_by()
            .annotate(
                r=_expr(code, params.end, facts),
                c=Value("all") if same else _expr(col_code, params.end, facts),
            )
            .values("r", "c")
            .annotate(n=Count("pk"))
        )
        counts = {(g["r"] or NOT_RECORDED, g["c"] or NOT_RECORDED): g["n"] for g in grouped}
        row_keys = _ordered(code, {k[0] for k in counts})
        col_keys = ["all"] if same else _ordered(col_code, {k[1] for k in counts})
        if not row_keys:
            row_keys = ["-"]
        if not col_keys:
            col_keys = ["-"]
        matrix = [[counts.get((r, c), 0) for c in col_keys] for r in row_keys]
        row_label = _labeller(code, sop, facts, lang)
        report.tables.append(
            Table(
                code=code,
                title=_title(code, facts, lang),
                column_title="" if same else _title(col_code, facts, lang),
                row_labels=[row_label(k) if k != "-" else "—" for k in row_keys],
                col_labels=(
                    [gettext("Cases")]
                    if same
                    else [col_label(k) if k != "-" else "—" for k in col_keys]
                ),
                counts=suppress(matrix),
            )
        )
    return report


def cell_text(value: int | None) -> str:
    return "<5" if value is None else str(value)


# --------------------------------------------------------------------------- files


def report_xlsx(report: Report) -> bytes:
    """The report as .xlsx: right-to-left in Arabic, dates as dates, header block first."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    with translation.override(report.lang):
        wb = Workbook(write_only=True)
        ws = wb.create_sheet(gettext("Report")[:31])
        ws.sheet_view.rightToLeft = report.lang == "ar"
        bold = Font(bold=True)

        def text(value: str, strong: bool = False) -> Any:
            cell = WriteOnlyCell(ws, value=value)
            if strong:
                cell.font = bold
            return cell

        def day(value: date | datetime, fmt: str = "DD/MM/YYYY") -> Any:
            if isinstance(value, datetime):
                value = value.replace(tzinfo=None)  # Excel has no time zones: local time
            cell = WriteOnlyCell(ws, value=value)
            cell.number_format = fmt
            return cell

        ws.append([text(gettext("Inter-agency report"), True)])
        ws.append([text(gettext("CONFIDENTIAL: de-identified aggregates"), True)])
        ws.append([text(gettext("Area")), text(report.area)])
        ws.append([text(gettext("Period from")), day(report.start)])
        ws.append([text(gettext("Period to")), day(report.end)])
        ws.append([text(gettext("SOP version")), text(report.sop_version)])
        ws.append([text(gettext("Requested by")), text(report.requested_by)])
        ws.append([text(gettext("Generated on")), day(report.generated_at, "DD/MM/YYYY HH:MM")])
        ws.append([text(gettext("Counts under 5 are shown as <5."))])
        for table in report.tables:
            ws.append([])
            title = table.title + (f" × {table.column_title}" if table.column_title else "")
            ws.append([text(title, True)])
            ws.append(
                [text(table.title, True)]
                + [text(c, True) for c in table.col_labels]
                + [text(gettext("Total"), True)]
            )
            for label, cells, total in table.rows():
                ws.append([label, *[_xlsx_count(v) for v in cells], _xlsx_count(total)])
            ws.append(
                [text(gettext("Total"), True)]
                + [_xlsx_count(v) for v in table.counts.col_totals]
                + [_xlsx_count(table.counts.total)]
            )
        buffer = BytesIO()
        wb.save(buffer)
    return buffer.getvalue()


def _xlsx_count(value: int | None) -> int | str:
    return "<5" if value is None else value


def _css_string(text: str) -> str:
    """Text for a CSS ``content:`` string (the page header is drawn from CSS)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def report_html(report: Report, *, for_pdf: bool) -> str:
    with translation.override(report.lang):
        header = " · ".join(
            [
                gettext("SOP version %(version)s") % {"version": report.sop_version},
                report.generated_at.strftime("%d/%m/%Y %H:%M"),
            ]
        )
        # Dates in the SOP's time zone, like the page header.
        zone = report.generated_at.tzinfo
        with timezone.override(zone):
            return render_to_string(
                "web/reports/interagency_pdf.html",
                {
                    "report": report,
                    "dir": "rtl" if report.lang == "ar" else "ltr",
                    "page_header": _css_string("\u2066" + header + "\u2069"),
                    "confidential": _css_string(gettext("CONFIDENTIAL")),
                    "page_label": _css_string(gettext("Page")),
                    "for_pdf": for_pdf,
                },
            )


def report_pdf(report: Report) -> bytes:
    from fanous.referrals.card import render_pdf

    return render_pdf(report_html(report, for_pdf=True))


def report_filename(params: ReportParams, ext: str) -> str:
    return f"interagency-{params.start:%Y%m%d}-{params.end:%Y%m%d}.{ext}"


__all__: Sequence[str] = [
    "AGE_BANDS",
    "Report",
    "ReportParams",
    "Table",
    "dimension_choices",
    "interagency_report",
    "report_areas",
    "report_case_count",
    "report_pdf",
    "report_xlsx",
    "reportable_facts",
]
