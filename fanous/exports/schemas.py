from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from ninja import Schema
from pydantic import Field


class ExportIn(Schema):
    kind: Literal["case_list_csv", "case_list_xlsx", "interagency_xlsx", "interagency_pdf"]
    # Case lists: status, risk, overdue, q, include_closed, caseworker_id, identified.
    # Inter-agency report: area_id, start, end, dimensions, columns.
    params: dict[str, Any] = Field(default_factory=dict)
    lang: Literal["ar", "en", "fr"] = "ar"


class ExportOut(Schema):
    id: UUID
    kind: str
    status: str
    progress: int
    rows: int
    excluded: int
    identified: bool
    sop_version: str
    filename: str
    error: str
    created_at: datetime
    finished_at: datetime | None
    expires_at: datetime
    file_url: str | None
