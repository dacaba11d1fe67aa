"""Need to know beyond the case (SPEC §1, §12): explicit shares and break-glass access.

* A share: the assigned caseworker or their supervisor lets a colleague of the same agency
  read one case until a date (at most the SOP's ``share_max_days``), with a reason; only
  the supervisor may include the sensitive sections. Revocable.
* Break-glass: a supervisor of the agency who cannot see a case opens it by its number,
  with a mandatory reason, for the SOP's ``break_glass_hours``; flagged in the audit, and
  the case's caseworker and supervisor are told.

Grants only ever give READ access: every write loads the case through
``accounts.access.cases_in_scope`` (fanous.cases.services.common.load_case).
Every write here is transactional and audited with the SOP version.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from fanous.accounts.access import (
    GRANTEE_ROLES,
    Actor,
    cases_in_scope,
    cases_visible_to,
    in_scope,
    supervises,
)
from fanous.accounts.models import TeamMembership, User
from fanous.accounts.permissions import Permission, has_permission
from fanous.audit.models import Event
from fanous.audit.services import record
from fanous.cases.models import Case
from fanous.core.errors import NotFoundError, PermissionDeniedError, ValidationFailed
from fanous.domain.roles import Role
from fanous.domain.sop import Sop
from fanous.notifications.kinds import Kind
from fanous.notifications.services import notify
from fanous.sop.selectors import active_sop

from .models import CaseAccessGrant

SHARE_REASON_MIN = 10
BREAK_GLASS_REASON_MIN = 20
DEFAULT_BREAK_GLASS_HOURS = 24
DEFAULT_SHARE_MAX_DAYS = 30


def _limits(sop: Sop) -> tuple[int, int]:
    policy = sop.data_protection
    if policy is None:
        return DEFAULT_BREAK_GLASS_HOURS, DEFAULT_SHARE_MAX_DAYS
    return policy.break_glass_hours, policy.share_max_days


def share_max_days(sop: Sop) -> int:
    return _limits(sop)[1]


def is_case_lead(actor: Actor, case: Case) -> bool:
    """The assigned caseworker, their supervisor, or a supervisor for unassigned intake."""
    if case.agency_id != actor.agency_id or not actor.user.is_active:
        return False
    if case.caseworker_id is not None and case.caseworker_id == actor.id:
        return True
    if actor.role == Role.SUPERVISOR:
        return case.caseworker_id is None or supervises(actor, case.caseworker_id)
    return False


def is_case_supervisor(actor: Actor, case: Case) -> bool:
    if actor.role != Role.SUPERVISOR or case.agency_id != actor.agency_id:
        return False
    return case.caseworker_id is None or supervises(actor, case.caseworker_id)


def _audit(grant: CaseAccessGrant, *, actor: Actor, action: str, summary: str) -> None:
    record(
        actor=actor.user,
        action=action,
        obj=grant,
        case=grant.case_id,
        changes={
            "kind": grant.kind,
            "user": grant.user.username,
            "include_sensitive": grant.include_sensitive,
            "reason": grant.reason,
            "starts_at": grant.starts_at,
            "expires_at": grant.expires_at,
            **({"revoked_at": grant.revoked_at} if grant.revoked_at else {}),
        },
        summary=summary,
        sop_version=grant.sop_version.version,
    )


def _lead_case(actor: Actor, case_id: UUID) -> Case:
    """The case, locked, for its caseworker or their supervisor; 404 for anyone else who
    does not see it, 403 for someone who sees it without leading it."""
    case = (
        cases_in_scope(actor)
        .select_for_update(of=("self",))
        .select_related("area", "agency")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise NotFoundError("No case with this identifier is visible to you.")
    if not is_case_lead(actor, case):
        raise PermissionDeniedError(
            "Only the assigned caseworker or their supervisor can share this case.",
            code="not_assigned",
        )
    return case


def _end_of(day: date, sop: Sop) -> datetime:
    """The end of ``day`` where the child lives (midnight of the next day)."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=ZoneInfo(sop.timezone))


@transaction.atomic
def case_share(
    *,
    actor: Actor,
    case_id: UUID,
    user_id: int,
    reason: str,
    until: date,
    include_sensitive: bool = False,
    now: datetime | None = None,
) -> CaseAccessGrant:
    """Share the case (read only) with a colleague of the same agency until ``until``."""
    actor.require(Permission.CASE_EDIT)
    case = _lead_case(actor, case_id)
    sop_row, sop = active_sop(case.area)
    at = now or timezone.now()
    today = at.astimezone(ZoneInfo(sop.timezone)).date()
    max_days = share_max_days(sop)
    reason = reason.strip()
    if len(reason) < SHARE_REASON_MIN:
        raise ValidationFailed(
            "Give the reason for sharing the case (at least %(min)s characters).",
            {"min": SHARE_REASON_MIN},
            code="reason_required",
        )
    if until < today:
        raise ValidationFailed("The end date cannot be in the past.", code="date_past")
    if until > today + timedelta(days=max_days):
        raise ValidationFailed(
            "A share lasts at most %(days)s days under the SOP. Choose an earlier end date.",
            {"days": max_days},
            code="share_too_long",
        )
    if include_sensitive and not is_case_supervisor(actor, case):
        raise PermissionDeniedError(
            "Only the supervisor of the case can share its sensitive sections.",
            code="not_supervisor_of_case",
        )
    colleague = User.objects.filter(pk=user_id).first()
    if (
        colleague is None
        or not colleague.is_active
        or colleague.agency_id != case.agency_id
        or Role(colleague.role) not in GRANTEE_ROLES
        or not has_permission(Role(colleague.role), Permission.CASE_VIEW)
    ):
        raise ValidationFailed(
            "A case can only be shared with a caseworker or supervisor of your agency.",
            code="share_not_colleague",
        )
    if in_scope(Actor.of(colleague), case):
        raise ValidationFailed(
            "This colleague already works on the case and sees it.", code="share_not_needed"
        )
    grant = CaseAccessGrant.objects.create(
        case=case,
        user=colleague,
        kind=CaseAccessGrant.Kind.SHARE,
        include_sensitive=include_sensitive,
        reason=reason,
        granted_by=actor.user,
        starts_at=at,
        expires_at=_end_of(until, sop),
        sop_version=sop_row,
    )
    _audit(grant, actor=actor, action=Event.Action.UPDATE, summary="case shared")
    notify(
        users=[colleague],
        kind=Kind.CASE_SHARED,
        params={"case_number": case.case_number, "until": until.strftime("%d/%m/%Y")},
        link=reverse("web:case_detail", args=[case.pk]),
    )
    return grant


