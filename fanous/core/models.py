"""Shared model bases: every record carries a client-generatable UUID and a version."""

from __future__ import annotations

import uuid

from django.db import models


class Record(models.Model):
    """A row an offline client may create: UUID chosen by the client, optimistic version.

    Creates are idempotent by UUID (a retried POST returns the first result) and every
    update names the version it was based on; a stale version is refused (HTTP 409).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
