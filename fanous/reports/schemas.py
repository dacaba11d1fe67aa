"""API shapes of the dashboards and KPIs (SPEC §12)."""

from __future__ import annotations

from datetime import date

from ninja import Schema


class ReportQuery(Schema):
    start: date | None = None
    end: date | None = None
    area: str = ""
    caseworker: int | None = None


class PeriodOut(Schema):
    start: date
    end: date
    timezone: str


class CountOut(Schema):
    code: str
    count: int
    query: str = ""


class ApprovalsOut(Schema):
    plans: int
    closures: int
    overrides: int
    transfers: int
    cash: int


class ReferralCountsOut(Schema):
    pending: int
    overdue: int
    declined: int
    awaiting_approval: int


class MonthOut(Schema):
    month: date
    by_source: dict[str, int]
    total: int


class CaseworkerLoadOut(Schema):
    user_id: int | None
    name: str
    open_cases: int
    high_risk: int
    over_ratio: bool


class GapOut(Schema):
    area_code: str
    area_name: str
    need: str
    count: int


class DashboardOut(Schema):
    level: str
    period: PeriodOut
    today: date
    open_total: int
    by_risk: list[CountOut]
    by_status: list[CountOut]
    overdue: list[CountOut]
    approvals: ApprovalsOut | None
    referrals: ReferralCountsOut
    closures_12_months: list[CountOut]
    new_cases_12_months: list[MonthOut]
    caseload: list[CaseworkerLoadOut] | None
    max_cases_per_caseworker: int | None
    turning_18_within_3_months: int
    unmet_needs: list[GapOut]


class DistributionOut(Schema):
    count: int
    median: float | None
    p90: float | None


class LevelDeadlineOut(Schema):
    level: str
    deadline_days: int | None
    count: int
    within: int
    percent_within: float | None
    median: float | None
    p90: float | None


class RatioOut(Schema):
    numerator: int
    denominator: int
    percent: float | None


class LevelDurationOut(Schema):
    level: str
    count: int
    average_days: float | None


class KpiDefinitionOut(Schema):
    code: str
    title: str
    definition: str
    numerator: str
    denominator: str
    sop_reference: str
    spec: str


class KpisOut(Schema):
    period: PeriodOut
    registration_to_initial_assessment: DistributionOut
    assessment_to_plan: DistributionOut
    assessment_to_plan_by_level: list[LevelDeadlineOut]
    plans_within_deadline: RatioOut
    follow_ups_on_time: RatioOut
    referrals_completed: RatioOut
    case_duration: list[LevelDurationOut]
    definitions: list[KpiDefinitionOut]
