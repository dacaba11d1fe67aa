"""The service map as an .xlsx workbook (SOP annex; re-importable whatever the language).

Row 1 holds the field codes (hidden: the importer reads it, so a file exported in Arabic
imports as well as one exported in English); row 2 the headers in the user's language.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from fanous.accounts.access import Actor
from fanous.domain.sop.referrals import ReferralPolicy
from fanous.referrals.models import ServiceProvider
from fanous.referrals.selectors.providers import ProviderFilter, provider_list_for

__all__ = ["COLUMNS", "Column", "HEADER_ROWS", "LIST_SEPARATOR", "providers_export_xlsx"]

LIST_SEPARATOR = ","
HEADER_ROWS = 2
SHEET_NAME = "services"


@dataclass(frozen=True)
class Column:
    code: str
    header: StrOrPromise
    width: int = 18
    kind: str = "text"  # text | list | int | bool


COLUMNS: tuple[Column, ...] = (
    Column("id", _("Identifier (leave empty for a new service)"), 38),
    Column("version", _("Version"), 9, "int"),
    Column("agency", _("Agency code"), 12),
    Column("area", _("Area code"), 16),
    Column("name_ar", _("Name in Arabic"), 32),
    Column("name_en", _("Name in English"), 32),
    Column("name_fr", _("Name in French"), 24),
    Column("sector", _("Sector code"), 18),
    Column("service_types", _("Service type codes (comma-separated)"), 36, "list"),
    Column("address", _("Address"), 30),
    Column("phone", _("Phone"), 16),
    Column("email", _("Email"), 26),
    Column("contact_person", _("Contact person"), 20),
    Column("languages", _("Languages (codes, comma-separated)"), 14, "list"),
    Column("opening_hours", _("Opening hours"), 22),
    Column("eligibility", _("Eligibility"), 30),
    Column("accepts_from", _("Accepts referrals from (agency codes; empty: all)"), 22, "list"),
    Column("capacity", _("Capacity (places per month; empty: not known)"), 12, "int"),
    Column("in_app", _("Uses Fanous (yes/no)"), 10, "bool"),
    Column("is_active", _("Active (yes/no)"), 10, "bool"),
    Column("notes", _("Notes"), 30),
)


def _cell(provider: ServiceProvider, column: Column) -> Any:
    if column.code == "id":
        return str(provider.pk)
    if column.code == "agency":
        return provider.agency.code
    if column.code == "area":
        return provider.area.code
    value = getattr(provider, column.code)
    if column.kind == "list":
        return LIST_SEPARATOR.join(value or [])
    if column.kind == "bool":
        return "yes" if value else "no"
    return value


def _codes_sheet(wb: Workbook, policy: ReferralPolicy, lang: str) -> None:
    ws = wb.create_sheet("codes")
    ws.append([gettext("Code"), gettext("Sector"), gettext("Label")])
    for sector in policy.sectors:
        ws.append([sector.code, sector.code, sector.label.get(lang)])
    for st in policy.service_types:
        ws.append([st.code, st.sector, st.label.get(lang)])
    for letter, width in (("A", 26), ("B", 18), ("C", 50)):
        ws.column_dimensions[letter].width = width


def providers_export_xlsx(
    *,
    actor: Actor,
    filters: ProviderFilter | None = None,
    lang: str = "ar",
    policy: ReferralPolicy | None = None,
    providers: Iterable[ServiceProvider] | None = None,
) -> bytes:
    """The (filtered) service map as .xlsx bytes, headers in ``lang``."""
    rows = list(providers) if providers is not None else provider_list_for(actor, filters)
    with translation.override(lang):
        wb = Workbook()
        ws = wb.active
        assert ws is not None
        ws.title = SHEET_NAME
        ws.sheet_view.rightToLeft = lang == "ar"
        ws.append([c.code for c in COLUMNS])
        ws.append([str(c.header) for c in COLUMNS])
        ws.row_dimensions[1].hidden = True
        bold = Font(bold=True)
        fill = PatternFill("solid", fgColor="DDE7F0")
        for cell in ws[2]:
            cell.font = bold
            cell.fill = fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for index, column in enumerate(COLUMNS, start=1):
            ws.column_dimensions[ws.cell(row=1, column=index).column_letter].width = column.width
        for provider in rows:
            ws.append([_cell(provider, c) for c in COLUMNS])
        ws.freeze_panes = "A3"
        if policy is not None:
            _codes_sheet(wb, policy, lang)
        buffer = BytesIO()
        wb.save(buffer)
    return buffer.getvalue()
