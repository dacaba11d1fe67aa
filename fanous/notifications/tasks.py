"""Background work of notifications (django-tasks; a worker runs it: ``manage.py db_worker``).

Task arguments are plain JSON values (ids as strings): the database queue stores them.
"""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from fanous.notifications import email, overdue


@task()
def send_notification_emails(ids: list[str]) -> int:
    """The e-mail copy of new notifications, each in its reader's language."""
    return email.send_emails(ids)


@task()
def notify_overdue() -> dict[str, int]:
    """Remind both sides of overdue referrals and pending transfers (once per deadline)."""
    now = timezone.now()
    referrals = overdue.notify_overdue_referrals(now=now)
    transfers = overdue.notify_overdue_transfers(now=now)
    return {
        "referrals": referrals.referrals,
        "transfers": transfers.referrals,
        "notifications": referrals.notifications + transfers.notifications,
    }
