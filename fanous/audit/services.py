"""Writing the audit log. Called by every service inside its transaction."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

from fanous.audit.chain import (
    GENESIS,
    MAIN_CHAIN,
    hash_of,
    normalize_ip,
    normalize_json,
    text_around_of,
)
from fanous.audit.models import ChainHead, Event
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


def read_chain() -> int:
    """The chain this process appends its reads to.

    Reads outnumber changes by far, and each append locks its chain's head until the
    transaction commits. One chain would make every reader of the system wait in line for
    it; with a chain per process (modulo ``FANOUS_AUDIT_READ_CHAINS``), a gunicorn worker
    never waits for another. Each read chain is verified like the main one.
    """
    chains = max(1, int(getattr(settings, "FANOUS_AUDIT_READ_CHAINS", 8)))
    return MAIN_CHAIN + 1 + os.getpid() % chains


def _locked_head(chain: int) -> ChainHead:
    """The chain's head, locked until the caller's transaction ends (created on first use)."""
    head = ChainHead.objects.select_for_update().filter(pk=chain).first()
    if head is not None:
        return head
    last = Event.objects.filter(chain=chain).order_by("-seq").values("seq", "hash").first()
    try:
        with transaction.atomic():
            ChainHead.objects.create(
                pk=chain, seq=last["seq"] if last else 0, hash=last["hash"] if last else GENESIS
            )
    except IntegrityError:  # created meanwhile by a concurrent writer
        pass
    return ChainHead.objects.select_for_update().get(pk=chain)


def _append(chain: int = MAIN_CHAIN, **fields: Any) -> Event:
    """Insert one event at the end of a chain: one lock, one INSERT, one UPDATE."""
    event = Event(chain=chain, at=timezone.now(), **fields)
    if connection.vendor == "postgresql" and _append_in_one_statement(event):
        return event
    with transaction.atomic():
        head = _locked_head(chain)
        event.seq, event.prev_hash = head.seq + 1, head.hash
        event.hash = hash_of(event)
        event.save(force_insert=True)
        ChainHead.objects.filter(pk=chain).update(seq=event.seq, hash=event.hash)
    return event


_EVENT_COLUMNS = [
    f for f in Event._meta.concrete_fields if f.attname not in {"seq", "prev_hash", "hash"}
]


_LENGTH = re.compile(r"\(\d+\)$")  # "varchar(64)" -> "varchar"


@cache
def _append_sql() -> str:
    """Lock the head, insert the event numbered and hashed by PostgreSQL from the head's
    values, move the head: one statement, so one round trip and no transaction of its own
    (in autocommit the statement is one). SELECT ... FOR UPDATE waits for a concurrent
    append and then reads the head it left (READ COMMITTED), like _locked_head does."""
    q = connection.ops.quote_name
    cols = ", ".join(q(f.column) for f in _EVENT_COLUMNS)
    # Cast to the column's type without its length: a cast to varchar(64) would cut a
    # longer value silently (and the stored text would no longer be the hashed one);
    # the assignment to the column refuses it instead.
    values = ", ".join(
        f"%s::{_LENGTH.sub('', f.db_type(connection) or '')}" for f in _EVENT_COLUMNS
    )
    return (
        f"WITH head AS (SELECT seq + 1 AS seq, hash AS prev FROM {q(ChainHead._meta.db_table)}"
        " WHERE id = %s FOR UPDATE),"
        f" ev AS (INSERT INTO {q(Event._meta.db_table)} ({cols}, seq, prev_hash, hash)"
        f" SELECT {values}, head.seq, head.prev, encode(sha256(convert_to("
        "%s::text || head.prev || %s::text || head.seq::text || %s::text, 'UTF8')), 'hex')"
        " FROM head RETURNING seq, prev_hash, hash)"
        f" UPDATE {q(ChainHead._meta.db_table)} AS h SET seq = ev.seq, hash = ev.hash"
        " FROM ev WHERE h.id = %s RETURNING ev.seq, ev.prev_hash, ev.hash"
    )


def _append_in_one_statement(event: Event) -> bool:
    """PostgreSQL: append ``event`` in one statement (:func:`_append_sql`); False, with
    nothing written, when the chain has no head row yet (its first event) or the event's
    text cannot be split, for the general path to do it."""
    parts = text_around_of(event)
    if parts is None:
        return False
    params = [
        event.chain,
        *(f.get_db_prep_save(getattr(event, f.attname), connection) for f in _EVENT_COLUMNS),
        *parts,
        event.chain,
    ]
    with connection.cursor() as cursor:
        cursor.execute(_append_sql(), params)
        row = cursor.fetchone()
    if row is None:
        return False
    event.seq, event.prev_hash, event.hash = row
    event._state.adding = False
    event._state.db = connection.alias
    return True


def record(
    *,
    actor: Any,
    action: str,
    obj: models.Model,
    case: Any = None,
    changes: Mapping[str, Any] | None = None,
    summary: str = "",
    sop_version: str = "",
    chain: int = MAIN_CHAIN,
) -> Event:
    ctx = current_request()
    # ``case``: a Case, or only its id (no need to load the case to log a read of it).
    case_kw = (
        {"case": case} if case is None or isinstance(case, models.Model) else {"case_id": case}
    )
    return _append(
        chain,
        actor=actor,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        **case_kw,
        summary=summary[:200],
        changes=normalize_json(
            {
                k: _plain(v) if not isinstance(v, list) else [_plain(x) for x in v]
                for k, v in (changes or {}).items()
            }
        ),
        sop_version=sop_version,
        request_id=ctx.request_id if ctx else "",
        ip=normalize_ip(ctx.ip) if ctx else None,
    )


def record_read(
    actor: Any,
    obj: models.Model,
    case: Any,
    *,
    section: str = "",
    extra: Mapping[str, Any] | None = None,
) -> Event:
    """A person read case data: ``obj`` (the case, a referral, a transfer...) of ``case``.

    ``actor`` is a user or an accounts.access.Actor. The one door for READ events; callers
    are the selectors behind the case, referral, transfer and cash pages and API GETs.
    """
    user = getattr(actor, "user", actor)
    return record(
        actor=user,
        action=Event.Action.READ,
        obj=obj,
        case=case,
        # ``extra``: how the reader got access, e.g. {"via": "break_glass", "grant": id}.
        changes={**({"section": section} if section else {}), **(extra or {})} or None,
        summary=section,
        chain=read_chain(),
    )
