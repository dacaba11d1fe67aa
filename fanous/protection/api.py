"""Case access endpoints (SPEC §12): shares with a colleague, revocation, break-glass.

Mounted at ``/api/v1/access``. Each parses input, calls a service or selector, serializes.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from fanous.accounts.access import Actor

from . import selectors, services

router = Router(tags=["access"])


class GrantOut(Schema):
    id: UUID
    kind: str
    user: str
    user_name: str
    include_sensitive: bool
    reason: str
    granted_by: str
    starts_at: datetime
    expires_at: datetime
    last_day: date
    revoked_at: datetime | None
    revoked_by: str | None
    state: str
    sop_version: str


class ShareIn(Schema):
    user_id: int = Field(ge=1, le=2_147_483_647)
    reason: str = Field(max_length=2000)
    until: date
    include_sensitive: bool = False


class BreakGlassIn(Schema):
    case_number: str = Field(max_length=40)
    reason: str = Field(max_length=2000)


class BreakGlassOut(GrantOut):
    case_id: UUID


@router.get("/cases/{case_id}", response=list[GrantOut])
def grant_list(request: HttpRequest, case_id: UUID) -> list[dict[str, Any]]:
    """Who else may read the case (shares, break-glass accesses), live and past."""
    actor = Actor.of_request(request)
    return selectors.grants_listed(actor=actor, case_id=case_id)


@router.post("/cases/{case_id}/shares", response={201: GrantOut})
def share_create(request: HttpRequest, case_id: UUID, payload: ShareIn) -> Status[dict[str, Any]]:
    """Share the case, read only, with a colleague of the same agency until a date."""
    grant = services.case_share(
        actor=Actor.of_request(request),
        case_id=case_id,
        user_id=payload.user_id,
        reason=payload.reason,
        until=payload.until,
        include_sensitive=payload.include_sensitive,
    )
    return Status(201, selectors.grant_out(grant))


@router.post("/cases/{case_id}/grants/{grant_id}/revoke", response=GrantOut)
def grant_revoke(request: HttpRequest, case_id: UUID, grant_id: UUID) -> dict[str, Any]:
    """End a share or a break-glass access now."""
    grant = services.grant_revoke(
        actor=Actor.of_request(request), case_id=case_id, grant_id=grant_id
    )
    return selectors.grant_out(grant)


@router.post("/break-glass", response={201: BreakGlassOut})
def break_glass(request: HttpRequest, payload: BreakGlassIn) -> Status[dict[str, Any]]:
    """A supervisor's emergency access to a case of their agency, by its number."""
    grant = services.break_glass(
        actor=Actor.of_request(request), case_number=payload.case_number, reason=payload.reason
    )
    return Status(201, {**selectors.grant_out(grant), "case_id": grant.case_id})
