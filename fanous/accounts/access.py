"""Need to know: the one place that says which cases a user may see.

Every read of case data starts from `cases_visible_to(actor)`. Visibility is derived at
query time from the case's agency and assignment and from team membership rows, so moving
a caseworker to another team never rewrites cases.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from fanous.accounts.models import TeamMembership, User
from fanous.accounts.permissions import Permission, has_permission
from fanous.core.errors import PermissionDeniedError
from fanous.domain.roles import Role
from fanous.domain.workflow import CaseStatus

if TYPE_CHECKING:
    from fanous.cases.models import Case
    from fanous.protection.models import CaseAccessGrant


@dataclass(frozen=True)
class Actor:
    user: User
    role: Role
    agency_id: UUID | None
    # What this actor's scope needs that one request does not see change (a supervisor's
    # team): read once per Actor, i.e. once per request (see team_member_ids).
    memo: dict[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @classmethod
    def of(cls, user: User) -> Actor:
        return cls(user=user, role=Role(user.role), agency_id=user.agency_id)

    @classmethod
    def of_request(cls, request: HttpRequest) -> Actor:
        """The actor of an authenticated request (API or web door)."""
        return cls.of(request.user)  # type: ignore[arg-type]

    @property
    def id(self) -> int:
        return int(self.user.pk)

    def can(self, permission: Permission) -> bool:
        return self.user.is_active and has_permission(self.role, permission)

    def require(self, permission: Permission) -> None:
        if not self.can(permission):
            raise PermissionDeniedError(
                "Your role does not allow this action. Ask your supervisor if you need it."
            )


# Statuses in which a helpline counsellor still sees the contact they opened: once a
# caseworker has registered the child, the case belongs to the case management team.
HELPLINE_STATUSES = (CaseStatus.IDENTIFIED, CaseStatus.NOT_ELIGIBLE, CaseStatus.REFERRED_OUT)

# Who may hold a grant on a case of their agency: case management staff (CASE_VIEW).
GRANTEE_ROLES = (Role.CASEWORKER, Role.SUPERVISOR)


def supervised_user_ids(actor: Actor) -> QuerySet[TeamMembership, int]:
    memberships = TeamMembership.objects.filter(team__supervisor_id=actor.id)
    if actor.agency_id is None:
        memberships = memberships.none()
    else:
        memberships = memberships.filter(team__agency_id=actor.agency_id)
    return memberships.values_list("user_id", flat=True)


def team_member_ids(actor: Actor) -> tuple[int, ...]:
    """The users a supervisor supervises, read once per Actor (one query per request).

    Given to PostgreSQL as a list of ids, the supervisor's scope is a few index scans on
    the case's caseworker. As a subquery ORed with the other conditions it was a filter
    over every case of the agency: seconds for a dashboard at a million cases
    (BENCHMARKS.md).
    """
    cached: tuple[int, ...] | None = actor.memo.get("team")
    if cached is None:
        cached = tuple(supervised_user_ids(actor))
        actor.memo["team"] = cached
    return cached


def _scope(actor: Actor) -> Q | None:
    """The condition on the actor's agency's cases that puts a case in their own scope;
    None when they see no case at all."""
    if not actor.user.is_active or actor.agency_id is None:
        return None
    if not actor.can(Permission.CASE_VIEW):
        return None
    if actor.role == Role.CASEWORKER:
        return Q(caseworker_id=actor.id)
    if actor.role == Role.SUPERVISOR:
        # Their team's cases, and the agency's unassigned intake (e.g. opened by the
        # helpline) waiting for a supervisor to assign it.
        return Q(caseworker_id__in=[actor.id, *team_member_ids(actor)]) | Q(caseworker__isnull=True)
    if actor.role == Role.HELPLINE_COUNSELLOR:
        return Q(created_by_id=actor.id, status__in=HELPLINE_STATUSES)
    return None


def cases_in_scope(actor: Actor) -> QuerySet[Case]:
    """Cases the actor works on by role and assignment (own, team, helpline contacts).

    The scope of every write: an explicit share or a break-glass access lets a colleague
    read a case, never change it (see :func:`cases_visible_to`).
    """
    from fanous.cases.models import Case

    scope = _scope(actor)
    if scope is None or actor.agency_id is None:
        return Case.objects.none()
    return Case.objects.filter(scope, agency_id=actor.agency_id)


def live_grants(actor: Actor, now: datetime | None = None) -> QuerySet[CaseAccessGrant]:
    """The actor's grants in force now: not revoked, started, not expired (SPEC §12)."""
    from fanous.protection.models import CaseAccessGrant

    at = now or timezone.now()
    return CaseAccessGrant.objects.filter(
        user_id=actor.id, revoked_at__isnull=True, starts_at__lte=at, expires_at__gt=at
    )


