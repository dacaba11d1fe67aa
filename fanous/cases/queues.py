"""Supervisor reads: the approvals queue and the team overview (SPEC §1, §4, §7, §9, §12).

Every query starts from accounts.access.cases_visible_to; counts are database aggregates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Case as When_
from django.db.models import Count, DateTimeField, F, OuterRef, Q, QuerySet, Subquery, When

from fanous.accounts.access import Actor, cases_visible_to, supervised_user_ids
from fanous.accounts.models import TeamMembership, User
from fanous.domain.roles import Role
from fanous.domain.sop import RiskLevel
from fanous.domain.workflow import CaseStatus

from .models import OPEN_STATUSES, Case, CasePlan

APPROVAL_STATUSES = (CaseStatus.PLAN_PENDING_APPROVAL, CaseStatus.CLOSURE_REQUESTED)


def approvals_for(*, actor: Actor) -> QuerySet[Case]:
    """Plans and closure requests of the supervisor's team waiting for their decision.

    High risk first, then the longest waiting. A case the supervisor holds as its own
    caseworker is not here: its decision belongs to their own supervisor.
    """
    submitted = (
        CasePlan.objects.filter(case=OuterRef("pk"), status=CasePlan.Status.SUBMITTED)
        .order_by("-number")
        .values("submitted_at")[:1]
    )
    return (
        cases_visible_to(actor)
        .filter(
            status__in=[s.value for s in APPROVAL_STATUSES],
            caseworker_id__in=supervised_user_ids(actor),
        )
        .select_related("child", "caseworker")
        .annotate(
            waiting_since=When_(
                When(status=CaseStatus.CLOSURE_REQUESTED.value, then=F("closure_requested_at")),
                default=Subquery(submitted, output_field=DateTimeField()),
                output_field=DateTimeField(),
            )
        )
        .order_by("-risk_rank", F("waiting_since").asc(nulls_last=True), "identified_at", "id")
    )


@dataclass(frozen=True)
class TeamMemberLoad:
    user: User
    team_name: str
    open_cases: int
    high_risk: int
    overdue: int


def team_caseworkers(*, actor: Actor) -> QuerySet[User]:
    """Active caseworkers of the supervisor's teams (in their agency): who a case can go to."""
    if actor.role != Role.SUPERVISOR:
        return User.objects.none()
    return User.objects.filter(
        pk__in=supervised_user_ids(actor),
        role=Role.CASEWORKER.value,
        is_active=True,
        agency_id=actor.agency_id,
    ).order_by("first_name", "last_name", "username")


def team_overview(*, actor: Actor, today: date) -> list[TeamMemberLoad]:
    """Per caseworker of the supervisor's teams: open, high-risk and overdue cases."""
    counts = {
        row["caseworker_id"]: row
        for row in cases_visible_to(actor)
        .filter(status__in=OPEN_STATUSES, caseworker_id__in=supervised_user_ids(actor))
        .values("caseworker_id")
        .annotate(
            open_cases=Count("id"),
            high_risk=Count("id", filter=Q(risk_level=RiskLevel.HIGH.value)),
            overdue=Count("id", filter=Q(next_due_on__lt=today)),
        )
        .order_by()
    }
    if actor.role != Role.SUPERVISOR or actor.agency_id is None:
        return []
    memberships = (
        TeamMembership.objects.filter(
            team__supervisor_id=actor.id,
            team__agency_id=actor.agency_id,
            user__role=Role.CASEWORKER.value,
            user__is_active=True,
        )
        .select_related("user", "team")
        .order_by("team__name", "user__first_name", "user__username")
    )
    empty = {"open_cases": 0, "high_risk": 0, "overdue": 0}
    return [
        TeamMemberLoad(
            user=m.user,
            team_name=m.team.name,
            open_cases=counts.get(m.user_id, empty)["open_cases"],
            high_risk=counts.get(m.user_id, empty)["high_risk"],
            overdue=counts.get(m.user_id, empty)["overdue"],
        )
        for m in memberships
    ]
