"""Appending to the chain in one statement on PostgreSQL (fanous.audit.services): the
database computes the same hash event_hash does, from the canonical text split around the
two values only known under the head's lock (fanous.audit.chain.text_around)."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st

from fanous.audit.chain import event_hash, text_around
from fanous.audit.models import ChainHead, Event
from fanous.audit.services import record, record_read
from fanous.audit.verify import verify_chain
from fanous.conftest import World

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)


@given(
    summary=st.text(),
    changes=st.dictionaries(st.text(), json_values, max_size=4),
    object_id=st.text(max_size=64),
    chain=st.integers(min_value=1, max_value=9),
    seq=st.integers(min_value=1, max_value=10**12),
    prev=st.text(alphabet="0123456789abcdef", min_size=0, max_size=64),
)
def test_the_split_text_rejoined_hashes_as_event_hash(
    summary: str, changes: dict[str, Any], object_id: str, chain: int, seq: int, prev: str
) -> None:
    fields: dict[str, Any] = {
        "id": uuid.uuid4(),
        "at": datetime(2026, 11, 23, 3, 4, 5, 678901, tzinfo=UTC),
        "actor_id": 7,
        "action": "update",
        "object_type": "cases.case",
        "object_id": object_id,
        "case_id": None,
        "summary": summary,
        "changes": changes,
        "sop_version": "1.0",
        "request_id": "",
        "ip": "10.0.0.1",
    }
    parts = text_around(chain=chain, **fields)
    assert parts is not None
    a, b, c = parts
    rejoined = hashlib.sha256(f"{a}{prev}{b}{seq}{c}".encode()).hexdigest()
    assert rejoined == event_hash(seq=seq, prev_hash=prev, chain=chain, **fields)


PG_ONLY = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the one-statement append is PostgreSQL's"
)


@PG_ONLY
@pytest.mark.django_db
def test_an_append_is_one_statement_and_verifies(world: World) -> None:
    alice = world.users["alice"]
    record(actor=alice, action=Event.Action.UPDATE, obj=world.agency_a)  # the head exists
    record_read(alice, world.agency_a, None, section="first")
    tricky = 'quotes " and \\ and \u0627\u0644\u0639\u0631\u0628\u064a\u0629 and "prev_hash":"x"'
    with CaptureQueriesContext(connection) as ctx:
        change = record(
            actor=alice,
            action=Event.Action.UPDATE,
            obj=world.agency_a,
            summary=tricky,
            changes={"note": [tricky, None], "n": [1, 2.5], "seq": ["1", "2"]},
        )
        read = record_read(alice, world.agency_a, None, section="second")
    assert len(ctx.captured_queries) == 2, [q["sql"][:80] for q in ctx.captured_queries]
    for event in (change, read):
        stored = Event.objects.get(pk=event.pk)
        assert (stored.seq, stored.prev_hash, stored.hash) == (
            event.seq,
            event.prev_hash,
            event.hash,
        )
        head = ChainHead.objects.get(pk=event.chain)
        assert (head.seq, head.hash) == (event.seq, event.hash)
    assert verify_chain().intact


@PG_ONLY
@pytest.mark.django_db
def test_the_first_event_of_a_chain_creates_its_head(world: World) -> None:
    ChainHead.objects.filter(pk=9).delete()
    first = record(actor=world.users["alice"], action="read", obj=world.agency_a, chain=9)
    second = record(actor=world.users["alice"], action="read", obj=world.agency_a, chain=9)
    assert (first.seq, first.prev_hash) == (1, "")
    assert (second.seq, second.prev_hash) == (2, first.hash)
    assert verify_chain().intact


@PG_ONLY
@pytest.mark.django_db
def test_a_value_too_long_for_its_column_is_refused_not_cut(world: World) -> None:
    from django.db import DataError, transaction

    from fanous.audit.services import _append

    record(actor=world.users["alice"], action=Event.Action.UPDATE, obj=world.agency_a)
    before = Event.objects.count()
    with pytest.raises(DataError), transaction.atomic():
        _append(actor=world.users["alice"], action="update", object_type="x", object_id="9" * 65)
    assert Event.objects.count() == before
