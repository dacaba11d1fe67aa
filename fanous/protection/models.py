"""Data protection records (issue 4, SPEC §12): who may see more of a case, and when a
case was anonymised.

* :class:`CaseAccessGrant`: an explicit share of one case with one colleague of the same
  agency (cover during leave, joint work), with or without the sensitive sections, or a
  supervisor's break-glass access (mandatory reason, time-limited, flagged in the audit).
* :class:`CaseAnonymisation`: the retention task anonymised this closed case; the
  de-identified statistics (area, sex, birth year, risk, dates, closure reason) remain.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from fanous.core.models import Record

USER = settings.AUTH_USER_MODEL


class CaseAccessGrant(Record):
    class Kind(models.TextChoices):
        SHARE = "share", "share"
        BREAK_GLASS = "break_glass", "break_glass"

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="access_grants")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    include_sensitive = models.BooleanField(default=False)
    reason = models.TextField(max_length=2000)
    granted_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sop_version = models.ForeignKey("sop.SopVersion", on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [
            # "Which cases does this user hold a live grant on?" (cases_visible_to).
            models.Index(
                fields=["user", "expires_at"],
                name="grant_user_live",
                condition=Q(revoked_at__isnull=True),
            ),
            models.Index(fields=["case", "expires_at"], name="grant_case"),
        ]


class CaseAnonymisation(models.Model):
    case = models.OneToOneField(
        "cases.Case", on_delete=models.CASCADE, primary_key=True, related_name="anonymisation"
    )
    anonymised_at = models.DateTimeField()
    closed_at = models.DateTimeField()
    retention_years = models.PositiveSmallIntegerField()
    sop_version = models.ForeignKey("sop.SopVersion", on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"anonymised {self.case_id} at {self.anonymised_at:%Y-%m-%d}"
