"""Schemas of the service map and pathway endpoints."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from ninja import Schema
from pydantic import Field


class ProviderIn(Schema):
    id: UUID | None = None
    agency: str = Field(max_length=32, description="Agency code of the organisation")
    area: str = Field(max_length=32, description="Area code")
    name_ar: str = Field(max_length=200)
    name_en: str = Field("", max_length=200)
    name_fr: str = Field("", max_length=200)
    sector: str = Field(max_length=64, description="Sector code of the SOP")
    service_types: list[str] = Field(max_length=40, description="Service type codes of the SOP")
    address: str = Field("", max_length=300)
    phone: str = Field("", max_length=40)
    email: str = Field("", max_length=254)
    contact_person: str = Field("", max_length=120)
    languages: list[str] = Field(default_factory=list, max_length=20)
    opening_hours: str = Field("", max_length=200)
    eligibility: str = Field("", max_length=2000)
    accepts_from: list[str] = Field(
        default_factory=list, max_length=100, description="Agency codes; empty: every agency"
    )
    capacity: int | None = Field(None, description="Places per month; null: not known")
    in_app: bool = True
    notes: str = Field("", max_length=2000)


class ProviderPatchIn(Schema):
    """Only the fields sent change; ``version`` is the version the client last saw."""

    version: int
    agency: str | None = Field(None, max_length=32)
    area: str | None = Field(None, max_length=32)
    name_ar: str | None = Field(None, max_length=200)
    name_en: str | None = Field(None, max_length=200)
    name_fr: str | None = Field(None, max_length=200)
    sector: str | None = Field(None, max_length=64)
    service_types: list[str] | None = Field(None, max_length=40)
    address: str | None = Field(None, max_length=300)
    phone: str | None = Field(None, max_length=40)
    email: str | None = Field(None, max_length=254)
    contact_person: str | None = Field(None, max_length=120)
    languages: list[str] | None = Field(None, max_length=20)
    opening_hours: str | None = Field(None, max_length=200)
    eligibility: str | None = Field(None, max_length=2000)
    accepts_from: list[str] | None = Field(None, max_length=100)
    capacity: int | None = None
    capacity_unknown: bool = Field(False, description="Set the capacity to not known (null)")
    in_app: bool | None = None
    is_active: bool | None = None
    notes: str | None = Field(None, max_length=2000)


class VersionIn(Schema):
    version: int


class ProviderOut(Schema):
    id: UUID
    version: int
    agency: str
    agency_name: str
    area: str
    area_name: str
    name: str
    name_ar: str
    name_en: str
    name_fr: str
    sector: str
    sector_label: str
    service_types: list[str]
    service_type_labels: list[str]
    address: str
    phone: str
    email: str
    contact_person: str
    languages: list[str]
    opening_hours: str
    eligibility: str
    accepts_from: list[str]
    capacity: int | None
    in_app: bool
    is_active: bool
    notes: str
    updated_at: datetime


class ProviderListOut(Schema):
    count: int
    limit: int
    offset: int
    items: list[ProviderOut]


class ProviderBriefOut(Schema):
    id: UUID
    name: str
    agency: str
    area: str
    capacity: int | None
    in_app: bool
    phone: str


class ServiceOptionOut(Schema):
    service_type: str
    label: str
    providers: list[ProviderBriefOut]


class NeedOut(Schema):
    need: str
    label: str
    urgent: bool
    from_assessment: bool
    from_plan: bool
    gap: bool
    gap_recorded: bool
    service_types: list[ServiceOptionOut]


class PathwaysOut(Schema):
    case_id: UUID
    sop_version: str | None
    needs: list[NeedOut]
    gaps: list[str]


class GapOut(Schema):
    id: UUID
    need: str
    service_types: list[str]
    noted_on: str


class GapRecordIn(Schema):
    case_id: UUID


class ImportReasonOut(Schema):
    code: str
    message: str


class ImportRowOut(Schema):
    row: int
    id: UUID | None
    action: str
    name_ar: str
    changed: list[str]
    errors: list[ImportReasonOut]


class ImportOut(Schema):
    valid: bool
    saved: bool
    dry_run: bool
    created: int
    updated: int
    unchanged: int
    problems: list[ImportReasonOut]
    rows: list[ImportRowOut]
