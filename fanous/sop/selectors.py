"""Reading SOP versions. Values handed to the domain are frozen pydantic objects."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any
from uuid import UUID

from django.db.models import QuerySet

from fanous.accounts.access import Actor
from fanous.accounts.models import Area
from fanous.accounts.permissions import Permission
from fanous.core.errors import NotFoundError
from fanous.domain.sop import Sop, parse_sop
from fanous.sop.models import SopVersion

DEFAULT_SOP_PATH = Path(__file__).resolve().parent / "default_sop.json"


def default_sop_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DEFAULT_SOP_PATH.read_text(encoding="utf-8"))
    return data


@lru_cache(maxsize=64)
def _parsed(version_id: UUID, row_version: int) -> Sop:
    # Keyed by row id and row version: a version in force never changes, a draft's
    # row_version moves on every edit, so the cache can never hand out stale rules.
    row = SopVersion.objects.get(pk=version_id)
    return parse_sop(row.data)


def sop_of(row: SopVersion) -> Sop:
    return _parsed(row.pk, row.row_version)


def sop_version_in_force(area: Area) -> SopVersion:
    """The SOP version in force for an area (or its nearest ancestor that has one)."""
    node: Area | None = area
    while node is not None:
        row = SopVersion.objects.filter(area=node, status=SopVersion.Status.IN_FORCE).first()
        if row is not None:
            return row
        node = node.parent
    raise NotFoundError(
        "No SOP is in force for this area. Ask the inter-agency coordinator to publish one."
    )


def active_sop(area: Area) -> tuple[SopVersion, Sop]:
    row = sop_version_in_force(area)
    return row, sop_of(row)


def sop_version_list_for(actor: Actor) -> QuerySet[SopVersion]:
    """SOP versions the actor may read: drafts only for those who manage the SOP."""
    actor.require(Permission.SOP_VIEW)
    qs = SopVersion.objects.select_related("area").order_by("area__code", "-created_at")
    if not actor.can(Permission.SOP_MANAGE):
        qs = qs.exclude(status=SopVersion.Status.DRAFT)
    return qs


def sop_version_get(*, actor: Actor, sop_id: UUID) -> SopVersion:
    """One SOP version; a draft is invisible (404) to anyone who does not manage the SOP."""
    row = sop_version_list_for(actor).filter(pk=sop_id).first()
    if row is None:
        raise NotFoundError("This SOP version does not exist.")
    return row
