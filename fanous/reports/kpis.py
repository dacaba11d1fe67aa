"""Key performance indicators of case management (SPEC §12), computed in the database.

Each KPI has a written definition (``KPI_DEFINITIONS``: shown on the "KPI definitions"
page and in docs/KPIS.md). Every figure is an aggregate over the actor's scope
(``fanous.reports.scope``); the number of queries is fixed, whatever the number of cases.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Avg, Case, Count, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from fanous.accounts.access import Actor
from fanous.cases.models import FollowUp
from fanous.domain.kpi import Period, interval_days, percent
from fanous.domain.referrals import ReferralStatus
from fanous.domain.sop import FollowUpPhase, RiskLevel, Sop
from fanous.referrals.models import Referral

from .scope import Filters, Scope, scope_for
from .sql import DaysBetween, local_date, percentiles

DEADLINE_LEVELS = (RiskLevel.HIGH, RiskLevel.MEDIUM, RiskLevel.LOW)


@dataclass(frozen=True)
class KpiDefinition:
    code: str
    title: Any
    definition: Any
    numerator: Any
    denominator: Any
    sop_reference: Any
    spec: str


KPI_DEFINITIONS: list[KpiDefinition] = [
    KpiDefinition(
        code="registration_to_initial_assessment",
        title=_("Days from registration to initial assessment"),
        definition=_(
            "For cases whose initial assessment date falls in the period: the number of "
            "calendar days (in the SOP's time zone) from the day of registration to the day "
            "of the initial assessment. Shown as the median and the 90th percentile "
            "(continuous percentile, as PostgreSQL's percentile_cont)."
        ),
        numerator=_("Days from registration to initial assessment, per case"),
        denominator=_("Cases with an initial assessment dated in the period"),
        sop_reference=_("SOP step 1: identification, registration and initial assessment"),
        spec="SPEC §3, §12",
    ),
    KpiDefinition(
        code="assessment_to_plan",
        title=_("Days from comprehensive assessment to case plan"),
        definition=_(
            "For cases whose (latest) case plan was submitted for approval in the period: the "
            "calendar days from the comprehensive assessment to the submission. Median and "
            "90th percentile overall and per risk level, and the share submitted within the "
            "SOP deadline of the case's risk level."
        ),
        numerator=_("Plans submitted no later than the SOP plan deadline for the risk level"),
        denominator=_("Plans submitted in the period, per risk level"),
        sop_reference=_("SOP timeframes: case plan deadline per risk level"),
        spec="SPEC §7, §12",
    ),
    KpiDefinition(
        code="follow_ups_on_time",
        title=_("Follow-ups on time"),
        definition=_(
            "A follow-up is on time when it took place no more days after the previous "
            "follow-up of the case (or after the start of follow-up, when the plan was "
            "approved) than the SOP interval of the case's risk level and follow-up phase: "
            "the period of the frequency divided by the number of contacts, rounded up "
            "(twice a week: 4 days). Cases whose follow-up is late and not yet done are "
            "counted on the dashboard as overdue follow-ups."
        ),
        numerator=_("Follow-ups in the period done within the SOP interval"),
        denominator=_("Follow-ups in the period on cases with a follow-up frequency"),
        sop_reference=_("SOP timeframes: follow-up frequency per risk level and phase"),
        spec="SPEC §8, §12",
    ),
    KpiDefinition(
        code="referrals_completed",
        title=_("Referrals completed"),
        definition=_(
            "Of the referrals sent in the period, the share whose service was delivered "
            "(status delivered or closed). Revoked referrals, and referrals without consent "
            "that a supervisor did not let go, are not counted."
        ),
        numerator=_("Referrals sent in the period now delivered or closed"),
        denominator=_("Referrals sent in the period, except revoked ones"),
        sop_reference=_("SOP referral pathways and service map"),
        spec="SPEC §8, §12",
    ),
    KpiDefinition(
        code="case_duration",
        title=_("Average case duration"),
        definition=_(
            "For cases closed in the period: the average number of calendar days from "
            "registration to closure, per risk level at closure."
        ),
        numerator=_("Sum of the days from registration to closure"),
        denominator=_("Cases closed in the period that had been registered"),
        sop_reference=_("SOP closure criteria"),
        spec="SPEC §9, §12",
    ),
]


@dataclass(frozen=True)
class Distribution:
    count: int
    median: float | None
    p90: float | None


@dataclass(frozen=True)
class LevelDeadline:
    level: RiskLevel
    deadline_days: int | None
    count: int
    within: int
    median: float | None
    p90: float | None

    @property
    def percent_within(self) -> float | None:
        return percent(self.within, self.count)


@dataclass(frozen=True)
class Ratio:
    numerator: int
    denominator: int

    @property
    def percent(self) -> float | None:
        return percent(self.numerator, self.denominator)


@dataclass(frozen=True)
class LevelDuration:
    level: RiskLevel
    count: int
    average_days: float | None


@dataclass(frozen=True)
class Kpis:
    period: Period
    registration_to_initial: Distribution
    assessment_to_plan: Distribution
    plan_by_level: list[LevelDeadline]
    follow_ups_on_time: Ratio
    referrals_completed: Ratio
    case_duration: list[LevelDuration]
    definitions: list[KpiDefinition] = field(default_factory=lambda: KPI_DEFINITIONS)

    @property
    def plan_within(self) -> Ratio:
        return Ratio(
            sum(row.within for row in self.plan_by_level),
            sum(row.count for row in self.plan_by_level),
        )


def _by_level(sop: Sop | None, value: Any, *, default: Any = None) -> Case | Value:
    """A CASE over the case's risk level giving ``value(level_timeframes)``."""
    whens = []
    if sop is not None:
        for level in DEADLINE_LEVELS:
            tf = sop.timeframes.for_level(level)
            got = value(tf) if tf is not None else None
            if got is not None:
                whens.append(When(risk_level=level.value, then=Value(got)))
    if not whens:
        return Value(default, output_field=IntegerField())
    return Case(*whens, default=Value(default), output_field=IntegerField())


