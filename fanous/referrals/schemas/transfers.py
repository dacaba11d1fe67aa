"""Schemas of the transfer endpoints (/api/v1/transfers)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from ninja import Schema
from pydantic import Field


class TransferRequestIn(Schema):
    id: UUID | None = None  # chosen by the client: a retried request returns the first
    case_id: UUID
    version: int = Field(description="The case version the client last saw.")
    to_agency_id: UUID
    reason: str = Field(max_length=4000, description="For the sending supervisor (internal).")
    note_to_receiver: str = Field(
        max_length=2000,
        description="The only text the receiving agency reads before it accepts: no name.",
    )
    override_reason: str = Field(
        "", max_length=4000, description="Best-interests ground when consent is not on record."
    )


class TransferVersionIn(Schema):
    version: int = Field(description="The transfer version the client last saw.")


class TransferReasonIn(TransferVersionIn):
    reason: str = Field(max_length=2000)


class TransferAcceptIn(TransferVersionIn):
    caseworker_id: int | None = Field(
        None, description="A caseworker of your team; empty leaves the case unassigned."
    )


class AgencyRef(Schema):
    id: UUID
    code: str
    name: str


class AreaRef(Schema):
    code: str
    name: str


class TransferEventOut(Schema):
    id: UUID
    at: datetime
    actor: str | None
    action: str
    object_type: str
    summary: str
    changes: dict[str, Any]
    sop_version: str


class TransferOut(Schema):
    """A transfer as the actor may read it: the receiving side gets no case data."""

    id: UUID
    version: int
    status: str
    side: str
    from_agency: AgencyRef
    to_agency: AgencyRef
    area: AreaRef
    note_to_receiver: str
    requested_at: datetime
    approved_at: datetime | None
    decided_at: datetime | None
    decision_note: str
    allowed_actions: list[str]
    case_id: UUID | None
    case_number: str | None
    child_name: str | None
    reason: str | None
    basis: str | None
    override_reason: str | None
    requested_by: str | None
    approved_by: str | None
    decided_by: str | None
    snapshot: dict[str, Any] | None
    history: list[TransferEventOut] | None


class TransferListOut(Schema):
    inbox: list[TransferOut]
    outbox: list[TransferOut]
