"""Service map, referrals, transfers between agencies and emergency cash (SPEC §2, §8, §10).

Models hold data only. Every write goes through fanous.referrals.services, which asks
fanous.domain.referrals and records the audit event in the same transaction.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from fanous.core.fields import EncryptedJSONField, EncryptedTextField
from fanous.core.models import Record
from fanous.domain.referrals import CashStatus, ReferralStatus, TransferStatus

USER = settings.AUTH_USER_MODEL

REFERRAL_STATUS_CHOICES = [(s.value, s.value) for s in ReferralStatus]
OPEN_REFERRAL_STATUSES = [s.value for s in ReferralStatus if s.is_open]
TRANSFER_STATUS_CHOICES = [(s.value, s.value) for s in TransferStatus]
CASH_STATUS_CHOICES = [(s.value, s.value) for s in CashStatus]


class ServiceProvider(Record):
    """A service on the service map: who offers what, where, to whom (an SOP annex, §2)."""

    # The organisation that runs the service; its service-provider users receive referrals.
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="services")
    area = models.ForeignKey("accounts.Area", on_delete=models.PROTECT, related_name="+")
    name_ar = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200, blank=True)
    name_fr = models.CharField(max_length=200, blank=True)
    sector = models.CharField(max_length=64)
    service_types = models.JSONField(default=list)  # SOP service type codes
    address = models.CharField(max_length=300, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    contact_person = models.CharField(max_length=120, blank=True)
    languages = models.JSONField(default=list)  # ["ar", "en", "ku", ...]
    opening_hours = models.CharField(max_length=200, blank=True)
    eligibility = models.TextField(blank=True, max_length=2000)
    # Agency codes it accepts referrals from; empty means from every agency.
    accepts_from = models.JSONField(default=list)
    # Places per month; null when not limited or not known.
    capacity = models.PositiveIntegerField(null=True, blank=True)
    # False: the service does not use Fanous; the sender records its answers.
    in_app = models.BooleanField(default=True)
    is_active = models.BooleanField(default=True)
    notes = models.TextField(blank=True, max_length=2000)

    class Meta:
        indexes = [
            models.Index(fields=["area", "sector"], name="provider_area_sector"),
            models.Index(fields=["agency"], name="provider_agency"),
        ]

    def __str__(self) -> str:
        return self.name_en or self.name_ar

    def name(self, lang: str) -> str:
        return getattr(self, f"name_{lang[:2]}", "") or self.name_en or self.name_ar


class Referral(Record):
    """A referral of a child to a service, tracked until the service is delivered (§8)."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="referrals")
    number = models.PositiveSmallIntegerField(default=1)  # per case: R1, R2...
    plan_action = models.ForeignKey(
        "cases.PlanAction", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    provider = models.ForeignKey(
        ServiceProvider, on_delete=models.PROTECT, related_name="referrals"
    )
    # A named person at the service, when the sender knows who will take it.
    to_user = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=64)  # SOP referral type code
    urgent = models.BooleanField(default=False)
    need = models.CharField(max_length=64, blank=True)
    service_type = models.CharField(max_length=64)
    internal = models.BooleanField(default=False)  # to a service of the case's own agency
    reason = models.TextField(max_length=4000)
    # What the receiver sees: the chosen sections, frozen when the referral is sent.
    sections = models.JSONField(default=list)
    shared = EncryptedJSONField(default=dict)  # encrypted at rest (fanous.core.fields)
    basis = models.CharField(max_length=20)  # ConsentBasis
    override_reason = models.TextField(blank=True, max_length=4000)
    override_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    override_at = models.DateTimeField(null=True, blank=True)
    accompaniment = models.JSONField(default=list)  # transport, translation, forms, escort
    accompaniment_notes = models.TextField(blank=True, max_length=2000)

    status = models.CharField(max_length=20, choices=REFERRAL_STATUS_CHOICES)
    sender = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    sender_agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(null=True, blank=True)
    acknowledge_by = models.DateTimeField(null=True, blank=True)
    respond_by = models.DateTimeField(null=True, blank=True)
    deliver_by = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(blank=True, max_length=2000)
    delivered_at = models.DateTimeField(null=True, blank=True)
    outcome = models.TextField(blank=True, max_length=4000)
    closed_at = models.DateTimeField(null=True, blank=True)
    feedback = models.TextField(blank=True, max_length=4000)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoke_reason = models.TextField(blank=True, max_length=2000)
    last_action_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sop_version = models.ForeignKey("sop.SopVersion", on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [
            models.Index(
                "provider",
                models.F("urgent").desc(),
                "respond_by",
                name="referral_inbox",
                condition=Q(status__in=OPEN_REFERRAL_STATUSES),
            ),
            models.Index(fields=["case", "number"], name="referral_case"),
            # The overdue reminders look up open referrals by status and deadline.
            models.Index(
                fields=["status", "acknowledge_by", "respond_by", "deliver_by"],
                name="referral_deadlines",
                condition=Q(status__in=OPEN_REFERRAL_STATUSES),
            ),
            models.Index(
                "sender_agency",
                "respond_by",
                name="referral_outbox",
                condition=Q(status__in=OPEN_REFERRAL_STATUSES),
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="uniq_referral_number")
        ]

    def __str__(self) -> str:
        return f"R{self.number} of {self.case_id}"


class ServiceGap(Record):
    """A need with no service in the area (§12: unmet needs for advocacy)."""

    area = models.ForeignKey("accounts.Area", on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="service_gaps"
    )
    need = models.CharField(max_length=64)
    service_types = models.JSONField(default=list)
    noted_on = models.DateField()
    resolved_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    sop_version = models.ForeignKey("sop.SopVersion", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case", "need"],
                name="uniq_open_gap",
                condition=Q(resolved_on__isnull=True),
            )
        ]
        indexes = [models.Index(fields=["area", "need"], name="gap_area_need")]