def registration_to_initial(scope: Scope, period: Period) -> Distribution:
    qs = scope.cases.filter(
        initial_assessed_on__gte=period.start,
        initial_assessed_on__lte=period.end,
        registered_at__isnull=False,
    ).annotate(
        kpi_days=DaysBetween("initial_assessed_on", local_date("registered_at", period.timezone))
    )
    n, (median, p90) = percentiles(qs, "kpi_days")
    return Distribution(n, median, p90)


def _plans(scope: Scope, period: Period) -> Any:
    start, before = period.bounds()
    return scope.cases.filter(
        plan_submitted_at__gte=start,
        plan_submitted_at__lt=before,
        comprehensive_assessed_on__isnull=False,
    ).annotate(
        kpi_days=DaysBetween(
            local_date("plan_submitted_at", period.timezone), "comprehensive_assessed_on"
        ),
        kpi_deadline=_by_level(scope.sop, lambda tf: tf.plan_due_days),
    )


def assessment_to_plan(scope: Scope, period: Period) -> tuple[Distribution, list[LevelDeadline]]:
    plans = _plans(scope, period)
    n, (median, p90) = percentiles(plans, "kpi_days")
    counts = {
        row["risk_level"]: row
        for row in plans.values("risk_level")
        .annotate(
            n=Count("pk"),
            within=Count(
                "pk", filter=Q(kpi_deadline__isnull=False, kpi_days__lte=F("kpi_deadline"))
            ),
        )
        .order_by()
    }
    rows = []
    for level in DEADLINE_LEVELS:
        tf = scope.sop.timeframes.for_level(level) if scope.sop else None
        got = counts.get(level.value)
        level_n = int(got["n"]) if got else 0
        lmedian = lp90 = None
        if level_n:
            _, (lmedian, lp90) = percentiles(plans.filter(risk_level=level.value), "kpi_days")
        rows.append(
            LevelDeadline(
                level=level,
                deadline_days=tf.plan_due_days if tf else None,
                count=level_n,
                within=int(got["within"]) if got else 0,
                median=lmedian,
                p90=lp90,
            )
        )
    return Distribution(n, median, p90), rows


