"""API schemas for cases. Limits here are the first line against bad input; services check
the rules that need the SOP or the database."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal
from uuid import UUID

from ninja import Schema
from pydantic import Field, StringConstraints

from fanous.domain.sop import FollowUpPhase, RiskLevel
from fanous.domain.workflow import CaseStatus

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
OptName = Annotated[str, StringConstraints(strip_whitespace=True, max_length=80)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Text = Annotated[str, StringConstraints(max_length=4000)]
Code = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_.]{0,63}$")]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, max_length=32)]


class SexIn(StrEnum):
    F = "f"
    M = "m"


class ChildIn(Schema):
    given_name: Name
    father_name: OptName = ""
    grandfather_name: OptName = ""
    family_name: OptName = ""
    sex: SexIn
    birth_date: date
    birth_date_estimated: bool = False
    nationality: Annotated[str, StringConstraints(max_length=64)] = ""
    legal_status: Annotated[str, StringConstraints(max_length=32)] = ""
    disability: bool = False
    phone: Phone = ""
    languages: Annotated[str, StringConstraints(max_length=120)] = ""
    current_address: Annotated[str, StringConstraints(max_length=300)] = ""


class ChildPatch(Schema):
    given_name: Name | None = None
    father_name: OptName | None = None
    grandfather_name: OptName | None = None
    family_name: OptName | None = None
    sex: SexIn | None = None
    birth_date: date | None = None
    birth_date_estimated: bool | None = None
    nationality: Annotated[str, StringConstraints(max_length=64)] | None = None
    legal_status: Annotated[str, StringConstraints(max_length=32)] | None = None
    disability: bool | None = None
    phone: Phone | None = None
    languages: Annotated[str, StringConstraints(max_length=120)] | None = None
    current_address: Annotated[str, StringConstraints(max_length=300)] | None = None


class CaseIdentifyIn(Schema):
    id: UUID | None = Field(
        None, description="Client-generated UUID; a retry returns the same case"
    )
    child: ChildIn
    area: Annotated[str, StringConstraints(max_length=32)] | None = Field(
        None, description="Area code; defaults to the agency's SOP area"
    )
    concerns: list[Code] = Field(default_factory=list, max_length=10)
    eligibility_criteria: list[Code] = Field(default_factory=list, max_length=20)
    immediate_needs: list[Code] = Field(default_factory=list, max_length=10)
    immediate_needs_notes: Text = ""
    source: Annotated[str, StringConstraints(max_length=32)] = ""
    household_address: Annotated[str, StringConstraints(max_length=300)] = ""
    household_phone: Phone = ""


class VersionIn(Schema):
    version: int = Field(..., ge=1, description="The case version your change is based on")


class ChildUpdateIn(VersionIn):
    child: ChildPatch


class ConsentIn(Schema):
    id: UUID | None = None
    purpose: Code
    giver: Literal["caregiver", "child"]
    given: bool
    giver_name: Short = ""
    giver_relation: Annotated[str, StringConstraints(max_length=32)] = ""
    method: Literal["verbal", "written", "thumbprint"] = "verbal"
    recorded_on: date | None = None
    notes: Annotated[str, StringConstraints(max_length=2000)] = ""


class ConsentWithdrawIn(Schema):
    reason: Annotated[str, StringConstraints(min_length=1, max_length=2000)]


class RegistrationIn(VersionIn):
    workplace_name: Short = ""
    workplace_location: Annotated[str, StringConstraints(max_length=300)] = ""
    workplace_contact: Annotated[str, StringConstraints(max_length=120)] = ""
    work_type: Annotated[str, StringConstraints(max_length=64)] = ""
    tasks: Text = ""
    hours_per_day: int | None = Field(None, ge=0, le=24)
    days_per_week: int | None = Field(None, ge=0, le=7)
    whereabouts_when_not_working: Annotated[str, StringConstraints(max_length=300)] = ""
    concern_hazardous_work: bool = False
    education_status: Annotated[str, StringConstraints(max_length=32)] = ""
    immediate_protection_risks: Text = ""
    health_wellbeing: Text = ""


class RegistrationPatch(Schema):
    """Registration fields to correct; a field left out is left as it is."""

    workplace_name: Short | None = None
    workplace_location: Annotated[str, StringConstraints(max_length=300)] | None = None
    workplace_contact: Annotated[str, StringConstraints(max_length=120)] | None = None
    work_type: Annotated[str, StringConstraints(max_length=64)] | None = None
    tasks: Text | None = None
    hours_per_day: int | None = Field(None, ge=0, le=24)
    days_per_week: int | None = Field(None, ge=0, le=7)
    whereabouts_when_not_working: Annotated[str, StringConstraints(max_length=300)] | None = None
    concern_hazardous_work: bool | None = None
    education_status: Annotated[str, StringConstraints(max_length=32)] | None = None
    immediate_protection_risks: Text | None = None
    health_wellbeing: Text | None = None


class RegistrationUpdateIn(VersionIn, RegistrationPatch):
    pass


class NotEligibleIn(VersionIn):
    reason: Annotated[str, StringConstraints(min_length=1, max_length=2000)]


class ReferOutIn(VersionIn):
    referred_to: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    feedback: Annotated[str, StringConstraints(max_length=2000)] = ""


class AssignIn(VersionIn):
    caseworker_id: int


FactValue = bool | int | Annotated[str, StringConstraints(max_length=64)] | None


class AssessmentIn(Schema):
    id: UUID | None = None
    version: int | None = Field(None, ge=1)
    kind: Literal["initial", "comprehensive"]
    assessed_on: date
    facts: dict[Code, FactValue] = Field(default_factory=dict, max_length=300)
    narrative: dict[Code, Text] = Field(default_factory=dict, max_length=40)


class RiskOverrideIn(VersionIn):
    level: RiskLevel | None = Field(None, description="null removes the override")
    reason: Annotated[str, StringConstraints(min_length=1, max_length=2000)]


class ReviewIn(Schema):
    id: UUID | None = None
    kind: Literal["review", "case_conference", "supervision"]
    held_on: date
    summary: Annotated[str, StringConstraints(min_length=1, max_length=4000)]
    decisions: Text = ""
    participants: Annotated[str, StringConstraints(max_length=2000)] = ""
    follow_up_phase: FollowUpPhase | None = None


class PlanActionIn(Schema):
    description: Annotated[str, StringConstraints(min_length=1, max_length=2000)]
    responsible: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    due_on: date
    service_type: Annotated[str, StringConstraints(max_length=64)] = ""
    status: Literal["open", "done", "cancelled"] = "open"


class PlanGoalIn(Schema):
    horizon: Literal["immediate", "short", "medium", "long"]
    kind: Literal["need", "want"] = "need"
    description: Annotated[str, StringConstraints(min_length=1, max_length=2000)]
    actions: list[PlanActionIn] = Field(default_factory=list, max_length=30)


class PlanIn(VersionIn):
    goals: list[PlanGoalIn] = Field(default_factory=list, max_length=30)
    root_causes: Text = ""
    child_views: Text = ""
    caregiver_views: Text = ""
    safety_contacts: Annotated[str, StringConstraints(max_length=2000)] = ""
    safe_places: Annotated[str, StringConstraints(max_length=2000)] = ""
    warning_signs: Annotated[str, StringConstraints(max_length=2000)] = ""
    protective_equipment: Annotated[str, StringConstraints(max_length=2000)] = ""


class DecisionIn(VersionIn):
    note: Text = ""


class PlanActionStatusIn(Schema):
    status: Literal["open", "done", "cancelled"]
    completed_on: date | None = None


class FollowUpIn(Schema):
    id: UUID | None = None
    kind: Literal[
        "home_visit",
        "school",
        "workplace",
        "service_provider",
        "places_frequented",
        "community_centre",
        "community_informal",
        "phone",
    ]
    happened_on: date
    child_seen: bool = False
    checks: dict[Code, Literal["yes", "no", "partly", "n/a"]] = Field(
        default_factory=dict, max_length=30
    )
    notes: Text = ""


class ClosureIn(VersionIn):
    reason: Code
    flags: list[Code] = Field(default_factory=list, max_length=20)
    justification: Annotated[str, StringConstraints(min_length=1, max_length=4000)]
    transition_plan: Text = ""


class ReopenIn(VersionIn):
    reason: Annotated[str, StringConstraints(min_length=1, max_length=2000)]


class HouseholdMemberIn(Schema):
    id: UUID | None = None
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    relation: Literal["mother", "father", "sibling", "grandparent", "uncle_aunt", "spouse", "other"]
    sex: SexIn
    birth_date: date | None = None
    is_caregiver: bool = False
    works: bool | None = None
    in_school: bool | None = None
    protection_concerns: Annotated[str, StringConstraints(max_length=300)] = ""


# ---------------------------------------------------------------- output


class ChildOut(Schema):
    id: UUID
    given_name: str
    father_name: str
    grandfather_name: str
    family_name: str
    full_name: str
    sex: str
    birth_date: date
    birth_date_estimated: bool
    age: int
    nationality: str
    legal_status: str
    disability: bool
    phone: str
    current_address: str


class DeadlinesOut(Schema):
    assessment_due_on: date | None
    plan_due_on: date | None
    next_follow_up_on: date | None
    next_due_on: date | None
    overdue: bool
    follow_up_phase: FollowUpPhase
    follow_up_frequency: dict[str, int] | None = Field(
        None, description="times per period_days in force for the level and phase"
    )


class RiskOut(Schema):
    level: RiskLevel
    computed: RiskLevel
    override: RiskLevel | None
    factors: list[dict[str, Any]]
    high_risk_discussed_at: datetime | None


class CaseSummaryOut(Schema):
    id: UUID
    version: int
    case_number: str
    status: CaseStatus
    risk_level: RiskLevel
    child_name: str
    child_age: int
    sex: str
    next_due_on: date | None
    overdue: bool
    caseworker_id: int | None


class CaseListOut(Schema):
    count: int
    limit: int
    offset: int
    items: list[CaseSummaryOut]


class ConsentOut(Schema):
    id: UUID
    purpose: str
    giver: str
    given: bool
    giver_name: str
    method: str
    recorded_on: date
    withdrawn_at: datetime | None


class HouseholdMemberOut(Schema):
    id: UUID
    name: str
    relation: str
    sex: str
    birth_date: date | None
    is_caregiver: bool
    works: bool | None
    in_school: bool | None
    protection_concerns: str
    child_id: UUID | None


class PlanActionOut(Schema):
    id: UUID
    description: str
    responsible: str
    due_on: date
    service_type: str
    status: str


class PlanGoalOut(Schema):
    id: UUID
    horizon: str
    kind: str
    description: str
    actions: list[PlanActionOut]


class PlanOut(Schema):
    id: UUID
    number: int
    status: str
    due_on: date | None
    root_causes: str
    child_views: str
    caregiver_views: str
    safety_contacts: str
    safe_places: str
    warning_signs: str
    protective_equipment: str
    submitted_at: datetime | None
    decided_at: datetime | None
    decision_note: str
    sop_version: str
    goals: list[PlanGoalOut]


class ClosureRequestOut(Schema):
    id: UUID
    reason: str
    flags: list[str]
    justification: str
    transition_plan: str
    decision: str
    decided_at: datetime | None
    decision_note: str
    sop_version: str


class CaseAccessOut(Schema):
    grant_id: UUID
    kind: str
    include_sensitive: bool
    expires_at: datetime
    last_day: date
    read_only: bool


class CaseOut(Schema):
    id: UUID
    version: int
    case_number: str
    status: CaseStatus
    allowed_actions: list[str]
    agency: str
    area: str
    caseworker_id: int | None
    concerns: list[str]
    source: str
    immediate_needs: list[str]
    eligible: bool | None
    eligibility_criteria: list[str]
    not_eligible_reason: str
    referred_out_to: str
    child: ChildOut
    risk: RiskOut
    deadlines: DeadlinesOut
    sop_version: str
    consents: list[ConsentOut]
    effective_consents: list[str]
    registration: dict[str, Any] | None
    household: list[HouseholdMemberOut]
    plan: PlanOut | None
    closure_request: ClosureRequestOut | None
    closure_reason: str
    identified_at: datetime
    registered_at: datetime | None
    initial_assessed_at: datetime | None
    comprehensive_assessed_at: datetime | None
    plan_submitted_at: datetime | None
    plan_approved_at: datetime | None
    closure_requested_at: datetime | None
    closed_at: datetime | None
    # Need to know (SPEC §12): the sensitive sections withheld from this reader, and the
    # share or break-glass access through which they read the case (None: their own case).
    restricted_sections: list[str] = []
    access: CaseAccessOut | None = None


class AssessmentOut(Schema):
    id: UUID
    kind: str
    assessed_on: date
    facts: dict[str, Any]
    narrative: dict[str, str]
    risk_level: RiskLevel
    risk_factors: list[dict[str, Any]]
    sop_version: str
    recorded_by_id: int
    created_at: datetime


class FollowUpOut(Schema):
    id: UUID
    kind: str
    happened_on: date
    child_seen: bool
    checks: dict[str, str]
    notes: str
    sop_version: str


class ReviewOut(Schema):
    id: UUID
    kind: str
    held_on: date
    summary: str
    decisions: str
    participants: str
    follow_up_phase: str
    sop_version: str


class RiskChangeOut(Schema):
    id: UUID
    kind: str
    from_level: RiskLevel
    to_level: RiskLevel
    computed_level: RiskLevel
    reason: str
    sop_version: str
    changed_by_id: int
    created_at: datetime


class EventOut(Schema):
    id: UUID
    at: datetime
    actor: str | None
    action: str
    object_type: str
    summary: str
    changes: dict[str, Any]
    sop_version: str
