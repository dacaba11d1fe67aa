"""My agenda: what is due today and this week, overdue first (SPEC §5, §7, §8, §9).

A read-only selector over ``cases_visible_to(actor)``: a fixed number of queries whatever
the size of the caseload (one for cases with a deadline, one for plan actions, one for the
approvals a supervisor is asked for), so a field day can be planned from a phone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from django.db.models import OuterRef, Q, QuerySet, Subquery

from fanous.accounts.access import Actor, cases_visible_to
from fanous.accounts.permissions import Permission
from fanous.domain.workflow import CaseStatus

from .models import Case, CasePlan, FollowUp, PlanAction

AGENDA_DAYS = 7


class AgendaKind(StrEnum):
    FOLLOW_UP = "follow_up"
    ASSESSMENT = "assessment"
    PLAN = "plan"
    PLAN_ACTION = "plan_action"
    PLAN_APPROVAL = "plan_approval"
    CLOSURE_APPROVAL = "closure_approval"


# Within a day and a risk level: what keeps the child safe comes first.
_KIND_ORDER = {kind: i for i, kind in enumerate(AgendaKind)}


@dataclass(frozen=True)
class AgendaItem:
    kind: AgendaKind
    due_on: date
    case: Case
    action: PlanAction | None = None
    last_visit_kind: str = ""

    @property
    def risk_rank(self) -> int:
        return int(self.case.risk_rank)

    def sort_key(self) -> tuple[int, date, int, str]:
        return (-self.risk_rank, self.due_on, _KIND_ORDER[self.kind], self.case.case_number)


@dataclass
class AgendaDay:
    """One group of the agenda: ``key`` is "overdue", "today" or "later"."""

    key: str
    day: date | None
    items: list[AgendaItem] = field(default_factory=list)


def _deadline_cases(actor: Actor, end: date) -> QuerySet[Case]:
    last_visit = FollowUp.objects.filter(case=OuterRef("pk")).order_by(
        "-happened_on", "-created_at"
    )
    return (
        cases_visible_to(actor)
        .filter(
            Q(status=CaseStatus.INITIAL_ASSESSMENT, assessment_due_on__lte=end)
            | Q(status=CaseStatus.COMPREHENSIVE_ASSESSMENT, plan_due_on__lte=end)
            | Q(
                status__in=[
                    CaseStatus.PLAN_APPROVED,
                    CaseStatus.IMPLEMENTATION,
                    CaseStatus.CLOSURE_REQUESTED,
                ],
                next_follow_up_on__lte=end,
            )
        )
        .select_related("child", "child__household", "caseworker", "registration")
        .annotate(last_visit_kind=Subquery(last_visit.values("kind")[:1]))
    )


def _due_actions(actor: Actor, end: date) -> QuerySet[PlanAction]:
    return PlanAction.objects.filter(
        goal__plan__case__in=cases_visible_to(actor).filter(
            status__in=[CaseStatus.PLAN_APPROVED, CaseStatus.IMPLEMENTATION]
        ),
        goal__plan__status=CasePlan.Status.APPROVED,
        status=PlanAction.Status.OPEN,
        due_on__lte=end,
    ).select_related("goal__plan__case__child", "goal__plan__case__caseworker")


def _approvals(actor: Actor) -> QuerySet[Case]:
    return (
        cases_visible_to(actor)
        .filter(status__in=[CaseStatus.PLAN_PENDING_APPROVAL, CaseStatus.CLOSURE_REQUESTED])
        .exclude(caseworker_id=actor.id)
        .select_related("child", "caseworker")
    )


def agenda_items(*, actor: Actor, today: date, days: int = AGENDA_DAYS) -> list[AgendaItem]:
    """Everything due up to ``today + days`` on the cases the actor may see, unsorted."""
    end = today + timedelta(days=days)
    items: list[AgendaItem] = []
    for case in _deadline_cases(actor, end):
        status = CaseStatus(case.status)
        if status == CaseStatus.INITIAL_ASSESSMENT and case.assessment_due_on:
            items.append(AgendaItem(AgendaKind.ASSESSMENT, case.assessment_due_on, case))
        elif status == CaseStatus.COMPREHENSIVE_ASSESSMENT and case.plan_due_on:
            items.append(AgendaItem(AgendaKind.PLAN, case.plan_due_on, case))
        elif case.next_follow_up_on:
            items.append(
                AgendaItem(
                    AgendaKind.FOLLOW_UP,
                    case.next_follow_up_on,
                    case,
                    last_visit_kind=getattr(case, "last_visit_kind", None) or "",
                )
            )
    for action in _due_actions(actor, end):
        items.append(
            AgendaItem(AgendaKind.PLAN_ACTION, action.due_on, action.goal.plan.case, action=action)
        )
    if actor.can(Permission.PLAN_APPROVE) or actor.can(Permission.CLOSURE_APPROVE):
        for case in _approvals(actor):
            if case.status == CaseStatus.PLAN_PENDING_APPROVAL:
                # Waiting for a decision now; already late once the plan deadline passed.
                due = min(today, case.plan_due_on) if case.plan_due_on else today
                items.append(AgendaItem(AgendaKind.PLAN_APPROVAL, due, case))
            else:
                items.append(AgendaItem(AgendaKind.CLOSURE_APPROVAL, today, case))
    return items


def agenda_for(*, actor: Actor, today: date, days: int = AGENDA_DAYS) -> list[AgendaDay]:
    """The agenda grouped: Overdue, Today, then each of the next ``days`` days.

    High risk first within each group (SPEC §4); empty days are kept so the week reads
    as a calendar.
    """
    groups: list[AgendaDay] = [AgendaDay("overdue", None), AgendaDay("today", today)]
    groups += [AgendaDay("later", today + timedelta(days=n)) for n in range(1, days + 1)]
    by_day = {g.day: g for g in groups if g.day is not None}
    for item in sorted(agenda_items(actor=actor, today=today, days=days), key=AgendaItem.sort_key):
        target = groups[0] if item.due_on < today else by_day[item.due_on]
        target.items.append(item)
    return groups
