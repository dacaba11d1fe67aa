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
import secrets
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


def _doc(
    *,
    id: Any,
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
    chain: int,
    seq: Any,
    prev_hash: Any,
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": str(id),
        "seq": seq,
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
    return doc


def _text(doc: dict[str, Any]) -> str:
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_hash(*, seq: int, prev_hash: str, chain: int = MAIN_CHAIN, **fields: Any) -> str:
    """The hex SHA-256 of the event's canonical text (fields as in :func:`_doc`)."""
    text = _text(_doc(seq=int(seq), prev_hash=prev_hash, chain=chain, **fields))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# Stand-ins for the two values only known once the chain's head is locked; random per
# process, so no stored text can contain them.
_PREV_MARK = f"prev-{secrets.token_hex(16)}"
_SEQ_MARK = f"seq-{secrets.token_hex(16)}"


def text_around(*, chain: int = MAIN_CHAIN, **fields: Any) -> tuple[str, str, str] | None:
    """The canonical text of an event whose ``prev_hash`` and ``seq`` are not known yet, as
    three parts: ``a + prev_hash + b + str(seq) + c`` is the text :func:`event_hash`
    hashes. Lets the database compute the hash under the head's lock, in the statement
    that appends (fanous.audit.services). None if the text cannot be split (a field
    holding a stand-in: then the caller appends the slow way)."""
    text = _text(_doc(seq=_SEQ_MARK, prev_hash=_PREV_MARK, chain=chain, **fields))
    a, sep, rest = text.partition(f'"{_PREV_MARK}"')
    b, sep2, c = rest.partition(f'"{_SEQ_MARK}"')
    if not sep or not sep2 or _PREV_MARK in a + b + c or _SEQ_MARK in a + b + c:
        return None
    return f'{a}"', f'"{b}', c


# An event's own fields in its canonical text; with them go seq, prev_hash and its chain.
FIELDS = (
    "id",
    "at",
    "actor_id",
    "action",
    "object_type",
    "object_id",
    "case_id",
    "summary",
    "changes",
    "sop_version",
    "request_id",
    "ip",
)


def _fields_of(event: Any) -> dict[str, Any]:
    return {
        **{name: getattr(event, name) for name in FIELDS},
        "chain": getattr(event, "chain", MAIN_CHAIN),  # historical rows predate chains
    }


def hash_of(event: Any) -> str:
    """The hash ``event`` (a model instance, current or historical) should carry."""
    return event_hash(seq=event.seq, prev_hash=event.prev_hash, **_fields_of(event))


def text_around_of(event: Any) -> tuple[str, str, str] | None:
    """:func:`text_around` of an event not yet numbered (a model instance)."""
    return text_around(**_fields_of(event))
