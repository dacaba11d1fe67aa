"""Reads of case data. Every query starts from accounts.access.cases_visible_to."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from django.db.models import Prefetch, Q, QuerySet

from fanous.accounts.access import Actor, cases_in_scope, cases_visible_to
from fanous.audit.models import Event
from fanous.core.crypto import query_digests
from fanous.core.errors import NotFoundError
from fanous.core.middleware import request_memo
from fanous.core.ttlcache import TtlCache
from fanous.domain.sop import RiskLevel, Sop
from fanous.domain.workflow import CaseStatus

from .models import OPEN_STATUSES, Case, CasePlan, Consent, PlanAction, PlanGoal


def sop_of_actor(actor: Actor) -> Sop | None:
    """The SOP in force where the actor's agency works; None for staff without an area."""
    from fanous.accounts.models import Agency
    from fanous.core.errors import NotFoundError as NoSop
    from fanous.sop.selectors import active_sop

    if actor.agency_id is None:
        return None
    memo = request_memo()
    key = ("sop_of_agency", actor.agency_id)
    if memo is not None and key in memo:
        found: Sop | None = memo[key]
        return found
    agency = Agency.objects.select_related("area").filter(pk=actor.agency_id).first()
    found = None
    if agency is not None and agency.area is not None:
        try:
            found = active_sop(agency.area)[1]
        except NoSop:
            found = None
    if memo is not None:
        memo[key] = found
    return found


# The time zone of an agency's SOP changes next to never, and every page needs "today":
# kept a minute per process (fanous.core.ttlcache; cleared at once when this process
# saves a SOP version, an agency or an area).
_TIMEZONES: TtlCache[str] = TtlCache(60.0)


def timezone_for(actor: Actor) -> str:
    """The time zone where the actor works: their SOP's (UTC without one)."""

    def load() -> str:
        sop = sop_of_actor(actor)
        return sop.timezone if sop else "UTC"

    if actor.agency_id is None:
        return "UTC"
    return _TIMEZONES.get(actor.agency_id, load)


def today_for(actor: Actor) -> date:
    """Today where the actor works."""
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    return timezone.now().astimezone(ZoneInfo(timezone_for(actor))).date()


def case_get(*, actor: Actor, case_id: UUID, audit_section: str = "") -> Case:
    """One case the actor may see; 404 otherwise, whether or not it exists.

    With ``audit_section`` (e.g. "case", "history"), a person is reading the case through a
    page or an API GET: the read is recorded in the audit log. Internal uses (re-reads
    after a write, permission checks) leave it empty and are not logged.
    """

    def one(scope: QuerySet[Case]) -> Case | None:
        return (
            # Each joined table adds to PostgreSQL's planning time, which on a slow CPU
            # costs more than the query itself (BENCHMARKS.md): only what a case page
            # shows. The SOP version the case was registered under loads if asked for.
            scope.select_related(
                "child", "child__household", "caseworker", "agency", "area", "registration"
            )
            .filter(pk=case_id)
            .first()
        )

    # The actor's own scope first: most reads are of one's own cases, and it spares the
    # query for the grants (shares, break-glass) that cases_visible_to adds.
    case = one(cases_in_scope(actor)) or one(cases_visible_to(actor))
    if case is None:
        raise NotFoundError("No case with this identifier is visible to you.")
    if audit_section:
        audit_case_read(actor, case, audit_section)
    return case


def audit_case_read(actor: Actor, case: Case, section: str) -> None:
    """Record that a person read ``section`` of the case; a read through a share or a
    break-glass access says so (SPEC §12: every access to a case is traceable)."""
    from fanous.accounts.access import grant_of
    from fanous.audit.services import record_read

    grant = grant_of(actor, case)
    extra = {"via": grant.kind, "grant": str(grant.pk)} if grant else None
    record_read(actor, case, case, section=section, extra=extra)


# Which deadline is late, by the step the case is at (the agenda's reading, SPEC §5, §7, §8).
FOLLOW_UP_STATUSES = (
    CaseStatus.PLAN_APPROVED,
    CaseStatus.IMPLEMENTATION,
    CaseStatus.CLOSURE_REQUESTED,
)
DUE_KINDS = ("overdue_assessment", "overdue_plan", "overdue_follow_up")


def overdue_condition(kind: str, today: date) -> Q:
    """Cases whose deadline of ``kind`` (one of ``DUE_KINDS``) has passed on ``today``."""
    if kind == "overdue_assessment":
        return Q(status=CaseStatus.INITIAL_ASSESSMENT.value, assessment_due_on__lt=today)
    if kind == "overdue_plan":
        return Q(status=CaseStatus.COMPREHENSIVE_ASSESSMENT.value, plan_due_on__lt=today)
    if kind == "overdue_follow_up":
        return Q(status__in=[s.value for s in FOLLOW_UP_STATUSES], next_follow_up_on__lt=today)
    raise ValueError(kind)


