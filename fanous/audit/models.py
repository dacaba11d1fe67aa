"""Append-only event log. The case history (who, when, what, old -> new) is read from it."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Event(models.Model):
    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        UPDATE = "update", _("Updated")
        TRANSITION = "transition", _("Status changed")
        RISK_CHANGE = "risk_change", _("Risk level changed")
        CONSENT = "consent", _("Consent recorded")
        CONSENT_WITHDRAWN = "consent_withdrawn", _("Consent withdrawn")
        ASSESSMENT = "assessment", _("Assessment recorded")
        PLAN = "plan", _("Case plan saved")
        FOLLOW_UP = "follow_up", _("Follow-up recorded")
        REVIEW = "review", _("Review recorded")
        CLOSURE = "closure", _("Closure")
        SOP = "sop", _("SOP")
        LOGIN = "login", _("Logged in")
        REFERRAL = "referral", _("Referral")
        TRANSFER = "transfer", _("Transfer")
        CASH = "cash", _("Emergency cash")
        SERVICE_MAP = "service_map", _("Service map")
        READ = "read", _("Viewed")
        EXPORT = "export", _("Exported")
        BREAK_GLASS = "break_glass", _("Break-glass access")
        ANONYMISE = "anonymise", _("Anonymised (retention)")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Set by the writer before hashing (not auto_now_add, which would overwrite it on save).
    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=32, choices=Action.choices)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    # Indexed by audit_case_at (case, at), whose first column serves the lookups by case.
    case = models.ForeignKey(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
        db_index=False,
    )
    summary = models.CharField(max_length=200, blank=True)
    changes = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    sop_version = models.CharField(max_length=32, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    # The tamper-evident chains (fanous.audit.chain): which chain, position in it,
    # predecessor's hash, own hash. Chain 1 holds every change; reads are spread over a few
    # read chains so that reading a case never waits for another reader's lock.
    chain = models.PositiveSmallIntegerField(default=1)
    seq = models.BigIntegerField()
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="audit_chain_seq")]
        indexes = [
            models.Index(fields=["case", "at"], name="audit_case_at"),
            # The case timeline (reads left out) in its order, without reading the many
            # "viewed" events a busy case collects.
            models.Index(
                fields=["case", "at", "id"],
                name="audit_case_timeline",
                condition=~models.Q(action="read"),
            ),
        ]
        ordering = ["at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}"

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise RuntimeError("audit events are append-only")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise RuntimeError("audit events are append-only")


class ChainHead(models.Model):
    """The row holding a chain's last position and hash; its id is the chain's number.

    Appending locks it (SELECT ... FOR UPDATE) inside the writer's transaction, so two
    transactions never chain to the same predecessor, and nobody reads the chain to append.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"audit chain head #{self.seq}"