def cases_visible_to(actor: Actor) -> QuerySet[Case]:
    """Cases the actor may read. Outsiders get nothing (and 404 on direct access).

    The actor's scope (:func:`cases_in_scope`), plus the cases of their agency on which
    they hold a live grant (an explicit share or a supervisor's break-glass access). The
    grant case ids are read first (one query on the ``grant_user_live`` index, usually
    empty): an ``OR EXISTS (...)`` in the case query would keep PostgreSQL from using the
    caseload index (BENCHMARKS.md), so it is only added when there is a grant.
    """
    from fanous.cases.models import Case

    scope = _scope(actor)
    if scope is None or actor.agency_id is None:
        return Case.objects.none()
    if actor.role in GRANTEE_ROLES:
        granted = list(live_grants(actor).values_list("case_id", flat=True)[:1000])
        if granted:
            scope |= Q(pk__in=granted)
    return Case.objects.filter(scope, agency_id=actor.agency_id)


def grant_of(actor: Actor, case: Case) -> CaseAccessGrant | None:
    """The grant through which the actor reads ``case``, or None when it is in their scope.

    Among several live grants, break-glass and then sensitive ones come first.
    """
    if actor.agency_id is None or case.agency_id != actor.agency_id:
        return None
    if in_scope(actor, case):
        return None
    return (
        live_grants(actor)
        .filter(case_id=case.pk)
        .order_by("-kind", "-include_sensitive", "-expires_at")  # break_glass > share
        .first()
    )


def in_scope(actor: Actor, case: Case) -> bool:
    """Whether the case is in the actor's own scope (assigned, team, intake, helpline)."""
    if actor.agency_id is None or case.agency_id != actor.agency_id:
        return False
    if actor.role == Role.CASEWORKER:
        return actor.user.is_active and case.caseworker_id == actor.id
    return cases_in_scope(actor).filter(pk=case.pk).exists()


def can_see_sensitive(actor: Actor, case: Case) -> bool:
    """Whether the actor may see the case's sensitive sections (SPEC §1, §12).

    The assigned caseworker and their supervisor (or any supervisor of the agency for an
    unassigned intake case) do; a colleague does only through a live share that includes
    the sensitive sections, or a supervisor's break-glass access. Nobody else.
    """
    from fanous.protection.models import CaseAccessGrant

    if not actor.user.is_active or actor.agency_id is None or case.agency_id != actor.agency_id:
        return False
    if not actor.can(Permission.CASE_VIEW):
        return False
    if case.caseworker_id is not None and case.caseworker_id == actor.id:
        return True
    if actor.role == Role.SUPERVISOR:
        if case.caseworker_id is None or supervises(actor, case.caseworker_id):
            return True
    return (
        live_grants(actor)
        .filter(case_id=case.pk)
        .filter(Q(include_sensitive=True) | Q(kind=CaseAccessGrant.Kind.BREAK_GLASS))
        .exists()
    )


def supervises(actor: Actor, caseworker_id: int | None) -> bool:
    if actor.role != Role.SUPERVISOR or caseworker_id is None:
        return False
    return caseworker_id in team_member_ids(actor)