@dataclass(frozen=True)
class CaseloadFilter:
    status: list[CaseStatus] | None = None
    risk: list[RiskLevel] | None = None
    overdue: bool | None = None
    q: str | None = None
    include_closed: bool = False
    caseworker_id: int | None = None
    # One of DUE_KINDS: the dashboard's links to the overdue plans, follow-ups...
    due: str | None = None
    # Children born on or before this day (turning 18 soon: fanous.domain.kpi).
    born_by: date | None = None


# Arabic-Indic and Persian digits typed in a case number, as the ASCII digits stored.
_ASCII_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "0123456789" * 2)


def case_list_for(*, actor: Actor, filters: CaseloadFilter, today: date) -> QuerySet[Case]:
    """The actor's caseload: high risk first, then the nearest due date (SPEC §4)."""
    qs = cases_visible_to(actor).select_related("child", "caseworker")
    if filters.status:
        qs = qs.filter(status__in=[s.value for s in filters.status])
    elif not filters.include_closed:
        qs = qs.filter(status__in=OPEN_STATUSES)
    if filters.risk:
        qs = qs.filter(risk_level__in=[r.value for r in filters.risk])
    if filters.caseworker_id is not None:
        qs = qs.filter(caseworker_id=filters.caseworker_id)
    if filters.overdue is True:
        qs = qs.filter(next_due_on__lt=today)
    elif filters.overdue is False:
        qs = qs.filter(Q(next_due_on__isnull=True) | Q(next_due_on__gte=today))
    if filters.due in DUE_KINDS:
        qs = qs.filter(overdue_condition(filters.due, today))
    if filters.born_by is not None:
        qs = qs.filter(child__birth_date__lte=filters.born_by)
    if filters.q:
        text = filters.q.strip().translate(_ASCII_DIGITS)
        if any(ch.isdigit() for ch in text):
            # A case number (AGENCY-YEAR-NUMBER; names hold no digits), typed in any case
            # and with Arabic or Latin digits: one lookup on its unique index.
            qs = qs.filter(case_number__in=sorted({text, text.upper()}))
        else:
            # The blind index (fanous.core.crypto): every word typed must start a word of
            # the name, after Arabic normalisation. The names themselves are encrypted.
            digests = query_digests(text)
            qs = qs.filter(child__name_digest__holds_all=digests) if digests else qs.none()
    return qs.order_by("-risk_rank", "next_due_on", "identified_at", "id")


def plan_current(case: Case) -> CasePlan | None:
    """The plan being drafted or waiting for approval, else the approved one."""
    plans = (
        CasePlan.objects.filter(case=case)
        .exclude(status=CasePlan.Status.SUPERSEDED)
        .select_related("sop_version")
        .defer("sop_version__data")
        .prefetch_related(
            Prefetch(
                "goals",
                queryset=PlanGoal.objects.order_by("position").prefetch_related(
                    Prefetch("actions", queryset=PlanAction.objects.order_by("position"))
                ),
            )
        )
        .order_by("-number")
    )
    return plans.first()


def consents_of(case: Case) -> list[Consent]:
    return list(case.consents.order_by("created_at"))


def case_history(
    *, actor: Actor, case_id: UUID, include_reads: bool = False, audit_section: str = ""
) -> QuerySet[Event]:
    """What happened to the case. Reads ("Viewed") are left out unless ``include_reads``.

    The events are raw: before showing them, pass them through :func:`mask_history` so a
    reader without sensitive access does not see sensitive facts or fields (SPEC §12).
    """
    case = case_get(actor=actor, case_id=case_id, audit_section=audit_section)
    return history_events(case, include_reads=include_reads)


def history_events(case: Case, *, include_reads: bool = False) -> QuerySet[Event]:
    """The events of a case the caller has already read through :func:`case_get`."""
    qs = Event.objects.filter(case=case)
    if not include_reads:
        # In the order of the audit_case_timeline index, which leaves the reads out.
        qs = qs.exclude(action=Event.Action.READ)
    return qs.select_related("actor").order_by("at", "id")


def mask_history(*, actor: Actor, case: Case, events: Iterable[Event]) -> list[Event]:
    """The events as the actor may see them: for a reader without sensitive access (a
    colleague with a share that leaves them out), the summaries and changes that name a
    sensitive fact, concern or field are masked (in memory; the log is never changed)."""
    from fanous.cases.presenters import restriction_for_viewer
    from fanous.domain.protection import redact_changes, redact_text

    rows = list(events)
    restriction = restriction_for_viewer(case, actor)
    if restriction is None:
        return rows
    for event in rows:
        event.summary = redact_text(event.summary, restriction)
        event.changes = redact_changes(event.changes or {}, restriction)
    return rows
