"""The hash chain of the audit log: pure functions, shared by the writer, the checker and
the migration that chained the events written before the chain existed.

Each event's ``hash`` is the hex SHA-256 of a canonical JSON of its fields and of the
previous event's hash, so altering, deleting or reordering a row breaks the chain from
there on. Changing this canonical form invalidates every stored hash: don't.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
from datetime import UTC, datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

GENESIS = ""  # prev_hash of the first event of a chain
# Chain 1 holds every change; reads are spread over chains 2.. (fanous.audit.services).
MAIN_CHAIN = 1


def normalize_json(value: Any) -> Any:
    """``value`` as it reads back from a JSON column (dates and decimals become strings)."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def normalize_ip(ip: str | None) -> str | None:
    if not ip:
        return None
    try:
        return ipaddress.ip_address(ip).compressed
    except ValueError:
        return None


def iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def event_hash(
    *,
    id: Any,
    seq: int,
    at: datetime,
    actor_id: Any,
    action: str,
    object_type: str,
    object_id: str,
    case_id: Any,
    summary: str,
    changes: Any,
    sop_version: str,
    request_id: str,
    ip: str | None,
    prev_hash: str,
    chain: int = 1,
) -> str:
    doc: dict[str, Any] = {
        "id": str(id),
        "seq": int(seq),
        "at": iso(at),
        "actor_id": None if actor_id is None else str(actor_id),
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "case_id": None if case_id is None else str(case_id),
        "summary": summary,
        "changes": changes,
        "sop_version": sop_version,
        "request_id": request_id,
        "ip": normalize_ip(ip),
        "prev_hash": prev_hash,
    }
    if chain != MAIN_CHAIN:
        # Only the read chains name their chain: the main chain's canonical form (and so
        # every hash written before there were read chains) stays as it was.
        doc["chain"] = int(chain)
    text = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def hash_of(event: Any) -> str:
    """The hash ``event`` (a model instance, current or historical) should carry."""
    return event_hash(
        id=event.id,
        seq=event.seq,
        at=event.at,
        actor_id=event.actor_id,
        action=event.action,
        object_type=event.object_type,
        object_id=event.object_id,
        case_id=event.case_id,
        summary=event.summary,
        changes=event.changes,
        sop_version=event.sop_version,
        request_id=event.request_id,
        ip=event.ip,
        prev_hash=event.prev_hash,
        chain=getattr(event, "chain", MAIN_CHAIN),
    )
