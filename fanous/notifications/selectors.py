"""Reading one's own notifications. Nobody reads another user's: every query starts from
the reader, and an id that is not theirs is not found."""

from __future__ import annotations

from uuid import UUID

from django.db.models import QuerySet

from fanous.accounts.models import User
from fanous.core.errors import NotFoundError
from fanous.notifications.models import Notification


def notification_list_for(user: User, *, unread: bool = False) -> QuerySet[Notification]:
    """The user's notifications, newest first (index ``notif_user`` / ``notif_unread``)."""
    qs = Notification.objects.filter(user_id=user.pk)
    if unread:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-id")


def unread_count(user: User) -> int:
    """One query on the partial index ``notif_unread`` (user, created_at WHERE unread)."""
    return Notification.objects.filter(user_id=user.pk, read_at__isnull=True).count()


def notification_get(*, user: User, notification_id: UUID) -> Notification:
    note = Notification.objects.filter(user_id=user.pk, pk=notification_id).first()
    if note is None:
        raise NotFoundError("No notification with this identifier is visible to you.")
    return note
