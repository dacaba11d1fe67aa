"""In-app notifications (and their e-mail copy): new referrals, answers, overdue items."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class Notification(models.Model):
    """One message for one user. The text is rendered in the reader's language at read time
    from ``kind`` and ``params``; it never carries more of a case than the reader may see."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=48)
    params = models.JSONField(default=dict)
    # Where the reader goes to act: a path inside Fanous.
    link = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    # Overdue reminders are sent once per object and deadline.
    dedupe_key = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["user", "-created_at"],
                name="notif_unread",
                condition=Q(read_at__isnull=True),
            ),
            models.Index(fields=["user", "-created_at"], name="notif_user"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "dedupe_key"],
                name="uniq_notif_dedupe",
                condition=~Q(dedupe_key=""),
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.user_id}"
