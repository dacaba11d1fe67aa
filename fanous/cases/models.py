"""Children, households and their cases: the six steps of SPEC §3-§9.

Models hold data only. Every write goes through fanous.cases.services, which asks the
domain core (fanous.domain) and records the audit event in the same transaction.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fanous.core.fields import DigestField, EncryptedJSONField, EncryptedTextField
from fanous.core.models import Record
from fanous.domain.sop import FollowUpPhase, RiskLevel
from fanous.domain.workflow import CaseStatus

from .sealing import sensitive_facts_of_version, split_facts

USER = settings.AUTH_USER_MODEL

RISK_CHOICES = [(r.value, r.value) for r in RiskLevel]
STATUS_CHOICES = [(s.value, s.value) for s in CaseStatus]
OPEN_STATUSES = [
    s.value
    for s in CaseStatus
    if s not in (CaseStatus.CLOSED, CaseStatus.NOT_ELIGIBLE, CaseStatus.REFERRED_OUT)
]


class Sex(models.TextChoices):
    FEMALE = "f", _("Female")
    MALE = "m", _("Male")


class Household(Record):
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT)
    area = models.ForeignKey("accounts.Area", on_delete=models.PROTECT)
    address = EncryptedTextField(max_length=300, blank=True)
    phone = EncryptedTextField(max_length=32, blank=True)
    notes = EncryptedTextField(blank=True, max_length=4000)


class Child(Record):
    """The child's identity. Read only through a case the user may see."""

    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT)
    # The name, phone and address are encrypted at rest (fanous.core.fields).
    given_name = EncryptedTextField(max_length=80)
    father_name = EncryptedTextField(max_length=80, blank=True)
    grandfather_name = EncryptedTextField(max_length=80, blank=True)
    family_name = EncryptedTextField(max_length=80, blank=True)
    # Blind index of the normalised name, for search by prefix and Arabic spelling variants
    # without the name in clear (fanous.core.crypto.name_digest), searched with
    # ``name_digest__holds_all``. On PostgreSQL a GIN index on its digests answers that
    # (migration 0005), so a supervisor's or a helpline's search stays fast at any size.
    name_digest = DigestField(blank=True, default="")
    sex = models.CharField(max_length=1, choices=Sex.choices)
    birth_date = models.DateField()
    birth_date_estimated = models.BooleanField(default=False)
    nationality = models.CharField(max_length=64, blank=True)
    legal_status = models.CharField(max_length=32, blank=True)  # refugee, IDP, host, migrant...
    disability = models.BooleanField(default=False)
    phone = EncryptedTextField(max_length=32, blank=True)
    languages = models.CharField(max_length=120, blank=True)
    current_address = EncryptedTextField(max_length=300, blank=True)

    @property
    def full_name(self) -> str:
        parts = [self.given_name, self.father_name, self.grandfather_name, self.family_name]
        return " ".join(p for p in parts if p)

    def refresh_name_digest(self) -> None:
        """Recompute the blind index of the name (call after changing a name part)."""
        from fanous.core.crypto import name_digest

        self.name_digest = name_digest(self.full_name)


