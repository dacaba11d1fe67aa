"""Stored SOP versions. A version in force is never edited: a change is a new version."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class SopVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_FORCE = "in_force", _("In force")
        SUPERSEDED = "superseded", _("Superseded")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    area = models.ForeignKey("accounts.Area", on_delete=models.PROTECT, related_name="sops")
    version = models.CharField(max_length=32)
    endorsed_on = models.DateField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    data = models.JSONField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    in_force_from = models.DateTimeField(null=True, blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)
    row_version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["area", "version"], name="uniq_sop_area_version"),
            models.UniqueConstraint(
                fields=["area"], condition=Q(status="in_force"), name="one_sop_in_force_per_area"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area.code} SOP {self.version}"
