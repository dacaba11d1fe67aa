"""API schemas of notifications."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from ninja import Schema
from pydantic import Field


class NotificationListQuery(Schema):
    unread: bool = False
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0)


class NotificationOut(Schema):
    id: UUID
    kind: str
    # The message in the language of the request; ``kind`` and ``params`` let a client
    # render it itself.
    text: str
    params: dict[str, str]
    link: str
    created_at: datetime
    read_at: datetime | None
    unread: bool


class NotificationListOut(Schema):
    count: int
    unread_count: int
    limit: int
    offset: int
    items: list[NotificationOut]


class ReadAllOut(Schema):
    marked: int
    unread_count: int
