"""Checking the audit chains: the first broken link, or None when they are intact."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from django.db.models import Q

from fanous.audit.chain import GENESIS, MAIN_CHAIN, hash_of
from fanous.audit.models import ChainHead, Event


@dataclass(frozen=True)
class Break:
    seq: int
    event_id: UUID | None
    problem: str
    chain: int = MAIN_CHAIN

    def __str__(self) -> str:
        where = "" if self.chain == MAIN_CHAIN else f"read chain {self.chain}, "
        where += f"seq {self.seq}" + (f" (event {self.event_id})" if self.event_id else "")
        return f"{where}: {self.problem}"


@dataclass(frozen=True)
class Report:
    checked: int
    last_seq: int  # of the main chain (every change)
    last_hash: str
    broken: Break | None
    chains: int = 1

    @property
    def intact(self) -> bool:
        return self.broken is None


@dataclass
class _Walk:
    chain: int
    expected: int = 1
    prev_hash: str = GENESIS


def _end_of(walk: _Walk, heads: dict[int, tuple[int, str]]) -> Break | None:
    """The chain ended: its head must name its last event."""
    head = heads.get(walk.chain)
    last = walk.expected - 1
    if head is not None and (head[0] != last or head[1] != walk.prev_hash):
        return Break(
            head[0],
            None,
            f"the chain head names seq {head[0]} but the log ends at seq {last}: "
            "the last event(s) were deleted or altered",
            walk.chain,
        )
    return None


def _check(event: Event, walk: _Walk) -> Break | None:
    if event.seq != walk.expected:
        missing = (
            f"seq {walk.expected}"
            if event.seq == walk.expected + 1
            else f"seq {walk.expected}-{event.seq - 1}"
        )
        return Break(
            event.seq,
            event.id,
            f"missing event(s) before it ({missing}): deleted?",
            walk.chain,
        )
    if event.prev_hash != walk.prev_hash:
        return Break(
            event.seq,
            event.id,
            "its prev_hash does not match the previous event's hash: "
            "the previous event was altered, deleted or moved",
            walk.chain,
        )
    if hash_of(event) != event.hash:
        return Break(
            event.seq, event.id, "altered: its content does not match its hash", walk.chain
        )
    return None


def verify_chain(*, chunk_size: int = 2000) -> Report:
    """Walk every chain (the main one, then the read chains) in seq order and stop at the
    first broken link.

    Detects an altered row (its hash no longer matches its content), a deleted row (a gap
    in seq, or the next row's prev_hash not matching), a reordered or moved row (its seq,
    chain or prev_hash changed, so its hash no longer matches) and rows deleted from the
    end of a chain (its head names a later event). Events appended while it runs are not
    checked.
    """
    heads = {h.pk: (h.seq, h.hash) for h in ChainHead.objects.all()}
    upto = ~Q(chain__in=list(heads))  # a chain without a head yet: all of it
    for chain, (seq, _hash) in heads.items():
        upto |= Q(chain=chain, seq__lte=seq)
    events = Event.objects.filter(upto).order_by("chain", "seq")
    main = _Walk(MAIN_CHAIN)
    walk: _Walk | None = None
    checked, seen = 0, set()
    broken: Break | None = None
    for event in events.iterator(chunk_size=chunk_size):
        if walk is None or event.chain != walk.chain:
            if walk is not None and (broken := _end_of(walk, heads)):
                break
            walk = main if event.chain == MAIN_CHAIN else _Walk(event.chain)
            seen.add(event.chain)
        if broken := _check(event, walk):
            break
        walk.prev_hash, walk.expected, checked = event.hash, walk.expected + 1, checked + 1
    else:
        if walk is not None:
            broken = _end_of(walk, heads)
    if broken is None:
        # A chain whose every event was deleted still has its head.
        for chain in sorted(set(heads) - seen):
            if broken := _end_of(_Walk(chain), heads):
                break
    return Report(checked, main.expected - 1, main.prev_hash, broken, max(1, len(seen)))
