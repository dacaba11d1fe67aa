"""Writing the audit log. Called by every service inside its transaction."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

from django.db import models

from fanous.audit.models import Event
from fanous.core.middleware import current_request


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, UUID | Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return str(value.pk)
    return value


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Field -> [old, new] for the fields whose value changed."""
    out: dict[str, list[Any]] = {}
    for key in after:
        old, new = _plain(before.get(key)), _plain(after.get(key))
        if old != new:
            out[key] = [old, new]
    return out


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    return {f: _plain(getattr(obj, f)) for f in fields}


def record(
    *,
    actor: Any,
    action: str,
    obj: models.Model,
    case: Any = None,
    changes: Mapping[str, Any] | None = None,
    summary: str = "",
    sop_version: str = "",
) -> Event:
    ctx = current_request()
    return Event.objects.create(
        actor=actor,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        case=case,
        summary=summary[:200],
        changes={
            k: _plain(v) if not isinstance(v, list) else [_plain(x) for x in v]
            for k, v in (changes or {}).items()
        },
        sop_version=sop_version,
        request_id=ctx.request_id if ctx else "",
        ip=ctx.ip if ctx else None,
    )