class HouseholdMember(Record):
    """Other people in the household, notably the other children (SPEC §5)."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="members")
    name = EncryptedTextField(max_length=200)
    relation = models.CharField(max_length=32)  # mother, father, sibling, grandparent, other
    sex = models.CharField(max_length=1, choices=Sex.choices)
    birth_date = models.DateField(null=True, blank=True)
    is_caregiver = models.BooleanField(default=False)
    works = models.BooleanField(null=True)
    in_school = models.BooleanField(null=True)
    protection_concerns = EncryptedTextField(max_length=300, blank=True)
    child = models.ForeignKey(Child, null=True, blank=True, on_delete=models.SET_NULL)


class Case(Record):
    case_number = models.CharField(max_length=40, unique=True)
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="cases")
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT)
    area = models.ForeignKey("accounts.Area", on_delete=models.PROTECT)
    # Indexed by case_worker_agency (caseworker, agency), which also serves the lookups by
    # caseworker alone.
    caseworker = models.ForeignKey(
        USER, null=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    created_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=32, choices=STATUS_CHOICES)
    sop_version = models.ForeignKey("sop.SopVersion", on_delete=models.PROTECT, related_name="+")
    concerns = models.JSONField(default=list)
    source = models.CharField(max_length=32, blank=True)  # outreach, helpline, referral, walk-in
    immediate_needs = models.JSONField(default=list)
    immediate_needs_notes = models.TextField(blank=True, max_length=4000)

    # Eligibility (SPEC §3) at identification.
    eligibility_criteria = models.JSONField(default=list)
    eligible = models.BooleanField(null=True)
    not_eligible_reason = models.TextField(blank=True, max_length=2000)
    referred_out_to = models.CharField(max_length=200, blank=True)

    # Risk (SPEC §4): the computed level, a supervisor's override, and the one in effect.
    risk_computed = models.CharField(max_length=8, choices=RISK_CHOICES, default=RiskLevel.NONE)
    risk_override = models.CharField(max_length=8, choices=RISK_CHOICES, blank=True)
    risk_level = models.CharField(max_length=8, choices=RISK_CHOICES, default=RiskLevel.NONE)
    # 3 = high ... 0 = none: lets the caseload index sort high-risk first.
    risk_rank = models.PositiveSmallIntegerField(default=0)
    high_risk_discussed_at = models.DateTimeField(null=True, blank=True)

    follow_up_phase = models.CharField(
        max_length=20,
        choices=[(p.value, p.value) for p in FollowUpPhase],
        default=FollowUpPhase.INITIAL,
    )

    # Deadlines computed by the server on every write (fanous.domain.timeframes).
    assessment_due_on = models.DateField(null=True, blank=True)
    plan_due_on = models.DateField(null=True, blank=True)
    next_follow_up_on = models.DateField(null=True, blank=True)
    # The nearest of the dates above that applies to the current status (for sorting).
    next_due_on = models.DateField(null=True, blank=True)

    # Timestamps for the KPIs (SPEC §12).
    identified_at = models.DateTimeField()
    registered_at = models.DateTimeField(null=True, blank=True)
    initial_assessed_at = models.DateTimeField(null=True, blank=True)
    initial_assessed_on = models.DateField(null=True, blank=True)
    comprehensive_assessed_at = models.DateTimeField(null=True, blank=True)
    comprehensive_assessed_on = models.DateField(null=True, blank=True)
    plan_submitted_at = models.DateTimeField(null=True, blank=True)
    plan_approved_at = models.DateTimeField(null=True, blank=True)
    # Follow-up schedule anchor: the day the first plan was approved (reset on reopening).
    follow_up_started_on = models.DateField(null=True, blank=True)
    last_follow_up_on = models.DateField(null=True, blank=True)
    closure_requested_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closure_reason = models.CharField(max_length=64, blank=True)

    class Meta:
        indexes = [
            # The caseload's whole ORDER BY (selectors.case_list_for), open cases only: the
            # first page comes straight from the index, with no sort (BENCHMARKS.md). The
            # agency first: a supervisor's scope (their team, and the agency's unassigned
            # intake, caseworker IS NULL) is then index conditions only, with no need to
            # combine it with the index of every case of the agency.
            models.Index(
                "agency",
                "caseworker",
                models.F("risk_rank").desc(),
                "next_due_on",
                "identified_at",
                "id",
                name="case_open_by_worker",
                condition=Q(status__in=OPEN_STATUSES),
            ),
            models.Index(
                "agency",
                models.F("risk_rank").desc(),
                "next_due_on",
                "identified_at",
                "id",
                name="case_agency_queue_order",
                condition=Q(status__in=OPEN_STATUSES),
            ),
            models.Index(fields=["agency", "status"], name="case_agency_status"),
            # A supervisor's scope over all statuses (their team's caseworkers, or none:
            # the agency's unassigned intake) as index conditions, for the dashboards.
            models.Index(fields=["caseworker", "agency"], name="case_worker_agency"),
        ]

    def __str__(self) -> str:
        return self.case_number


class Consent(Record):
    """Consent of the caregiver or assent/consent of the child, per purpose (SPEC §3, §12)."""

    class Giver(models.TextChoices):
        CAREGIVER = "caregiver", _("Caregiver")
        CHILD = "child", _("Child")

    class Method(models.TextChoices):
        VERBAL = "verbal", _("Verbal")
        WRITTEN = "written", _("Written")
        THUMBPRINT = "thumbprint", _("Thumbprint")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(max_length=32)
    giver = models.CharField(max_length=16, choices=Giver.choices)
    giver_name = EncryptedTextField(max_length=200, blank=True)
    giver_relation = models.CharField(max_length=32, blank=True)
    given = models.BooleanField()
    method = models.CharField(max_length=16, choices=Method.choices, default=Method.VERBAL)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_on = models.DateField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = EncryptedTextField(blank=True, max_length=2000)
    notes = EncryptedTextField(blank=True, max_length=2000)


class Registration(Record):
    """Child-labour registration fields (SPEC §3)."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="registration")
    workplace_name = EncryptedTextField(max_length=200, blank=True)
    workplace_location = EncryptedTextField(max_length=300, blank=True)
    workplace_contact = EncryptedTextField(max_length=120, blank=True)
    work_type = models.CharField(max_length=64, blank=True)
    tasks = models.TextField(blank=True, max_length=4000)
    hours_per_day = models.PositiveSmallIntegerField(null=True, blank=True)
    days_per_week = models.PositiveSmallIntegerField(null=True, blank=True)
    whereabouts_when_not_working = EncryptedTextField(max_length=300, blank=True)
    concern_hazardous_work = models.BooleanField(default=False)
    education_status = models.CharField(max_length=32, blank=True)
    immediate_protection_risks = EncryptedTextField(blank=True, max_length=4000)
    health_wellbeing = EncryptedTextField(blank=True, max_length=4000)
    registered_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    sop_version = models.ForeignKey("sop.SopVersion", on_delete=models.PROTECT, related_name="+")