def _follow_up_interval(sop: Sop | None) -> Case | Value:
    whens = []
    if sop is not None:
        for level in DEADLINE_LEVELS:
            tf = sop.timeframes.for_level(level)
            if tf is None:
                continue
            for phase, freq in (
                (FollowUpPhase.INITIAL, tf.follow_up_initial),
                (FollowUpPhase.STABLE, tf.follow_up_stable),
                (FollowUpPhase.VISITS_IMPOSSIBLE, tf.follow_up_visits_impossible),
            ):
                if freq is not None:
                    whens.append(
                        When(
                            case__risk_level=level.value,
                            case__follow_up_phase=phase.value,
                            then=Value(interval_days(freq.times, freq.period_days)),
                        )
                    )
    if not whens:
        return Value(None, output_field=IntegerField())
    return Case(*whens, default=Value(None), output_field=IntegerField())


def follow_ups_on_time(scope: Scope, period: Period) -> Ratio:
    previous = (
        FollowUp.objects.filter(case=OuterRef("case"), happened_on__lt=OuterRef("happened_on"))
        .order_by("-happened_on")
        .values("happened_on")[:1]
    )
    rows = (
        FollowUp.objects.filter(
            case__in=scope.cases.values("pk"),
            happened_on__gte=period.start,
            happened_on__lte=period.end,
            case__follow_up_started_on__isnull=False,
        )
        .annotate(
            kpi_allowed=_follow_up_interval(scope.sop),
            kpi_gap=DaysBetween(
                "happened_on", Coalesce(Subquery(previous), "case__follow_up_started_on")
            ),
        )
        .aggregate(
            total=Count("pk", filter=Q(kpi_allowed__isnull=False)),
            on_time=Count("pk", filter=Q(kpi_allowed__isnull=False, kpi_gap__lte=F("kpi_allowed"))),
        )
    )
    return Ratio(int(rows["on_time"] or 0), int(rows["total"] or 0))


def referrals_completed(scope: Scope, period: Period) -> Ratio:
    start, before = period.bounds()
    row = (
        Referral.objects.filter(
            case__in=scope.cases.values("pk"), sent_at__gte=start, sent_at__lt=before
        )
        .exclude(
            status__in=[
                ReferralStatus.REVOKED.value,
                ReferralStatus.CANCELLED.value,
                ReferralStatus.PENDING_APPROVAL.value,
            ]
        )
        .aggregate(
            sent=Count("pk"),
            done=Count(
                "pk",
                filter=Q(status__in=[ReferralStatus.DELIVERED.value, ReferralStatus.CLOSED.value]),
            ),
        )
    )
    return Ratio(int(row["done"] or 0), int(row["sent"] or 0))


def case_duration(scope: Scope, period: Period) -> list[LevelDuration]:
    start, before = period.bounds()
    rows = {
        row["risk_level"]: row
        for row in scope.cases.filter(
            closed_at__gte=start, closed_at__lt=before, registered_at__isnull=False
        )
        .annotate(
            kpi_days=DaysBetween(
                local_date("closed_at", period.timezone),
                local_date("registered_at", period.timezone),
            )
        )
        .values("risk_level")
        .annotate(n=Count("pk"), average=Avg("kpi_days"))
        .order_by()
    }
    out = []
    for level in (*DEADLINE_LEVELS, RiskLevel.NONE):
        got = rows.get(level.value)
        out.append(
            LevelDuration(
                level=level,
                count=int(got["n"]) if got else 0,
                average_days=round(float(got["average"]), 1)
                if got and got["average"] is not None
                else None,
            )
        )
    return out


def kpis_of(scope: Scope, period: Period) -> Kpis:
    plan, plan_levels = assessment_to_plan(scope, period)
    return Kpis(
        period=period,
        registration_to_initial=registration_to_initial(scope, period),
        assessment_to_plan=plan,
        plan_by_level=plan_levels,
        follow_ups_on_time=follow_ups_on_time(scope, period),
        referrals_completed=referrals_completed(scope, period),
        case_duration=case_duration(scope, period),
    )


def kpis_for(actor: Actor, period: Period, filters: Filters | None = None) -> Kpis:
    """The KPIs of the actor's scope over ``period`` (what the page, the API and the
    benchmark call)."""
    return kpis_of(scope_for(actor, filters), period)
