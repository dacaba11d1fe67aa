"""Importing the service map from .xlsx: every row checked, all saved or nothing (SPEC §2).

The first row holding the field codes of the export (hidden in an exported file) names the
columns, so a file exported in any language imports the same. A row with an ``id`` updates
that service; without one it creates a new service.
"""

from __future__ import annotations

import uuid
import zipfile
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any
from uuid import UUID

from django.db import transaction
from django.utils.translation import gettext_noop
from openpyxl import load_workbook

from fanous.accounts.access import Actor
from fanous.accounts.permissions import Permission
from fanous.core.errors import ValidationFailed
from fanous.domain.errors import Reason
from fanous.domain.roles import Role
from fanous.referrals.models import ServiceProvider
from fanous.referrals.selectors.providers_export import COLUMNS, LIST_SEPARATOR
from fanous.referrals.services.providers import (
    FIELDS,
    ProviderData,
    provider_check,
    provider_create,
    provider_data_of,
    provider_update,
)

__all__ = ["ImportResult", "ImportRow", "MAX_ROWS", "provider_import"]

MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024
_CODES = {c.code: c for c in COLUMNS}
_TRUE = {"yes", "y", "true", "1", "نعم", "oui", "x"}
_FALSE = {"no", "n", "false", "0", "لا", "non"}


@dataclass
class ImportRow:
    number: int  # the row number in the sheet, as the user sees it
    provider_id: UUID | None
    data: ProviderData | None
    action: str = "create"  # create | update | unchanged
    reasons: list[Reason] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    version_seen: str = ""  # the version column: the row was written from that version


@dataclass
class ImportResult:
    rows: list[ImportRow]
    saved: bool = False
    problems: list[Reason] = field(default_factory=list)  # about the file as a whole

    @property
    def valid(self) -> bool:
        return not self.problems and all(not r.reasons for r in self.rows)

    @property
    def error_count(self) -> int:
        return len(self.problems) + sum(1 for r in self.rows if r.reasons)

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action and not r.reasons)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _list(value: Any) -> tuple[str, ...]:
    parts = _text(value).replace("،", LIST_SEPARATOR).replace(";", LIST_SEPARATOR)
    return tuple(p.strip() for p in parts.split(LIST_SEPARATOR) if p.strip())


def _file_problem(message: str, **params: object) -> ImportResult:
    return ImportResult(rows=[], problems=[Reason("import_file_invalid", message, params)])