class Assessment(Record):
    """Initial or comprehensive assessment; `facts` feed the SOP's risk matrix (SPEC §3-§6).

    ``facts`` is the merged mapping every caller reads and writes. It is stored in two
    columns: the facts of the SOP's sensitive sections (and any fact marked sensitive)
    encrypted in ``sealed_facts``, the others in clear in ``open_facts`` (column "facts"),
    which reports aggregate on.
    """

    class Kind(models.TextChoices):
        INITIAL = "initial", _("Initial assessment")
        COMPREHENSIVE = "comprehensive", _("Comprehensive assessment")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assessments")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    assessed_on = models.DateField()
    # SOP fact codes, incl. the §6 hazard checklist: use the `facts` property.
    open_facts = models.JSONField(default=dict, db_column="facts")
    sealed_facts = EncryptedJSONField(default=dict)
    narrative = EncryptedJSONField(default=dict)  # free-text domains of §5 (child's own words)
    risk_level = models.CharField(max_length=8, choices=RISK_CHOICES)
    risk_factors = models.JSONField(default=list)
    sop_version = models.ForeignKey("sop.SopVersion", on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["case", "kind", "assessed_on"], name="assess_case_kind")]

    @property
    def facts(self) -> dict[str, Any]:
        return {**(self.open_facts or {}), **(self.sealed_facts or {})}

    @facts.setter
    def facts(self, value: dict[str, Any]) -> None:
        self._split(dict(value or {}))

    def _split(self, merged: dict[str, Any]) -> None:
        if self.sop_version_id is None:
            # The SOP is not known yet: seal everything; save() splits again.
            self.open_facts, self.sealed_facts = {}, merged
            return
        self.open_facts, self.sealed_facts = split_facts(
            merged, sensitive_facts_of_version(self.sop_version_id)
        )

    def save(self, *args: Any, **kwargs: Any) -> None:
        self._split(self.facts)
        super().save(*args, **kwargs)


class RiskChange(Record):
    """Every change of the risk level in effect, with its reason (SPEC §4)."""

    class Kind(models.TextChoices):
        COMPUTED = "computed", _("Computed from an assessment")
        OVERRIDE = "override", _("Supervisor override")
        OVERRIDE_CLEARED = "override_cleared", _("Override removed")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="risk_changes")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    from_level = models.CharField(max_length=8, choices=RISK_CHOICES)
    to_level = models.CharField(max_length=8, choices=RISK_CHOICES)
    computed_level = models.CharField(max_length=8, choices=RISK_CHOICES)
    reason = models.TextField(max_length=4000)
    factors = models.JSONField(default=list)
    assessment = models.ForeignKey(Assessment, null=True, blank=True, on_delete=models.PROTECT)
    sop_version = models.ForeignKey("sop.SopVersion", on_delete=models.PROTECT, related_name="+")
    changed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")


