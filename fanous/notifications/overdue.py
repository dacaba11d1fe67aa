"""Overdue referrals: remind both sides once per referral and deadline (SPEC §8).

Run by the ``notify_overdue`` task and management command (a scheduler, e.g. cron, calls
it every hour). The database narrows the referrals to those whose deadline for their
current status has passed; the domain (``referral_overdue``) names the late answer.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q, QuerySet

from fanous.accounts.models import User
from fanous.domain.referrals import (
    ReferralDeadlines,
    ReferralStatus,
    TransferStatus,
    referral_overdue,
    transfer_overdue,
)
from fanous.notifications.kinds import Kind
from fanous.notifications.services import notify
from fanous.referrals.models import OPEN_REFERRAL_STATUSES, CaseTransfer, Referral
from fanous.sop.selectors import sop_of

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class OverdueRun:
    referrals: int  # overdue items found (referrals, or transfers)
    notifications: int  # new notifications (reminders already sent are not repeated)


def overdue_referrals(now: datetime) -> QuerySet[Referral]:
    """Referrals past the deadline of their current status, filtered in the database.

    Each branch pairs a status with its own deadline column. The first filter repeats the
    condition of the partial indexes of open referrals word for word, so that the database
    (SQLite too) scans open referrals only, never the closed history.
    """
    return (
        Referral.objects.filter(status__in=OPEN_REFERRAL_STATUSES)
        .filter(
            Q(status=ReferralStatus.SENT.value, acknowledge_by__lt=now)
            | Q(status=ReferralStatus.ACKNOWLEDGED.value, respond_by__lt=now)
            | Q(status=ReferralStatus.ACCEPTED.value, deliver_by__lt=now)
        )
        .select_related("case", "provider", "sender", "to_user")
        .order_by()
    )


def _recipients(referral: Referral) -> list[User]:
    from fanous.referrals.selectors.referrals import receivers_of, sender_supervisors

    return [referral.sender, *sender_supervisors(referral), *receivers_of(referral)]


def _params(referral: Referral, which: str) -> dict[str, str]:
    provider = referral.provider
    return {
        "reference": f"{referral.case.case_number}-R{referral.number}",
        "service": provider.name_ar,
        "service_en": provider.name_en,
        "service_fr": provider.name_fr,
        "which": which,
    }


def notify_overdue_referrals(*, now: datetime) -> OverdueRun:
    """Notify the sender, their supervisors and the receiving service of each overdue
    referral, once per referral and deadline (``dedupe_key`` ``overdue:<id>:<which>``)."""
    found = created = 0
    for referral in overdue_referrals(now).iterator(chunk_size=200):
        if not (referral.acknowledge_by and referral.respond_by and referral.deliver_by):
            continue
        which = referral_overdue(
            ReferralStatus(referral.status),
            ReferralDeadlines(
                acknowledge_by=referral.acknowledge_by,
                respond_by=referral.respond_by,
                deliver_by=referral.deliver_by,
            ),
            now,
        )
        if which is None:
            continue
        found += 1
        # One transaction per referral: one failure does not hold back the others' reminders.
        with transaction.atomic():
            created += len(
                notify(
                    users=_recipients(referral),
                    kind=Kind.REFERRAL_OVERDUE,
                    params=_params(referral, which),
                    link=f"/referrals/{referral.pk}/",
                    dedupe_key=f"overdue:{referral.pk}:{which}",
                )
            )
    logger.info("overdue referrals: %s found, %s notifications", found, created)
    return OverdueRun(referrals=found, notifications=created)


# --------------------------------------------------------------------------- transfers

_PENDING = [TransferStatus.REQUESTED.value, TransferStatus.APPROVED.value]


def _transfer_window(transfer: CaseTransfer) -> timedelta | None:
    """The SOP's urgent answer time (``referrals.urgent.respond_hours``) of the transfer."""
    policy = sop_of(transfer.sop_version).referrals
    return None if policy is None else timedelta(hours=policy.urgent.respond_hours)


def notify_overdue_transfers(*, now: datetime) -> OverdueRun:
    """Remind whoever must answer a pending transfer that has waited longer than the SOP's
    urgent answer time: the sending supervisors (approval), then the receiving agency's
    supervisors (acceptance; they learn nothing of the case, as in TRANSFER_INCOMING).
    Once per transfer and step (``dedupe_key`` ``transfer-overdue:<id>:<which>``)."""
    from fanous.referrals.services.transfers import (
        receiving_supervisors,
        sending_supervisors,
        transfer_link,
    )

    found = created = 0
    # Pending transfers are few (one per case at most): the index transfer_outbox serves.
    pending = CaseTransfer.objects.filter(status__in=_PENDING).select_related(
        "case", "from_agency", "to_agency", "sop_version"
    )
    for transfer in pending:
        window = _transfer_window(transfer)
        if window is None:
            continue
        which = transfer_overdue(
            TransferStatus(transfer.status),
            requested_at=transfer.requested_at,
            approved_at=transfer.approved_at,
            window=window,
            now=now,
        )
        if which is None:
            continue
        found += 1
        hours = int(window.total_seconds() // 3600)
        if which == "approve":
            users = sending_supervisors(transfer.case)
            params = {
                "case_number": transfer.case.case_number,
                "agency": transfer.to_agency.code,
                "hours": hours,
                "which": which,
            }
        else:
            users = receiving_supervisors(transfer)
            params = {"agency": transfer.from_agency.code, "hours": hours, "which": which}
        with transaction.atomic():
            created += len(
                notify(
                    users=users,
                    kind=Kind.TRANSFER_OVERDUE,
                    params=params,
                    link=transfer_link(transfer),
                    dedupe_key=f"transfer-overdue:{transfer.pk}:{which}",
                )
            )
    logger.info("overdue transfers: %s found, %s notifications", found, created)
    return OverdueRun(referrals=found, notifications=created)
