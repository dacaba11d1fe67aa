"""Reading the audit log: who may see which events (the audit viewer and its export)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet

from fanous.accounts.access import Actor, cases_in_scope
from fanous.audit.models import Event
from fanous.domain.roles import Role

AUDIT_READERS = (Role.SUPERVISOR, Role.AGENCY_ADMIN)


def history_row(event: Event) -> dict[str, Any]:
    """One event of a history (a case's, a transfer's) as the API shows it (EventOut);
    the actor is joined by the caller's query."""
    return {
        "id": event.id,
        "at": event.at,
        "actor": event.actor.username if event.actor else None,
        "action": event.action,
        "object_type": event.object_type,
        "summary": event.summary,
        "changes": event.changes,
        "sop_version": event.sop_version,
    }


def can_read_audit(actor: Actor) -> bool:
    return actor.user.is_active and actor.agency_id is not None and actor.role in AUDIT_READERS


def events_visible_to(actor: Actor) -> QuerySet[Event]:
    """A supervisor: the events of the cases they may see (their team's). An agency admin:
    the events of their agency's cases and of their agency's users. Anyone else: nothing."""
    if not can_read_audit(actor):
        return Event.objects.none()
    if actor.role == Role.SUPERVISOR:
        # Their team's cases (not those they only read through a share or break-glass).
        return Event.objects.filter(case__in=cases_in_scope(actor).values("pk"))
    return Event.objects.filter(
        Q(case__agency_id=actor.agency_id) | Q(actor__agency_id=actor.agency_id)
    )


@dataclass(frozen=True)
class AuditFilter:
    case_number: str = ""
    username: str = ""
    action: str = ""
    date_from: date | None = None
    date_to: date | None = None


def audit_events(*, actor: Actor, filters: AuditFilter, tz: str = "UTC") -> QuerySet[Event]:
    """The actor's visible events matching ``filters``, the newest first. Dates are days
    where the actor works (``tz``), both ends included."""
    qs = events_visible_to(actor)
    if filters.case_number:
        qs = qs.filter(case__case_number__iexact=filters.case_number)
    if filters.username:
        qs = qs.filter(actor__username__iexact=filters.username)
    if filters.action == Event.Action.BREAK_GLASS:
        # Break-glass openings and every read made through one (SPEC §12).
        qs = qs.filter(
            Q(action=Event.Action.BREAK_GLASS)
            | Q(action=Event.Action.READ, changes__via=Event.Action.BREAK_GLASS.value)
        )
    elif filters.action:
        qs = qs.filter(action=filters.action)
    zone = ZoneInfo(tz)
    if filters.date_from:
        qs = qs.filter(at__gte=datetime.combine(filters.date_from, time.min, tzinfo=zone))
    if filters.date_to:
        end = filters.date_to + timedelta(days=1)
        qs = qs.filter(at__lt=datetime.combine(end, time.min, tzinfo=zone))
    return qs.select_related("actor", "case").order_by("-seq")
