"""The tamper-evident chain: appends link to their predecessor; verify_audit finds the
first altered, deleted or reordered row (rows changed by raw SQL, past the model guard)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections

from fanous.audit.chain import GENESIS, hash_of
from fanous.audit.models import ChainHead, Event
from fanous.audit.services import read_chain, record, record_read
from fanous.audit.verify import verify_chain
from fanous.conftest import World


def _events(world: World, n: int) -> list[Event]:
    user = world.users["alice"]
    return [
        record(
            actor=user,
            action=Event.Action.UPDATE,
            obj=world.agency_a,
            summary=f"event {i}",
            changes={"n": [i, i + 1], "when": world.area},
        )
        for i in range(n)
    ]


def _sql(sql: str, params: list[Any]) -> None:
    with connection.cursor() as cur:
        cur.execute(sql, params)


def _verify_fails(match: str) -> str:
    with pytest.raises(CommandError) as caught:
        call_command("verify_audit")
    assert caught.value.returncode == 1
    assert match in str(caught.value)
    return str(caught.value)


@pytest.mark.django_db
def test_each_event_links_to_the_previous_and_the_head_follows(world: World) -> None:
    before = ChainHead.objects.get(pk=1).seq if ChainHead.objects.filter(pk=1).exists() else 0
    events = _events(world, 3)
    assert [e.seq for e in events] == [before + 1, before + 2, before + 3]
    for prev, nxt in zip(events, events[1:], strict=False):
        assert nxt.prev_hash == prev.hash
    stored = Event.objects.get(pk=events[-1].pk)
    assert stored.hash == hash_of(stored) == events[-1].hash
    assert len(stored.hash) == 64
    head = ChainHead.objects.get(pk=1)
    assert (head.seq, head.hash) == (events[-1].seq, events[-1].hash)


@pytest.mark.django_db
def test_intact_chain_of_many_events_passes(world: World, capsys: Any) -> None:
    _events(world, 300)
    call_command("verify_audit")
    out = capsys.readouterr().out
    assert "intact" in out
    report = verify_chain(chunk_size=50)
    assert report.intact
    assert report.checked == Event.objects.count() >= 300
    first = Event.objects.filter(chain=1).order_by("seq").first()
    assert first is not None
    assert first.seq == 1
    assert first.prev_hash == GENESIS


@pytest.mark.django_db
def test_altered_row_is_detected(world: World) -> None:
    target = _events(world, 10)[4]
    _sql("UPDATE audit_event SET summary = %s WHERE id = %s", ["nothing happened", target.pk.hex])
    message = _verify_fails(f"seq {target.seq}")
    assert "altered" in message
    assert str(target.pk) in message


@pytest.mark.django_db
def test_altered_row_with_recomputed_hash_breaks_the_next_link(world: World) -> None:
    events = _events(world, 10)
    target = Event.objects.get(pk=events[4].pk)
    target.summary = "forged"
    forged = hash_of(target)
    _sql(
        "UPDATE audit_event SET summary = %s, hash = %s WHERE id = %s",
        ["forged", forged, target.pk.hex],
    )
    _verify_fails(f"seq {events[5].seq}")


@pytest.mark.django_db
def test_deleted_row_is_detected(world: World) -> None:
    events = _events(world, 10)
    _sql("DELETE FROM audit_event WHERE id = %s", [events[3].pk.hex])
    message = _verify_fails(f"seq {events[4].seq}")
    assert f"seq {events[3].seq}" in message
    assert "deleted" in message


@pytest.mark.django_db
def test_deleted_last_row_is_detected_by_the_head(world: World) -> None:
    events = _events(world, 5)
    _sql("DELETE FROM audit_event WHERE id = %s", [events[-1].pk.hex])
    _verify_fails(f"seq {events[-1].seq}")


@pytest.mark.django_db
def test_deleted_row_with_renumbered_successors_is_detected(world: World) -> None:
    events = _events(world, 6)
    _sql("DELETE FROM audit_event WHERE id = %s", [events[2].pk.hex])
    for e in events[3:]:
        _sql("UPDATE audit_event SET seq = seq - 1 WHERE id = %s", [e.pk.hex])
    _verify_fails(f"seq {events[2].seq}")


@pytest.mark.django_db
def test_reordered_rows_are_detected(world: World) -> None:
    events = _events(world, 6)
    a, b = events[1], events[2]
    _sql("UPDATE audit_event SET seq = -1 WHERE id = %s", [a.pk.hex])
    _sql("UPDATE audit_event SET seq = %s WHERE id = %s", [a.seq, b.pk.hex])
    _sql("UPDATE audit_event SET seq = %s WHERE id = %s", [b.seq, a.pk.hex])
    _verify_fails(f"seq {a.seq}")


@pytest.mark.django_db
def test_the_model_refuses_updates_and_deletes(world: World) -> None:
    event = _events(world, 1)[0]
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()


PG_ONLY = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the in-memory SQLite test database locks whole tables instead of waiting",
)


def _in_threads(world: World, *, threads: int, each: int, **kwargs: Any) -> None:
    """``threads`` writers appending ``each`` events at once; kwargs(n) -> record() args."""
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(each):
                record(
                    actor=world.users["alice"],
                    obj=world.agency_a,
                    summary=f"{n}-{i}",
                    **{k: v(n) if callable(v) else v for k, v in kwargs.items()},
                )
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    pool = [threading.Thread(target=writer, args=(n,)) for n in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    assert not errors, errors


@PG_ONLY
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_never_share_a_predecessor(world: World) -> None:
    _in_threads(world, threads=4, each=8, action=Event.Action.UPDATE)
    seqs = list(Event.objects.filter(chain=1).order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
    assert verify_chain().intact


# Reads are chained apart from changes (one chain per process, a few in all), so that a
# reader never waits for another reader's lock; every chain is verified the same way.


def _reads(world: World, n: int) -> list[Event]:
    case = world.agency_a  # any object: the chain does not care what was read
    return [record_read(world.users["alice"], case, None, section=f"s{i}") for i in range(n)]


@pytest.mark.django_db
def test_reads_go_to_a_read_chain_and_changes_to_the_main_chain(world: World) -> None:
    change = _events(world, 1)[0]
    reads = _reads(world, 3)
    assert change.chain == 1
    assert {r.chain for r in reads} == {read_chain()}
    assert read_chain() >= 2
    for prev, nxt in zip(reads, reads[1:], strict=False):
        assert (nxt.seq, nxt.prev_hash) == (prev.seq + 1, prev.hash)
    assert ChainHead.objects.get(pk=read_chain()).hash == reads[-1].hash
    report = verify_chain()
    assert report.intact
    assert report.chains >= 2
    assert report.last_seq == ChainHead.objects.get(pk=1).seq


@pytest.mark.django_db
def test_altered_read_is_detected_in_its_chain(world: World) -> None:
    _events(world, 2)
    target = _reads(world, 4)[1]
    _sql("UPDATE audit_event SET summary = %s WHERE id = %s", ["other", target.pk.hex])
    message = _verify_fails(f"read chain {target.chain}, seq {target.seq}")
    assert "altered" in message


@pytest.mark.django_db
def test_event_moved_to_another_chain_is_detected(world: World) -> None:
    events = _events(world, 3)
    reads = _reads(world, 3)
    # The last change moved to the end of the read chain, heads adjusted to match.
    _sql(
        "UPDATE audit_event SET chain = %s, seq = %s WHERE id = %s",
        [reads[-1].chain, reads[-1].seq + 1, events[-1].pk.hex],
    )
    _sql("UPDATE audit_chainhead SET seq = seq - 1 WHERE id = 1", [])
    _verify_fails("the last event(s) were deleted or altered")


@pytest.mark.django_db
def test_deleted_last_read_is_detected_by_its_head(world: World) -> None:
    reads = _reads(world, 3)
    _sql("DELETE FROM audit_event WHERE id = %s", [reads[-1].pk.hex])
    _verify_fails(f"read chain {reads[-1].chain}, seq {reads[-1].seq}")


@pytest.mark.django_db
def test_a_read_chain_deleted_entirely_is_detected_by_its_head(world: World) -> None:
    reads = _reads(world, 2)
    _sql("DELETE FROM audit_event WHERE chain = %s", [reads[0].chain])
    _verify_fails(f"read chain {reads[0].chain}")


@PG_ONLY
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_to_several_chains_keep_each_chain_whole(world: World) -> None:
    _in_threads(world, threads=4, each=6, action=Event.Action.READ, chain=lambda n: 2 + n % 2)
    for chain in (2, 3):
        seqs = list(Event.objects.filter(chain=chain).order_by("seq").values_list("seq", flat=True))
        assert seqs == list(range(1, 13))
    assert verify_chain().intact
