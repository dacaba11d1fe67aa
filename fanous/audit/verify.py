"""Checking the audit chain: the first broken link, or None when it is intact."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from fanous.audit.chain import GENESIS, hash_of
from fanous.audit.models import ChainHead, Event


@dataclass(frozen=True)
class Break:
    seq: int
    event_id: UUID | None
    problem: str

    def __str__(self) -> str:
        where = f"seq {self.seq}" + (f" (event {self.event_id})" if self.event_id else "")
        return f"{where}: {self.problem}"


@dataclass(frozen=True)
class Report:
    checked: int
    last_seq: int
    last_hash: str
    broken: Break | None

    @property
    def intact(self) -> bool:
        return self.broken is None


def verify_chain(*, chunk_size: int = 2000) -> Report:
    """Walk the chain in seq order and stop at the first broken link.

    Detects an altered row (its hash no longer matches its content), a deleted row (a gap
    in seq, or the next row's prev_hash not matching), a reordered row (its seq or
    prev_hash changed, so its hash no longer matches) and rows deleted from the end (the
    chain head names a later event). Events appended while it runs are not checked.
    """
    head = ChainHead.objects.filter(pk=1).values("seq", "hash").first()
    events = Event.objects.order_by("seq")
    if head is not None:
        events = events.filter(seq__lte=head["seq"])
    prev_hash, expected, checked = GENESIS, 1, 0
    for event in events.iterator(chunk_size=chunk_size):
        if event.seq != expected:
            missing = (
                f"seq {expected}"
                if event.seq == expected + 1
                else f"seq {expected}-{event.seq - 1}"
            )
            return Report(
                checked,
                expected - 1,
                prev_hash,
                Break(event.seq, event.id, f"missing event(s) before it ({missing}): deleted?"),
            )
        if event.prev_hash != prev_hash:
            return Report(
                checked,
                expected - 1,
                prev_hash,
                Break(
                    event.seq,
                    event.id,
                    "its prev_hash does not match the previous event's hash: "
                    "the previous event was altered, deleted or moved",
                ),
            )
        if hash_of(event) != event.hash:
            return Report(
                checked,
                expected - 1,
                prev_hash,
                Break(event.seq, event.id, "altered: its content does not match its hash"),
            )
        prev_hash, expected, checked = event.hash, expected + 1, checked + 1
    last = expected - 1
    if head is not None and (head["seq"] != last or head["hash"] != prev_hash):
        return Report(
            checked,
            last,
            prev_hash,
            Break(
                head["seq"],
                None,
                f"the chain head names seq {head['seq']} but the log ends at seq {last}: "
                "the last event(s) were deleted or altered",
            ),
        )
    return Report(checked, last, prev_hash, None)