class CasePlan(Record):
    """The case plan (SPEC §7). Each submission is a new row; older ones are kept."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted for approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Returned for changes")
        SUPERSEDED = "superseded", _("Superseded")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="plans")
    number = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    root_causes = models.TextField(blank=True, max_length=4000)
    child_views = models.TextField(blank=True, max_length=4000)
    caregiver_views = models.TextField(blank=True, max_length=4000)
    # Safety plan (SPEC §7): required for high-risk cases.
    safety_contacts = models.TextField(blank=True, max_length=2000)
    safe_places = models.TextField(blank=True, max_length=2000)
    warning_signs = models.TextField(blank=True, max_length=2000)
    protective_equipment = models.TextField(blank=True, max_length=2000)
    due_on = models.DateField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_note = models.TextField(blank=True, max_length=4000)
    sop_version = models.ForeignKey("sop.SopVersion", on_delete=models.PROTECT, related_name="+")

    @property
    def has_safety_plan(self) -> bool:
        return bool(self.safety_contacts.strip() and self.warning_signs.strip())


class PlanGoal(Record):
    class Horizon(models.TextChoices):
        IMMEDIATE = "immediate", _("Immediate")
        SHORT = "short", _("Short term")
        MEDIUM = "medium", _("Medium term")
        LONG = "long", _("Long term")

    class Kind(models.TextChoices):
        NEED = "need", _("Need")
        WANT = "want", _("Want")

    plan = models.ForeignKey(CasePlan, on_delete=models.CASCADE, related_name="goals")
    position = models.PositiveSmallIntegerField(default=0)
    horizon = models.CharField(max_length=16, choices=Horizon.choices)
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.NEED)
    description = models.TextField(max_length=2000)


class PlanAction(Record):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    goal = models.ForeignKey(PlanGoal, on_delete=models.CASCADE, related_name="actions")
    position = models.PositiveSmallIntegerField(default=0)
    description = models.TextField(max_length=2000)
    responsible = models.CharField(max_length=200)
    service_type = models.CharField(max_length=64, blank=True)
    due_on = models.DateField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    completed_on = models.DateField(null=True, blank=True)


class FollowUp(Record):
    """A follow-up contact (SPEC §8)."""

    class Kind(models.TextChoices):
        HOME_VISIT = "home_visit", _("Home or family visit")
        SCHOOL = "school", _("School visit or call with teachers")
        WORKPLACE = "workplace", _("Workplace visit")
        SERVICE_PROVIDER = "service_provider", _("Contact with a service provider")
        PLACES_FREQUENTED = "places_frequented", _("Visit to places working children frequent")
        COMMUNITY_CENTRE = "community_centre", _("Community centre or safe space")
        COMMUNITY_INFORMAL = "community_informal", _("Informal community follow-up")
        PHONE = "phone", _("Phone call")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="follow_ups")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    happened_on = models.DateField()
    child_seen = models.BooleanField(default=False)
    checks = models.JSONField(default=dict)  # check code -> "yes"/"no"/"n/a"
    notes = models.TextField(blank=True, max_length=4000)
    sop_version = models.ForeignKey("sop.SopVersion", on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    @property
    def in_person(self) -> bool:
        return self.kind != self.Kind.PHONE


class Review(Record):
    """Case review, case conference, or supervision discussion of a high-risk case."""

    class Kind(models.TextChoices):
        REVIEW = "review", _("Case review")
        CASE_CONFERENCE = "case_conference", _("Case conference")
        SUPERVISION = "supervision", _("Supervision discussion")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reviews")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    held_on = models.DateField()
    participants = models.TextField(blank=True, max_length=2000)
    summary = models.TextField(max_length=4000)
    decisions = models.TextField(blank=True, max_length=4000)
    follow_up_phase = models.CharField(
        max_length=20, blank=True, choices=[(p.value, p.value) for p in FollowUpPhase]
    )
    sop_version = models.ForeignKey("sop.SopVersion", on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")


class ClosureRequest(Record):
    """Closure proposed by the caseworker, decided by the supervisor (SPEC §9)."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="closure_requests")
    reason = models.CharField(max_length=64)
    # The step closure was asked from: a rejected request returns the case there.
    requested_from = models.CharField(max_length=32, choices=STATUS_CHOICES)
    flags = models.JSONField(default=list)
    justification = models.TextField(max_length=4000)
    transition_plan = models.TextField(blank=True, max_length=4000)
    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=16, choices=Decision.choices, default=Decision.PENDING)
    decided_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True, max_length=4000)
    sop_version = models.ForeignKey("sop.SopVersion", on_delete=models.PROTECT, related_name="+")


class CaseNumberSequence(models.Model):
    """Per agency and year counter for human-readable case numbers."""

    agency = models.ForeignKey("accounts.Agency", on_delete=models.CASCADE)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "year"], name="uniq_case_seq"),
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.year}: {self.last}"