def _read(content: bytes) -> tuple[list[str], list[tuple[int, list[Any]]]] | ImportResult:
    if len(content) > MAX_BYTES:
        return _file_problem(gettext_noop("The file is too large (at most 5 MB)."))
    try:
        wb = load_workbook(BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        return _file_problem(
            gettext_noop("This is not an .xlsx workbook. Export the service map and fill that.")
        )
    ws = wb.worksheets[0]
    header: list[str] | None = None
    rows: list[tuple[int, list[Any]]] = []
    for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
        cells = list(values)
        if header is None:
            codes = [_text(v) for v in cells]
            if "name_ar" in codes and "agency" in codes:
                header = codes
            elif number > 5:
                break
            continue
        if all(_text(v) == "" for v in cells):
            continue
        if not rows and _is_header_row(cells):
            continue  # the translated headers right below the codes
        rows.append((number, cells))
        if len(rows) > MAX_ROWS:
            return _file_problem(gettext_noop("Too many rows (at most %(max)s)."), max=MAX_ROWS)
    wb.close()
    if header is None:
        return _file_problem(
            gettext_noop(
                "The row of field codes (id, agency, name_ar...) was not found. Start from an "
                "exported file and keep its first rows."
            )
        )
    return header, rows


def _looks_like_id(text: str) -> bool:
    try:
        UUID(text)
    except ValueError:
        return False
    return True


def _is_header_row(cells: list[Any]) -> bool:
    """The translated header row of an export: its version/capacity cells are not numbers."""
    from django.utils import translation

    texts = [_text(v) for v in cells]
    for lang in ("ar", "en", "fr"):
        with translation.override(lang):
            if texts[: len(COLUMNS)] == [str(c.header) for c in COLUMNS][: len(texts)]:
                return True
    return False


def _parse_row(number: int, header: list[str], cells: list[Any]) -> ImportRow:
    values = {code: cells[i] if i < len(cells) else None for i, code in enumerate(header)}
    reasons: list[Reason] = []

    def bad(code: str, message: str, **params: object) -> None:
        reasons.append(Reason(code, message, {"row": number, **params}))

    provider_id: UUID | None = None
    raw_id = _text(values.get("id"))
    if raw_id:
        try:
            provider_id = UUID(raw_id)
        except ValueError:
            bad(
                "import_id_invalid",
                gettext_noop("The identifier %(value)s is not valid."),
                value=raw_id,
            )
    capacity: int | None = None
    raw_capacity = _text(values.get("capacity"))
    if raw_capacity:
        try:
            capacity = int(raw_capacity)
        except ValueError:
            bad(
                "import_capacity_invalid",
                gettext_noop("The capacity %(value)s is not a whole number."),
                value=raw_capacity,
            )
    flags: dict[str, bool] = {}
    for name in ("in_app", "is_active"):
        raw = _text(values.get(name)).lower()
        if raw == "" or raw in _TRUE:
            flags[name] = True  # both default to yes
        elif raw in _FALSE:
            flags[name] = False
        else:
            bad(
                "import_flag_invalid",
                gettext_noop("Write yes or no (not %(value)s)."),
                value=raw,
            )
    data = ProviderData(
        agency=_text(values.get("agency")),
        area=_text(values.get("area")),
        name_ar=_text(values.get("name_ar")),
        name_en=_text(values.get("name_en")),
        name_fr=_text(values.get("name_fr")),
        sector=_text(values.get("sector")),
        service_types=_list(values.get("service_types")),
        address=_text(values.get("address")),
        phone=_text(values.get("phone")),
        email=_text(values.get("email")),
        contact_person=_text(values.get("contact_person")),
        languages=_list(values.get("languages")),
        opening_hours=_text(values.get("opening_hours")),
        eligibility=_text(values.get("eligibility")),
        accepts_from=_list(values.get("accepts_from")),
        capacity=capacity,
        in_app=flags.get("in_app", True),
        is_active=flags.get("is_active", True),
        notes=_text(values.get("notes")),
    )
    return ImportRow(
        number=number,
        provider_id=provider_id,
        data=data,
        reasons=reasons,
        version_seen=_text(values.get("version")),
    )


def _check_rows(actor: Actor, rows: list[ImportRow]) -> None:
    ids = [r.provider_id for r in rows if r.provider_id]
    existing = {
        p.pk: p for p in ServiceProvider.objects.select_related("agency", "area").filter(pk__in=ids)
    }
    seen: set[UUID] = set()
    for row in rows:
        raw_version = row.version_seen
        assert row.data is not None
        for reason in provider_check(actor, row.data).reasons:
            row.reasons.append(
                Reason(reason.code, reason.message, {**reason.params, "row": row.number})
            )
        if row.provider_id is None:
            row.action = "create"
            continue
        if row.provider_id in seen:
            row.reasons.append(
                Reason(
                    "import_id_twice",
                    gettext_noop("This identifier is on more than one row."),
                    {"row": row.number},
                )
            )
        seen.add(row.provider_id)
        current = existing.get(row.provider_id)
        if current is None:
            # An id chosen by another system: the service is created under it.
            row.action = "create"
            continue
        if actor.role == Role.AGENCY_ADMIN and current.agency_id != actor.agency_id:
            row.reasons.append(
                Reason(
                    "provider_not_yours",
                    gettext_noop("You can only manage the services of your own agency."),
                    {"row": row.number},
                )
            )
        if raw_version and raw_version != str(current.version):
            row.reasons.append(
                Reason(
                    "import_version_stale",
                    gettext_noop(
                        "This service was changed since the file was exported (version "
                        "%(yours)s, now %(current)s). Export again and redo this row."
                    ),
                    {"row": row.number, "yours": raw_version, "current": current.version},
                )
            )
        before = provider_data_of(current)
        row.changed = [
            f for f in FIELDS if f not in ("agency_id", "area_id") and _differs(before, row.data, f)
        ] + [f for f in ("agency", "area") if getattr(before, f) != getattr(row.data, f)]
        row.action = "update" if row.changed else "unchanged"


def _differs(before: ProviderData, after: ProviderData, name: str) -> bool:
    old, new = getattr(before, name), getattr(after, name)
    if isinstance(old, tuple):
        return list(dict.fromkeys(old)) != list(dict.fromkeys(new))
    return bool(old != new)


def provider_import(*, actor: Actor, content: bytes, dry_run: bool) -> ImportResult:
    """Check every row; unless ``dry_run`` and when all rows are valid, save them all.

    One transaction: a row refused while saving undoes the rows saved before it.
    """
    actor.require(Permission.SERVICE_MAP_MANAGE)
    parsed = _read(content)
    if isinstance(parsed, ImportResult):
        return parsed
    header, raw_rows = parsed
    unknown = [c for c in header if c and c not in _CODES]
    result = ImportResult(rows=[_parse_row(n, header, cells) for n, cells in raw_rows])
    if unknown:
        result.problems.append(
            Reason(
                "import_columns_unknown",
                gettext_noop("Unknown columns: %(codes)s. Keep the columns of the export."),
                {"codes": ", ".join(unknown)},
            )
        )
    if not result.rows and not result.problems:
        result.problems.append(
            Reason("import_empty", gettext_noop("The file has no service rows."), {})
        )
    _check_rows(actor, result.rows)
    if dry_run or not result.valid:
        return result
    _save(actor, result)
    result.saved = True
    return result


@transaction.atomic
def _save(actor: Actor, result: ImportResult) -> None:
    for row in result.rows:
        assert row.data is not None
        if row.action == "create":
            provider, _ = provider_create(
                actor=actor, data=row.data, provider_id=row.provider_id or uuid.uuid4()
            )
            row.provider_id = provider.pk
        elif row.action == "update":
            assert row.provider_id is not None
            current = ServiceProvider.objects.get(pk=row.provider_id)
            provider_update(
                actor=actor,
                provider_id=row.provider_id,
                expected_version=current.version,
                data=row.data,
            )


def import_failed(result: ImportResult) -> ValidationFailed:
    """The refusal the API returns for a file with invalid rows (nothing was saved)."""
    return ValidationFailed(
        "Some rows of the file are not valid; nothing was saved. Correct them and import again.",
        code="import_invalid",
        reasons=[*result.problems, *(r for row in result.rows for r in row.reasons)],
    )
