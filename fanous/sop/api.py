"""SOP versions: read by everyone who works cases, written by the coordinator."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from pydantic import Field

from fanous.accounts.access import Actor
from fanous.accounts.models import Area, User
from fanous.accounts.permissions import Permission
from fanous.core.errors import NotFoundError
from fanous.domain.sop import review_due_on, review_overdue
from fanous.sop import services
from fanous.sop.models import SopVersion
from fanous.sop.selectors import sop_of, sop_version_get, sop_version_list_for

router = Router(tags=["sop"])


class SopVersionOut(Schema):
    id: UUID
    area: str
    version: str
    status: str
    endorsed_on: date
    review_due_on: date
    review_overdue: bool
    in_force_from: datetime | None
    row_version: int
    data: dict[str, Any]


class SopDraftIn(Schema):
    area: str = Field(..., max_length=32)
    data: dict[str, Any]


class SopDraftUpdateIn(Schema):
    row_version: int
    data: dict[str, Any]


def _out(row: SopVersion, today: date) -> dict[str, Any]:
    sop = sop_of(row)
    return {
        "id": row.pk,
        "area": row.area.code,
        "version": row.version,
        "status": row.status,
        "endorsed_on": row.endorsed_on,
        "review_due_on": review_due_on(sop),
        "review_overdue": row.status == SopVersion.Status.IN_FORCE and review_overdue(sop, today),
        "in_force_from": row.in_force_from,
        "row_version": row.row_version,
        "data": row.data,
    }


def _today() -> date:
    from django.utils import timezone

    return timezone.localdate()


@router.get("/versions", response=list[SopVersionOut])
def sop_list(request: HttpRequest, area: str | None = None) -> list[dict[str, Any]]:
    qs = sop_version_list_for(Actor.of_request(request))
    if area:
        qs = qs.filter(area__code=area)
    return [_out(row, _today()) for row in qs]


@router.get("/versions/{sop_id}", response=SopVersionOut)
def sop_get(request: HttpRequest, sop_id: UUID) -> dict[str, Any]:
    return _out(sop_version_get(actor=Actor.of_request(request), sop_id=sop_id), _today())


@router.post("/versions", response={201: SopVersionOut})
def sop_create(request: HttpRequest, payload: SopDraftIn) -> Status[dict[str, Any]]:
    actor = Actor.of_request(request)
    actor.require(Permission.SOP_MANAGE)
    area = Area.objects.filter(code=payload.area).first()
    if area is None:
        raise NotFoundError("Unknown area %(code)s.", {"code": payload.area})
    row = services.sop_create_draft(actor=actor, area=area, data=payload.data)
    return Status(201, _out(row, _today()))


@router.put("/versions/{sop_id}", response=SopVersionOut)
def sop_update(request: HttpRequest, sop_id: UUID, payload: SopDraftUpdateIn) -> dict[str, Any]:
    row = services.sop_update_draft(
        actor=Actor.of_request(request),
        sop_id=sop_id,
        data=payload.data,
        expected_version=payload.row_version,
    )
    return _out(row, _today())


@router.post("/versions/{sop_id}/publish", response=SopVersionOut)
def sop_publish(request: HttpRequest, sop_id: UUID) -> dict[str, Any]:
    row = services.sop_publish(actor=Actor.of_request(request), sop_id=sop_id)
    return _out(row, _today())


@router.get("/active", response=SopVersionOut)
def sop_active(request: HttpRequest, area: str | None = None) -> dict[str, Any]:
    """The SOP in force for an area (default: the area of the user's agency's cases)."""
    from fanous.sop.selectors import sop_version_in_force

    actor = Actor.of_request(request)
    actor.require(Permission.SOP_VIEW)
    user: User = request.user  # type: ignore[assignment]
    node = get_object_or_404(Area, code=area) if area else _default_area(user)
    return _out(sop_version_in_force(node), _today())


def _default_area(user: User) -> Area:
    if user.agency is None or user.agency.area is None:
        raise NotFoundError("Choose an area: your account has no default area.")
    return user.agency.area
