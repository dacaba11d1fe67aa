"""Notification endpoints: one's own notifications only (another user's id is 404)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Query, Router

from fanous.accounts.models import User
from fanous.notifications import schemas as s
from fanous.notifications import selectors, services
from fanous.notifications.models import Notification
from fanous.notifications.render import notification_text

router = Router(tags=["notifications"])


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def notification_out(note: Notification) -> dict[str, Any]:
    return {
        "id": note.id,
        "kind": note.kind,
        "text": notification_text(note),
        "params": {str(k): str(v) for k, v in (note.params or {}).items()},
        "link": note.link,
        "created_at": note.created_at,
        "read_at": note.read_at,
        "unread": note.read_at is None,
    }


@router.get("", response=s.NotificationListOut)
def notification_list(
    request: HttpRequest, filters: Query[s.NotificationListQuery]
) -> dict[str, Any]:
    """My notifications, newest first; `unread=true` for the unread ones only."""
    user = _user(request)
    qs = selectors.notification_list_for(user, unread=filters.unread)
    page = list(qs[filters.offset : filters.offset + filters.limit])
    return {
        "count": qs.count(),
        "unread_count": selectors.unread_count(user),
        "limit": filters.limit,
        "offset": filters.offset,
        "items": [notification_out(n) for n in page],
    }


@router.post("/read-all", response=s.ReadAllOut)
def notification_read_all(request: HttpRequest) -> dict[str, Any]:
    """Mark all my notifications read."""
    user = _user(request)
    marked = services.notification_mark_all_read(user=user)
    return {"marked": marked, "unread_count": selectors.unread_count(user)}


@router.post("/{notification_id}/read", response=s.NotificationOut)
def notification_read(request: HttpRequest, notification_id: UUID) -> dict[str, Any]:
    """Mark one of my notifications read (idempotent)."""
    note = services.notification_mark_read(user=_user(request), notification_id=notification_id)
    return notification_out(note)
