"""Writing SOP versions: drafts are edited by a coordinator, then put in force."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from fanous.accounts.access import Actor
from fanous.accounts.models import Area
from fanous.accounts.permissions import Permission
from fanous.audit.models import Event
from fanous.audit.services import record
from fanous.core.errors import ConflictError, NotFoundError, ValidationFailed
from fanous.domain.errors import DomainError
from fanous.domain.sop import Sop, parse_sop
from fanous.sop.models import SopVersion


def _validate(data: dict[str, Any]) -> Sop:
    try:
        return parse_sop(data)
    except DomainError as exc:
        raise ValidationFailed(exc.message, exc.params, code=exc.code, reasons=exc.reasons) from exc


@transaction.atomic
def sop_create_draft(*, actor: Actor, area: Area, data: dict[str, Any]) -> SopVersion:
    """A new draft version for an area. Nothing applies to cases until it is put in force."""
    actor.require(Permission.SOP_MANAGE)
    sop = _validate(data)
    if SopVersion.objects.filter(area=area, version=sop.version).exists():
        raise ConflictError(
            "Version %(version)s already exists for this area. Give the new version a new number.",
            {"version": sop.version},
        )
    row = SopVersion.objects.create(
        area=area,
        version=sop.version,
        endorsed_on=sop.endorsed_on,
        data=data,
        created_by=actor.user,
    )
    record(actor=actor.user, action=Event.Action.SOP, obj=row, summary=f"draft {sop.version}")
    return row


@transaction.atomic
def sop_update_draft(
    *, actor: Actor, sop_id: UUID, data: dict[str, Any], expected_version: int
) -> SopVersion:
    actor.require(Permission.SOP_MANAGE)
    row = SopVersion.objects.select_for_update().filter(pk=sop_id).first()
    if row is None:
        raise NotFoundError("This SOP version does not exist.")
    if row.status != SopVersion.Status.DRAFT:
        raise ConflictError(
            "An SOP version in force is never changed. Create a new version instead."
        )
    if row.row_version != expected_version:
        raise ConflictError(
            "Someone else changed this SOP draft since you opened it. Reload and redo your change."
        )
    sop = _validate(data)
    before = {"version": row.version, "endorsed_on": row.endorsed_on}
    row.data = data
    row.version = sop.version
    row.endorsed_on = sop.endorsed_on
    row.row_version += 1
    row.save()
    record(
        actor=actor.user,
        action=Event.Action.SOP,
        obj=row,
        summary="draft edited",
        changes={"version": [before["version"], row.version]},
    )
    return row


@transaction.atomic
def sop_publish(*, actor: Actor, sop_id: UUID) -> SopVersion:
    """Put a draft in force; the version it replaces is kept, superseded, for old decisions."""
    actor.require(Permission.SOP_MANAGE)
    row = SopVersion.objects.select_for_update().filter(pk=sop_id).first()
    if row is None:
        raise NotFoundError("This SOP version does not exist.")
    if row.status != SopVersion.Status.DRAFT:
        raise ConflictError("Only a draft can be put in force.")
    _validate(row.data)
    now = timezone.now()
    previous = SopVersion.objects.select_for_update().filter(
        area=row.area, status=SopVersion.Status.IN_FORCE
    )
    for old in previous:
        old.status = SopVersion.Status.SUPERSEDED
        old.superseded_at = now
        old.save(update_fields=["status", "superseded_at"])
    row.status = SopVersion.Status.IN_FORCE
    row.in_force_from = now
    row.save(update_fields=["status", "in_force_from"])
    record(actor=actor.user, action=Event.Action.SOP, obj=row, summary=f"in force {row.version}")
    return row


@transaction.atomic
def sop_install_default(*, area: Area) -> SopVersion:
    """Load the default SOP (global minimum standards) for an area that has none; idempotent."""
    from fanous.sop.selectors import default_sop_data

    data = default_sop_data()
    data["area_code"] = area.code
    sop = _validate(data)
    row, _created = SopVersion.objects.get_or_create(
        area=area,
        version=sop.version,
        defaults={
            "endorsed_on": sop.endorsed_on,
            "data": data,
            "status": SopVersion.Status.IN_FORCE,
            "in_force_from": timezone.now(),
        },
    )
    return row
