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
from fanous.core.middleware import request_memo
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


# Ancestors read in one query: camp -> district -> governorate -> country is 3 levels.
_UP = ("parent_id", "parent__parent_id", "parent__parent__parent_id")


def sop_version_in_force(area: Area) -> SopVersion:
    """The SOP version in force for an area (or its nearest ancestor that has one).

    Two queries (the area's ancestors, then the versions in force among them), and none
    when the same request asked already. The row comes without its ``data`` (loaded if a
    caller reads it): the rules come parsed and cached from :func:`sop_of`.
    """
    memo = request_memo()
    key = ("sop_in_force", area.pk)
    if memo is not None and key in memo:
        row: SopVersion = memo[key]
        return row
    row = _in_force(area)
    if memo is not None:
        memo[key] = row
    return row


def _in_force(area: Area) -> SopVersion:
    path: list[Any] = [area.pk]
    top: Any = area.parent_id
    while True:
        if top is not None:
            ups = Area.objects.filter(pk=top).values_list("id", *_UP).first()
            ids = [i for i in ups or () if i is not None]
            path.extend(ids)
            top = ups[-1] if ups else None  # deeper than 4 levels: go on from there
        rows = {
            r.area_id: r
            for r in SopVersion.objects.filter(
                area_id__in=path, status=SopVersion.Status.IN_FORCE
            ).defer("data")
        }
        for node in path:
            if node in rows:
                return rows[node]
        if top is None:
            break
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
