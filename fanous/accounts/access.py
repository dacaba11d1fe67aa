"""Need to know: the one place that says which cases a user may see.

Every read of case data starts from `cases_visible_to(actor)`. Visibility is derived at
query time from the case's agency and assignment and from team membership rows, so moving
a caseworker to another team never rewrites cases.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from uuid import UUID

from django.db.models import QuerySet
from django.http import HttpRequest

from fanous.accounts.models import TeamMembership, User
from fanous.accounts.permissions import Permission, has_permission
from fanous.core.errors import PermissionDeniedError
from fanous.domain.roles import Role
from fanous.domain.workflow import CaseStatus

if TYPE_CHECKING:
    from fanous.cases.models import Case


@dataclass(frozen=True)
class Actor:
    user: User
    role: Role
    agency_id: UUID | None

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


def supervised_user_ids(actor: Actor) -> QuerySet[TeamMembership, int]:
    memberships = TeamMembership.objects.filter(team__supervisor_id=actor.id)
    if actor.agency_id is None:
        memberships = memberships.none()
    else:
        memberships = memberships.filter(team__agency_id=actor.agency_id)
    return memberships.values_list("user_id", flat=True)


def cases_visible_to(actor: Actor) -> QuerySet[Case]:
    """Cases the actor may read. Outsiders get nothing (and 404 on direct access)."""
    from fanous.cases.models import Case

    qs = Case.objects.all()
    if not actor.user.is_active or actor.agency_id is None:
        return qs.none()
    if not actor.can(Permission.CASE_VIEW):
        return qs.none()
    qs = qs.filter(agency_id=actor.agency_id)
    if actor.role == Role.CASEWORKER:
        return qs.filter(caseworker_id=actor.id)
    if actor.role == Role.SUPERVISOR:
        from django.db.models import Q

        # Their team's cases, and the agency's unassigned intake (e.g. opened by the
        # helpline) waiting for a supervisor to assign it.
        return qs.filter(
            Q(caseworker_id=actor.id)
            | Q(caseworker_id__in=supervised_user_ids(actor))
            | Q(caseworker__isnull=True)
        )
    if actor.role == Role.HELPLINE_COUNSELLOR:
        return qs.filter(created_by_id=actor.id, status__in=HELPLINE_STATUSES)
    return qs.none()


def supervises(actor: Actor, caseworker_id: int | None) -> bool:
    if actor.role != Role.SUPERVISOR or caseworker_id is None:
        return False
    return supervised_user_ids(actor).filter(user_id=caseworker_id).exists()
