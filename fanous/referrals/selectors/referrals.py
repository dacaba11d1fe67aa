"""Reading referrals: who sees which referral, and in what part they act on it.

The sending side reads a referral through the case (cases_visible_to); the receiving
service reads only referrals addressed to its agency (or to one of its users by name),
and only the snapshot they carry, never the case.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from django.db.models import Q, QuerySet

from fanous.accounts.access import Actor, cases_in_scope, supervises
from fanous.accounts.models import User
from fanous.accounts.permissions import Permission
from fanous.core.errors import NotFoundError
from fanous.domain.referrals import ReferralStatus, Side
from fanous.domain.roles import Role
from fanous.referrals.models import OPEN_REFERRAL_STATUSES, Referral

if TYPE_CHECKING:
    from fanous.cases.models import Case

# A receiver never learns of a referral its sender's supervisor has not let go.
NOT_SENT = (ReferralStatus.PENDING_APPROVAL.value, ReferralStatus.CANCELLED.value)


def received_by(actor: Actor) -> QuerySet[Referral]:
    if not actor.can(Permission.REFERRAL_RECEIVE) or actor.agency_id is None:
        return Referral.objects.none()
    return (
        Referral.objects.filter(provider__agency_id=actor.agency_id)
        .filter(Q(to_user__isnull=True) | Q(to_user_id=actor.id))
        .exclude(status__in=NOT_SENT)
    )


def sent_by_team_of(actor: Actor) -> QuerySet[Referral]:
    if not actor.can(Permission.REFERRAL_SEND):
        return Referral.objects.none()
    # The case's own team (a share or break-glass access reads the case, not its referrals).
    return Referral.objects.filter(case__in=cases_in_scope(actor).values("pk"))


def referrals_visible_to(actor: Actor) -> QuerySet[Referral]:
    """Every referral the actor may read, as sender or as receiver."""
    if not actor.user.is_active:
        return Referral.objects.none()
    if actor.can(Permission.REFERRAL_RECEIVE):
        return received_by(actor)
    return sent_by_team_of(actor)


def referral_get(
    *, actor: Actor, referral_id: UUID, for_update: bool = False, audit_section: str = ""
) -> Referral:
    """One referral the actor may read; 404 otherwise. ``audit_section``: log the read."""
    qs = referrals_visible_to(actor).select_related(
        "provider", "provider__agency", "case", "sender", "sender_agency", "to_user"
    )
    if for_update:
        qs = qs.select_for_update(of=("self",))
    referral = qs.filter(pk=referral_id).first()
    if referral is None:
        raise NotFoundError("No referral with this identifier is visible to you.")
    if audit_section:
        from fanous.audit.services import record_read

        record_read(actor, referral, referral.case, section=audit_section)
    return referral


def sides_of(actor: Actor, referral: Referral) -> frozenset[Side]:
    """The parts the actor plays on this referral."""
    sides: set[Side] = set()
    if actor.can(Permission.REFERRAL_RECEIVE) and referral.provider.agency_id == actor.agency_id:
        if referral.to_user_id in (None, actor.id):
            sides.add(Side.RECEIVER)
        return frozenset(sides)
    return sender_sides(actor, referral.case)


def sender_sides(actor: Actor, case: Case) -> frozenset[Side]:
    """The sending parts the actor plays for referrals of ``case``."""
    sides: set[Side] = set()
    if not actor.can(Permission.REFERRAL_SEND) or case.agency_id != actor.agency_id:
        return frozenset()
    if case.caseworker_id == actor.id:
        sides.add(Side.SENDER)
    if supervises(actor, case.caseworker_id) or (
        actor.role == Role.SUPERVISOR and case.caseworker_id is None
    ):
        sides |= {Side.SENDER, Side.SENDER_SUPERVISOR}
    return frozenset(sides)


def receivers_of(referral: Referral) -> list[User]:
    """The users of the receiving service who are told of the referral."""
    if referral.to_user_id is not None:
        return [referral.to_user] if referral.to_user and referral.to_user.is_active else []
    return list(
        User.objects.filter(
            agency_id=referral.provider.agency_id,
            role=Role.SERVICE_PROVIDER.value,
            is_active=True,
        )
    )


def sender_supervisors(referral: Referral) -> list[User]:
    """The supervisors of the case's caseworker (the sending side's approvers)."""
    caseworker_id = referral.case.caseworker_id
    qs = User.objects.filter(
        is_active=True, role=Role.SUPERVISOR.value, agency_id=referral.case.agency_id
    )
    if caseworker_id is None:
        return list(qs)
    return list(qs.filter(supervised_teams__memberships__user_id=caseworker_id).distinct())


def inbox_for(actor: Actor) -> QuerySet[Referral]:
    """Open referrals the receiving service must act on: urgent first, then the nearest answer."""
    return (
        received_by(actor)
        .filter(
            status__in=[
                ReferralStatus.SENT.value,
                ReferralStatus.ACKNOWLEDGED.value,
                ReferralStatus.ACCEPTED.value,
            ]
        )
        .select_related("provider", "sender_agency")
        .order_by("-urgent", "respond_by")
    )


def outbox_for(actor: Actor) -> QuerySet[Referral]:
    """Open referrals sent by the actor's case team, the nearest deadline first."""
    return (
        sent_by_team_of(actor)
        .filter(status__in=OPEN_REFERRAL_STATUSES)
        .select_related("provider", "case", "case__child")
        .order_by("-urgent", "respond_by")
    )


def pending_overrides_for(actor: Actor) -> QuerySet[Referral]:
    """Referrals without consent waiting for this supervisor's best-interests decision."""
    if actor.role != Role.SUPERVISOR:
        return Referral.objects.none()
    return (
        sent_by_team_of(actor)
        .filter(status=ReferralStatus.PENDING_APPROVAL.value)
        .select_related("provider", "case", "case__child", "sender")
        .order_by("created_at")
    )


def case_referrals(*, actor: Actor, case_id: UUID) -> QuerySet[Referral]:
    return (
        sent_by_team_of(actor)
        .filter(case_id=case_id)
        .select_related("provider", "sender")
        .order_by("-number")
    )
