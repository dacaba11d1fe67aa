"""Reads of case access grants (SPEC §12): who else may read a case, and until when."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils import timezone

from fanous.accounts.access import GRANTEE_ROLES, Actor, in_scope
from fanous.accounts.models import User
from fanous.cases.models import Case
from fanous.cases.selectors import case_get
from fanous.sop.selectors import active_sop

from .models import CaseAccessGrant
from .services import is_case_lead, is_case_supervisor


def grants_of_case(*, actor: Actor, case_id: UUID) -> QuerySet[CaseAccessGrant]:
    """The live and past grants on a case the actor may see (404 otherwise), newest first."""
    case = case_get(actor=actor, case_id=case_id)
    return (
        CaseAccessGrant.objects.filter(case=case)
        .select_related("user", "granted_by", "revoked_by", "sop_version", "case__area")
        .order_by("-starts_at", "-created_at")
    )


def grants_listed(*, actor: Actor, case_id: UUID) -> list[dict[str, Any]]:
    """The case's grants as the actor may see them: the reasons (which may say why the
    case is urgent) only for the case's caseworker and supervisor and for one's own grant."""
    rows = list(grants_of_case(actor=actor, case_id=case_id))
    if not rows:
        return []
    lead = is_case_lead(actor, rows[0].case)
    out = []
    for grant in rows:
        row = grant_out(grant)
        if not lead and grant.user_id != actor.id:
            row["reason"] = ""
        out.append(row)
    return out


def grant_state(grant: CaseAccessGrant, now: datetime | None = None) -> str:
    """live, revoked, expired or scheduled."""
    at = now or timezone.now()
    if grant.revoked_at is not None:
        return "revoked"
    if grant.expires_at <= at:
        return "expired"
    if grant.starts_at > at:
        return "scheduled"
    return "live"


def grant_out(grant: CaseAccessGrant, now: datetime | None = None) -> dict[str, Any]:
    return {
        "id": grant.pk,
        "kind": grant.kind,
        "user": grant.user.username,
        "user_name": grant.user.get_full_name() or grant.user.username,
        "include_sensitive": grant.include_sensitive,
        "reason": grant.reason,
        "granted_by": grant.granted_by.username,
        "starts_at": grant.starts_at,
        "expires_at": grant.expires_at,
        # The last day a share covers where the child lives (it ends at that day's end).
        "last_day": (grant.expires_at - timedelta(microseconds=1))
        .astimezone(ZoneInfo(active_sop(grant.case.area)[1].timezone))
        .date(),
        "revoked_at": grant.revoked_at,
        "revoked_by": grant.revoked_by.username if grant.revoked_by else None,
        "state": grant_state(grant, now),
        "sop_version": grant.sop_version.version,
    }


def share_candidates(*, actor: Actor, case: Case) -> QuerySet[User]:
    """Colleagues the case may be shared with: active caseworkers and supervisors of the
    case's agency who do not already work on it (the form's choices)."""
    if not is_case_lead(actor, case):
        return User.objects.none()
    users = (
        User.objects.filter(
            agency_id=case.agency_id,
            is_active=True,
            role__in=[r.value for r in GRANTEE_ROLES],
        )
        .exclude(pk=actor.id)
        .order_by("first_name", "last_name", "username")
    )
    return users.exclude(pk__in=[u.pk for u in users if in_scope(Actor.of(u), case)])


def may_manage(actor: Actor, case: Case) -> dict[str, bool]:
    """What the actor may do on the case's access page."""
    lead = is_case_lead(actor, case)
    return {"share": lead, "share_sensitive": lead and is_case_supervisor(actor, case)}