@transaction.atomic
def grant_revoke(
    *, actor: Actor, case_id: UUID, grant_id: UUID, now: datetime | None = None
) -> CaseAccessGrant:
    """End a share (or a break-glass access) now. The case's caseworker or supervisor, or
    the one who granted it; revoking an ended grant changes nothing."""
    actor.require(Permission.CASE_VIEW)
    if actor.agency_id is None:
        raise NotFoundError("No access with this identifier is visible to you.")
    grant = (
        CaseAccessGrant.objects.select_for_update()
        .select_related("case", "user", "sop_version")
        .filter(pk=grant_id, case_id=case_id, case__agency_id=actor.agency_id)
        .first()
    )
    if grant is None:
        raise NotFoundError("No access with this identifier is visible to you.")
    if not (is_case_lead(actor, grant.case) or actor.id in (grant.granted_by_id, grant.user_id)):
        if not cases_visible_to(actor).filter(pk=case_id).exists():
            raise NotFoundError("No access with this identifier is visible to you.")
        raise PermissionDeniedError(
            "Only the assigned caseworker or their supervisor can end this access.",
            code="not_assigned",
        )
    at = now or timezone.now()
    if grant.revoked_at is not None or grant.expires_at <= at:
        return grant
    grant.revoked_at = at
    grant.revoked_by = actor.user
    grant.version += 1
    grant.save(update_fields=["revoked_at", "revoked_by", "version", "updated_at"])
    _audit(grant, actor=actor, action=Event.Action.UPDATE, summary="case access revoked")
    return grant


@transaction.atomic
def break_glass(
    *, actor: Actor, case_number: str, reason: str, now: datetime | None = None
) -> CaseAccessGrant:
    """A supervisor opens, in an emergency, a case of their agency they cannot see.

    Mandatory reason, time-limited to the SOP's ``break_glass_hours``, flagged in the
    audit; the case's caseworker and supervisor are told at once.
    """
    if actor.role != Role.SUPERVISOR or actor.agency_id is None or not actor.user.is_active:
        raise PermissionDeniedError(
            "Only a supervisor can use emergency access.", code="role_not_allowed"
        )
    reason = reason.strip()
    if len(reason) < BREAK_GLASS_REASON_MIN:
        raise ValidationFailed(
            "Explain why you need emergency access to this case (at least %(min)s characters). "
            "The reason is kept in the audit log and shown to the case's team.",
            {"min": BREAK_GLASS_REASON_MIN},
            code="reason_required",
        )
    number = case_number.strip()
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("area", "caseworker")
        .filter(agency_id=actor.agency_id, case_number__iexact=number)
        .first()
        if number
        else None
    )
    if case is None:
        raise NotFoundError("No case of your agency has this number.")
    if in_scope(actor, case):
        raise ValidationFailed(
            "You already see this case; emergency access is not needed.", code="not_needed"
        )
    sop_row, sop = active_sop(case.area)
    hours = _limits(sop)[0]
    at = now or timezone.now()
    grant = CaseAccessGrant.objects.create(
        case=case,
        user=actor.user,
        kind=CaseAccessGrant.Kind.BREAK_GLASS,
        include_sensitive=True,
        reason=reason,
        granted_by=actor.user,
        starts_at=at,
        expires_at=at + timedelta(hours=hours),
        sop_version=sop_row,
    )
    _audit(grant, actor=actor, action=Event.Action.BREAK_GLASS, summary="break-glass access")
    team: list[User] = []
    if case.caseworker is not None:
        team.append(case.caseworker)
        supervisor_ids = TeamMembership.objects.filter(
            user_id=case.caseworker.pk, team__agency_id=case.agency_id
        ).values("team__supervisor_id")
        team += list(User.objects.filter(pk__in=supervisor_ids).exclude(pk=actor.id))
    notify(
        users=team,
        kind=Kind.BREAK_GLASS_USED,
        params={
            "case_number": case.case_number,
            "user": actor.user.get_full_name() or actor.user.username,
        },
        link=reverse("web:case_access", args=[case.pk]),
    )
    return grant
