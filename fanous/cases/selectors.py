"""Reads of case data. Every query starts from accounts.access.cases_visible_to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from django.db.models import Prefetch, Q, QuerySet

from fanous.accounts.access import Actor, cases_visible_to
from fanous.audit.models import Event
from fanous.core.errors import NotFoundError
from fanous.domain.names import normalize_name
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
    agency = Agency.objects.select_related("area").filter(pk=actor.agency_id).first()
    if agency is None or agency.area is None:
        return None
    try:
        return active_sop(agency.area)[1]
    except NoSop:
        return None


def timezone_for(actor: Actor) -> str:
    """The time zone where the actor works: their SOP's (UTC without one)."""
    sop = sop_of_actor(actor)
    return sop.timezone if sop else "UTC"


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
    case = (
        cases_visible_to(actor)
        .select_related("child", "child__household", "caseworker", "agency", "area", "sop_version")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise NotFoundError("No case with this identifier is visible to you.")
    if audit_section:
        from fanous.audit.services import record_read

        record_read(actor, case, case, section=audit_section)
    return case


@dataclass(frozen=True)
class CaseloadFilter:
    status: list[CaseStatus] | None = None
    risk: list[RiskLevel] | None = None
    overdue: bool | None = None
    q: str | None = None
    include_closed: bool = False
    caseworker_id: int | None = None


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
    if filters.q:
        text = filters.q.strip()
        key = normalize_name(text)
        token_cond = Q()
        for token in key.split():
            token_cond &= Q(child__name_key__contains=token)
        qs = qs.filter(Q(case_number__iexact=text) | token_cond) if key else qs.none()
    return qs.order_by("-risk_rank", "next_due_on", "identified_at", "id")


def plan_current(case: Case) -> CasePlan | None:
    """The plan being drafted or waiting for approval, else the approved one."""
    plans = (
        CasePlan.objects.filter(case=case)
        .exclude(status=CasePlan.Status.SUPERSEDED)
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
    """What happened to the case. Reads ("Viewed") are left out unless ``include_reads``."""
    case = case_get(actor=actor, case_id=case_id, audit_section=audit_section)
    qs = Event.objects.filter(case=case)
    if not include_reads:
        qs = qs.exclude(action=Event.Action.READ)
    return qs.select_related("actor").order_by("at", "id")
