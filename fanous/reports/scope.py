"""Whose figures a dashboard shows (SPEC §1, §12: need to know).

* caseworker: their own cases; supervisor: their team's cases (their scope in
  ``accounts.access``), both with names of caseworkers and links to the case list;
* agency admin: every case of their agency, aggregates only (``REPORTS_AGENCY``);
* coordinator: every agency's cases, optionally of one area, de-identified aggregates only
  (``REPORTS_AGGREGATE``): no child, caseworker or case number ever leaves this module.

Shares and break-glass grants let a colleague read one case for a purpose; they are not
part of anyone's workload, so the figures of caseworkers and supervisors start from
``cases_in_scope`` (the scope part of ``cases_visible_to``), never from the grants.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from django.db.models import Q, QuerySet
from django.utils import timezone

from fanous.accounts.access import Actor, cases_in_scope, supervised_user_ids
from fanous.accounts.models import Area, User
from fanous.accounts.permissions import Permission
from fanous.cases.models import Case
from fanous.core.errors import NotFoundError, PermissionDeniedError
from fanous.domain.kpi import Period
from fanous.domain.roles import Role
from fanous.domain.sop import Sop


class Level(StrEnum):
    OWN = "own"
    TEAM = "team"
    AGENCY = "agency"
    AREA = "area"


@dataclass(frozen=True)
class Filters:
    """Optional narrowing of a dashboard: an area (code), a caseworker (supervisors)."""

    area: str = ""
    caseworker_id: int | None = None


@dataclass(frozen=True)
class Scope:
    actor: Actor
    level: Level
    cases: QuerySet[Case]
    sop: Sop | None
    area: Area | None
    caseworker: User | None

    @property
    def named(self) -> bool:
        """Whether caseworkers may be named and case lists linked (own and team only)."""
        return self.level in (Level.OWN, Level.TEAM)

    @property
    def timezone(self) -> str:
        return self.sop.timezone if self.sop else "UTC"

    def today(self) -> date:
        from zoneinfo import ZoneInfo

        return timezone.now().astimezone(ZoneInfo(self.timezone)).date()


def can_see_dashboard(actor: Actor) -> bool:
    if not actor.user.is_active:
        return False
    if actor.role in (Role.CASEWORKER, Role.SUPERVISOR):
        return actor.can(Permission.CASE_VIEW) and actor.agency_id is not None
    if actor.role == Role.AGENCY_ADMIN:
        return actor.can(Permission.REPORTS_AGENCY) and actor.agency_id is not None
    return actor.can(Permission.REPORTS_AGGREGATE)


def _area_subtree(area: Area) -> Q:
    # Areas nest country > governorate > district > camp: four levels at most.
    return (
        Q(area=area)
        | Q(area__parent=area)
        | Q(area__parent__parent=area)
        | Q(area__parent__parent__parent=area)
    )


def _sop_for(area: Area | None) -> Sop | None:
    from fanous.sop.models import SopVersion
    from fanous.sop.selectors import active_sop

    if area is not None:
        try:
            return active_sop(area)[1]
        except NotFoundError:
            return None
    row = (
        SopVersion.objects.filter(status=SopVersion.Status.IN_FORCE)
        .select_related("area")
        .order_by("area__code")
        .first()
    )
    if row is None:
        return None
    from fanous.sop.selectors import sop_of

    return sop_of(row)


def scope_for(actor: Actor, filters: Filters | None = None) -> Scope:
    """The cases (a queryset, never evaluated here) whose figures the actor may see."""
    from fanous.cases.selectors import sop_of_actor

    filters = filters or Filters()
    if not can_see_dashboard(actor):
        raise PermissionDeniedError(
            "Your role does not allow this action. Ask your supervisor if you need it."
        )
    area: Area | None = None
    if filters.area:
        area = Area.objects.filter(code=filters.area).first()
        if area is None:
            raise NotFoundError("No area with this code.")
    caseworker: User | None = None
    if actor.role in (Role.CASEWORKER, Role.SUPERVISOR):
        level = Level.OWN if actor.role == Role.CASEWORKER else Level.TEAM
        cases = cases_in_scope(actor)
        if filters.caseworker_id is not None and actor.role == Role.SUPERVISOR:
            if not 0 < filters.caseworker_id < 2**31:
                raise NotFoundError("No caseworker with this identifier is in your team.")
            caseworker = User.objects.filter(
                pk=filters.caseworker_id,
                pk__in=supervised_user_ids(actor),
                agency_id=actor.agency_id,
            ).first()
            if caseworker is None:
                raise NotFoundError("No caseworker with this identifier is in your team.")
            cases = cases.filter(caseworker_id=caseworker.pk)
        sop = sop_of_actor(actor)
    elif actor.role == Role.AGENCY_ADMIN:
        level = Level.AGENCY
        cases = (
            Case.objects.none()
            if actor.agency_id is None
            else Case.objects.filter(agency_id=actor.agency_id)
        )
        sop = sop_of_actor(actor)
    else:
        level = Level.AREA
        cases = Case.objects.all()
        sop = _sop_for(area)
    if area is not None:
        cases = cases.filter(_area_subtree(area))
    return Scope(actor=actor, level=level, cases=cases, sop=sop, area=area, caseworker=caseworker)


def period_for(scope: Scope, start: date | None, end: date | None, *, days: int = 90) -> Period:
    """The requested period, or the last ``days`` days, in the scope's time zone."""
    today = scope.today()
    if start is None and end is None:
        return Period.last_days(today, days, scope.timezone)
    end = end or today
    start = start or end.replace(day=1)
    return Period(start, end, scope.timezone)
