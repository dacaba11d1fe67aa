"""SPEC §9-§10 (transfers): a pending transfer that waits too long is flagged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from fanous.domain.referrals import TransferStatus, transfer_overdue

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
WINDOW = timedelta(hours=48)


def _late(status: TransferStatus, now: datetime, approved_at: datetime | None = None) -> str | None:
    return transfer_overdue(
        status, requested_at=T0, approved_at=approved_at, window=WINDOW, now=now
    )


def test_spec_10_requested_transfer_is_late_for_approval_after_the_window() -> None:
    assert _late(TransferStatus.REQUESTED, T0 + WINDOW) is None
    assert _late(TransferStatus.REQUESTED, T0 + WINDOW + timedelta(seconds=1)) == "approve"


def test_spec_10_approved_transfer_counts_from_the_approval() -> None:
    approved = T0 + timedelta(hours=40)
    # Past the request's window, but the receiving agency's own clock runs from the approval.
    assert _late(TransferStatus.APPROVED, T0 + WINDOW + timedelta(hours=1), approved) is None
    assert _late(TransferStatus.APPROVED, approved + WINDOW, approved) is None
    assert _late(TransferStatus.APPROVED, approved + WINDOW + timedelta(minutes=1), approved) == (
        "accept"
    )


@pytest.mark.parametrize(
    "status", [TransferStatus.ACCEPTED, TransferStatus.DECLINED, TransferStatus.CANCELLED]
)
def test_spec_10_decided_transfers_are_never_late(status: TransferStatus) -> None:
    assert _late(status, T0 + timedelta(days=365)) is None