class CaseTransfer(Record):
    """A case moving to another agency, with consent and both supervisors' approval."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="transfers")
    from_agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    to_agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=TRANSFER_STATUS_CHOICES)
    reason = EncryptedTextField(max_length=4000)  # the sending team's reason (internal)
    # The only thing the receiving agency reads before it accepts.
    note_to_receiver = EncryptedTextField(max_length=2000)
    basis = models.CharField(max_length=20)
    override_reason = models.TextField(blank=True, max_length=4000)
    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    approved_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True, max_length=2000)
    # The sending agency's read-only record of what it handed over (it names the child:
    # encrypted at rest). Who was the sending caseworker is kept beside it, in the clear,
    # so the sending team can still find the record (selectors.transfers._sending_q).
    snapshot = EncryptedJSONField(default=dict)
    sending_caseworker = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sop_version = models.ForeignKey("sop.SopVersion", on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [
            models.Index(fields=["to_agency", "status"], name="transfer_inbox"),
            models.Index(fields=["from_agency", "status"], name="transfer_outbox"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                name="uniq_pending_transfer",
                condition=Q(status__in=[TransferStatus.REQUESTED, TransferStatus.APPROVED]),
            )
        ]


class EmergencyBudget(Record):
    """An agency's case emergency fund for a period (SPEC §8)."""

    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=120)
    currency = models.CharField(max_length=3)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    starts_on = models.DateField()
    ends_on = models.DateField()
    is_active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return self.name


class CashDisbursement(Record):
    """A payment to a case from the emergency fund, approved by the supervisor."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="cash")
    budget = models.ForeignKey(
        EmergencyBudget, on_delete=models.PROTECT, related_name="disbursements"
    )
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    purpose = models.CharField(max_length=64)
    note = EncryptedTextField(blank=True, max_length=2000)
    status = models.CharField(max_length=16, choices=CASH_STATUS_CHOICES)
    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True, max_length=2000)
    sop_version = models.ForeignKey("sop.SopVersion", on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [
            models.Index(fields=["budget", "status"], name="cash_budget_status"),
            models.Index(fields=["case", "status"], name="cash_case_status"),
        ]
