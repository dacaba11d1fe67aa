"""Writing notifications. Called inside the service transaction that caused them; the
e-mail copy is queued only after the transaction commits (a rolled-back write sends nothing).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from uuid import UUID

from django.db import IntegrityError, transaction
from django.utils import timezone

from fanous.accounts.models import User
from fanous.notifications.kinds import Kind
from fanous.notifications.models import Notification
from fanous.notifications.selectors import notification_get


def notify(
    *,
    users: Iterable[User],
    kind: Kind,
    params: Mapping[str, Any],
    link: str = "",
    dedupe_key: str = "",
) -> list[Notification]:
    """Notify each active user once; with ``dedupe_key``, never twice for the same key."""
    created: list[Notification] = []
    for user in {u.pk: u for u in users if u.is_active}.values():
        if dedupe_key and Notification.objects.filter(user=user, dedupe_key=dedupe_key).exists():
            continue
        try:
            with transaction.atomic():
                created.append(
                    Notification.objects.create(
                        user=user,
                        kind=kind.value,
                        params={k: str(v) for k, v in params.items()},
                        link=link,
                        dedupe_key=dedupe_key,
                    )
                )
        except IntegrityError:  # a concurrent reminder with the same key won
            continue
    if created:
        ids = [str(n.pk) for n in created]
        # robust: the write has committed; a queue that refuses must not turn it into an error.
        transaction.on_commit(lambda: _queue_emails(ids), robust=True)
    return created


def _queue_emails(ids: list[str]) -> None:
    from fanous.notifications.tasks import send_notification_emails

    send_notification_emails.enqueue(ids)


@transaction.atomic
def notification_mark_read(*, user: User, notification_id: UUID) -> Notification:
    """Mark one of the user's own notifications read (another user's is not found)."""
    note = notification_get(user=user, notification_id=notification_id)
    if note.read_at is None:
        note.read_at = timezone.now()
        Notification.objects.filter(pk=note.pk, read_at__isnull=True).update(read_at=note.read_at)
    return note


@transaction.atomic
def notification_mark_all_read(*, user: User) -> int:
    """Mark every unread notification of the user read; how many were unread."""
    return Notification.objects.filter(user_id=user.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )
