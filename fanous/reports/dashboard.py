"""Dashboards per role and scope (SPEC §1, §12): who is at risk of being forgotten.

Every section is one aggregate query (conditional counts, GROUP BY) over the actor's scope
(``fanous.reports.scope``); the whole dashboard runs a fixed number of queries, whatever
the number of cases. Agency and area dashboards carry counts only: no child, no case
number and, for the coordinator, no caseworker.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from fanous.accounts.access import Actor
from fanous.accounts.models import Area, User
from fanous.cases.models import OPEN_STATUSES
from fanous.cases.selectors import DUE_KINDS, overdue_condition
from fanous.domain.kpi import Period, month_starts, turning_18_cutoff
from fanous.domain.referrals import ReferralStatus
from fanous.domain.roles import Role
from fanous.domain.sop import RiskLevel
from fanous.domain.workflow import CaseStatus
from fanous.referrals.models import Referral, ServiceGap

from .scope import Filters, Level, Scope, scope_for

# The window for "children turning 18 soon" (transition planning, SPEC §9).
TURNING_18_MONTHS = 3
MONTHS = 12
RISK_ORDER = (RiskLevel.HIGH, RiskLevel.MEDIUM, RiskLevel.LOW, RiskLevel.NONE)
STATUS_ORDER = [s for s in CaseStatus if s.value in OPEN_STATUSES]
AWAITING = (
    ReferralStatus.SENT.value,
    ReferralStatus.ACKNOWLEDGED.value,
    ReferralStatus.ACCEPTED.value,
)


@dataclass(frozen=True)
class Count_:
    """One bar: a code, its count, and (own/team scope) the caseload filter it opens."""

    code: str
    count: int
    query: str = ""


@dataclass(frozen=True)
class Approvals:
    plans: int
    closures: int
    overrides: int
    transfers: int
    cash: int

    @property
    def total(self) -> int:
        return self.plans + self.closures + self.overrides + self.transfers + self.cash


@dataclass(frozen=True)
class ReferralCounts:
    pending: int
    overdue: int
    declined: int
    awaiting_approval: int


@dataclass(frozen=True)
class MonthRow:
    month: date
    by_source: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_source.values())


@dataclass(frozen=True)
class CaseworkerLoad:
    user_id: int | None
    name: str
    open_cases: int
    high_risk: int
    over_ratio: bool


@dataclass(frozen=True)
class GapRow:
    area_code: str
    area_name: str
    need: str
    count: int


@dataclass
class Dashboard:
    level: Level
    period: Period
    today: date
    by_risk: list[Count_]
    by_status: list[Count_]
    open_total: int
    overdue: list[Count_]
    approvals: Approvals | None
    referrals: ReferralCounts
    closures: list[Count_]
    new_cases: list[MonthRow]
    sources: list[str]
    caseload: list[CaseworkerLoad] | None
    max_cases: int | None
    turning_18: int
    gaps: list[GapRow]
    area: Area | None = None
    caseworker: User | None = None
    links: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def _q(**params: Any) -> str:
    from django.utils.http import urlencode

    return urlencode(params, doseq=True)


def _open_counts(
    scope: Scope, today: date
) -> tuple[list[Count_], list[Count_], int, list[Count_], int]:
    """Open cases by risk and status, the overdue deadlines and the children turning 18:
    two grouped queries."""
    links = scope.named
    cw = {"caseworker": scope.caseworker.pk} if scope.caseworker else {}
    grid = list(
        scope.cases.filter(status__in=OPEN_STATUSES)
        .values("risk_level", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    risk: dict[str, int] = {}
    status: dict[str, int] = {}
    for row in grid:
        risk[row["risk_level"]] = risk.get(row["risk_level"], 0) + row["n"]
        status[row["status"]] = status.get(row["status"], 0) + row["n"]
    by_risk = [
        Count_(r.value, risk.get(r.value, 0), _q(risk=r.value, **cw) if links else "")
        for r in RISK_ORDER
    ]
    by_status = [
        Count_(s.value, status.get(s.value, 0), _q(status=s.value, **cw) if links else "")
        for s in STATUS_ORDER
    ]
    cutoff = turning_18_cutoff(today, TURNING_18_MONTHS)
    aggregates: dict[str, Any] = {
        kind: Count("pk", filter=overdue_condition(kind, today)) for kind in DUE_KINDS
    }
    aggregates["turning_18"] = Count("pk", filter=Q(child__birth_date__lte=cutoff))
    row = scope.cases.filter(status__in=OPEN_STATUSES).aggregate(**aggregates)
    overdue = [
        Count_(kind, int(row[kind] or 0), _q(due=kind, **cw) if links else "") for kind in DUE_KINDS
    ]
    return by_risk, by_status, sum(risk.values()), overdue, int(row["turning_18"] or 0)


def _approvals(scope: Scope) -> Approvals | None:
    if scope.actor.role != Role.SUPERVISOR:
        return None
    from fanous.cases.queues import approvals_for
    from fanous.referrals.selectors.cash import cash_pending_for
    from fanous.referrals.selectors.referrals import pending_overrides_for
    from fanous.referrals.selectors.transfers import transfer_inbox_count

    actor = scope.actor
    counts = (
        approvals_for(actor=actor)
        .order_by()
        .aggregate(
            plans=Count("pk", filter=Q(status=CaseStatus.PLAN_PENDING_APPROVAL.value)),
            closures=Count("pk", filter=Q(status=CaseStatus.CLOSURE_REQUESTED.value)),
        )
    )
    return Approvals(
        plans=int(counts["plans"] or 0),
        closures=int(counts["closures"] or 0),
        overrides=pending_overrides_for(actor).order_by().count(),
        transfers=transfer_inbox_count(actor=actor),
        cash=cash_pending_for(actor=actor).order_by().count(),
    )


def _referrals(scope: Scope, period: Period) -> ReferralCounts:
    now = timezone.now()
    start, before = period.bounds()
    row = Referral.objects.filter(case__in=scope.cases.values("pk")).aggregate(
        pending=Count("pk", filter=Q(status__in=AWAITING)),
        # The deadline of the referral's current status has passed (notifications.overdue).
        overdue=Count(
            "pk",
            filter=Q(status=ReferralStatus.SENT.value, acknowledge_by__lt=now)
            | Q(status=ReferralStatus.ACKNOWLEDGED.value, respond_by__lt=now)
            | Q(status=ReferralStatus.ACCEPTED.value, deliver_by__lt=now),
        ),
        declined=Count(
            "pk",
            filter=Q(
                status=ReferralStatus.DECLINED.value,
                declined_at__gte=start,
                declined_at__lt=before,
            ),
        ),
        awaiting_approval=Count("pk", filter=Q(status=ReferralStatus.PENDING_APPROVAL.value)),
    )
    return ReferralCounts(**{k: int(v or 0) for k, v in row.items()})


def _months_start(period: Period) -> datetime:
    first = month_starts(period.end, MONTHS)[0]
    return datetime.combine(first, time.min, tzinfo=ZoneInfo(period.timezone))


def _closures(scope: Scope, period: Period) -> list[Count_]:
    _, before = period.bounds()
    rows = (
        scope.cases.filter(
            status=CaseStatus.CLOSED.value,
            closed_at__gte=_months_start(period),
            closed_at__lt=before,
        )
        .values("closure_reason")
        .annotate(n=Count("pk"))
        .order_by("-n", "closure_reason")
    )
    known = [r.code for r in scope.sop.closure.reasons] if scope.sop else []
    got = {row["closure_reason"]: int(row["n"]) for row in rows}
    codes = [c for c in known if c in got] + sorted(c for c in got if c not in known)
    return [Count_(code, got[code]) for code in codes]


def _new_cases(scope: Scope, period: Period) -> tuple[list[MonthRow], list[str]]:
    _, before = period.bounds()
    zone = ZoneInfo(period.timezone)
    rows = (
        scope.cases.filter(identified_at__gte=_months_start(period), identified_at__lt=before)
        .annotate(month=TruncMonth("identified_at", tzinfo=zone))
        .values("month", "source")
        .annotate(n=Count("pk"))
        .order_by()
    )
    table: dict[date, dict[str, int]] = {m: {} for m in month_starts(period.end, MONTHS)}
    sources: set[str] = set()
    for row in rows:
        month = row["month"]
        day = month.date() if isinstance(month, datetime) else month
        source = row["source"] or "unknown"
        sources.add(source)
        bucket = table.setdefault(day, {})
        bucket[source] = bucket.get(source, 0) + int(row["n"])
    ordered_sources = sorted(sources)
    return (
        [MonthRow(m, {s: table[m].get(s, 0) for s in ordered_sources}) for m in sorted(table)],
        ordered_sources,
    )


def _caseload(scope: Scope, max_cases: int | None) -> list[CaseworkerLoad] | None:
    """Open cases per caseworker against the SOP staffing ratio (SPEC §2): two queries."""
    actor = scope.actor
    if scope.level == Level.AREA or actor.agency_id is None:
        return None
    people = User.objects.filter(
        agency_id=actor.agency_id, role=Role.CASEWORKER.value, is_active=True
    )
    if scope.level == Level.TEAM:
        from fanous.accounts.access import supervised_user_ids

        people = people.filter(pk__in=supervised_user_ids(actor))
    elif scope.level == Level.OWN:
        people = people.filter(pk=actor.id)
    if scope.caseworker is not None:
        people = people.filter(pk=scope.caseworker.pk)
    counts = {
        row["caseworker_id"]: row
        for row in scope.cases.filter(status__in=OPEN_STATUSES, caseworker__isnull=False)
        .values("caseworker_id")
        .annotate(n=Count("pk"), high=Count("pk", filter=Q(risk_level=RiskLevel.HIGH.value)))
        .order_by()
    }
    out = []
    for user in people.order_by("first_name", "last_name", "username"):
        got = counts.get(user.pk, {"n": 0, "high": 0})
        out.append(
            CaseworkerLoad(
                user_id=user.pk,
                name=user.get_full_name() or user.username,
                open_cases=int(got["n"]),
                high_risk=int(got["high"]),
                over_ratio=max_cases is not None and int(got["n"]) > max_cases,
            )
        )
    return out


def _gaps(scope: Scope, period: Period, lang: str) -> list[GapRow]:
    """Unmet needs still open at the end of the period, by area and need (SPEC §12)."""
    qs = ServiceGap.objects.filter(resolved_on__isnull=True, noted_on__lte=period.end)
    if scope.level == Level.AREA:
        if scope.area is not None:
            area = scope.area
            qs = qs.filter(Q(area=area) | Q(area__parent=area) | Q(area__parent__parent=area))
    elif scope.level == Level.AGENCY and scope.actor.agency_id is not None:
        qs = qs.filter(agency_id=scope.actor.agency_id)
    else:
        qs = qs.filter(case__in=scope.cases.values("pk"))
    name = "area__name_ar" if lang == "ar" else "area__name_fr" if lang == "fr" else "area__name_en"
    rows = (
        qs.values("area__code", name, "area__name_en", "need")
        .annotate(n=Count("pk"))
        .order_by("area__code", "-n", "need")
    )
    return [
        GapRow(
            area_code=row["area__code"],
            area_name=row[name] or row["area__name_en"],
            need=row["need"],
            count=int(row["n"]),
        )
        for row in rows
    ]


def dashboard_of(scope: Scope, period: Period, *, lang: str = "en") -> Dashboard:
    today = scope.today()
    by_risk, by_status, total, overdue, turning = _open_counts(scope, today)
    new_cases, sources = _new_cases(scope, period)
    max_cases = scope.sop.staffing.max_cases_per_caseworker if scope.sop else None
    return Dashboard(
        level=scope.level,
        period=period,
        today=today,
        by_risk=by_risk,
        by_status=by_status,
        open_total=total,
        overdue=overdue,
        approvals=_approvals(scope),
        referrals=_referrals(scope, period),
        closures=_closures(scope, period),
        new_cases=new_cases,
        sources=sources,
        caseload=_caseload(scope, max_cases),
        max_cases=max_cases,
        turning_18=turning,
        gaps=_gaps(scope, period, lang),
        area=scope.area,
        caseworker=scope.caseworker,
        links=scope.named,
    )


def dashboard_for(
    actor: Actor, period: Period, filters: Filters | None = None, *, lang: str = "en"
) -> Dashboard:
    """The dashboard of the actor's scope (what the page, the API and the benchmark call)."""
    return dashboard_of(scope_for(actor, filters), period, lang=lang)


def default_period(actor: Actor, days: int = 90) -> Period:
    """The last ``days`` days in the actor's SOP's time zone (the benchmark's default)."""
    scope = scope_for(actor)
    return Period.last_days(scope.today(), days, scope.timezone)
