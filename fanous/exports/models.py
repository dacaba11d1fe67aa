"""Export jobs: a case list (CSV/XLSX) or the inter-agency report (XLSX/PDF) being built.

The file is kept in the database (``content``), sealed with the keyring of
fanous.core.crypto, rather than as a FileField under MEDIA_ROOT:

* an identified export holds names: on disk it would sit outside the encryption at rest
  and outside the database's access controls and backups policy;
* the background worker and the web servers need no shared volume;
* deleting the row (on expiry) deletes the file, in the same transaction: no orphan files.

Files expire ``FANOUS_EXPORT_DAYS`` days after they were built and are purged then.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ExportJob(models.Model):
    class Kind(models.TextChoices):
        CASE_LIST_CSV = "case_list_csv", _("Case list (CSV)")
        CASE_LIST_XLSX = "case_list_xlsx", _("Case list (Excel)")
        INTERAGENCY_XLSX = "interagency_xlsx", _("Inter-agency report (Excel)")
        INTERAGENCY_PDF = "interagency_pdf", _("Inter-agency report (PDF)")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    params = models.JSONField(default=dict)
    lang = models.CharField(max_length=2, default="ar")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)  # 0-100
    rows = models.PositiveIntegerField(default=0)
    # Cases left out of an identified export for want of consent (counted in the file).
    excluded = models.PositiveIntegerField(default=0)
    identified = models.BooleanField(default=False)
    sop_version = models.CharField(max_length=32, blank=True)
    filename = models.CharField(max_length=120, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    content = models.TextField(blank=True)  # sealed base64 of the file (fanous.core.crypto)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["requested_by", "-created_at"], name="export_user_recent")]

    def __str__(self) -> str:
        return f"{self.kind} {self.status}"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
