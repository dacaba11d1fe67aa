"""My agenda: what is due today and this week, to plan a field day (SPEC §5, §7, §8)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from fanous.accounts.permissions import Permission
from fanous.cases import selectors
from fanous.cases.agenda import AgendaItem, AgendaKind, agenda_for
from fanous.cases.models import Case, FollowUp
from fanous.domain.roles import Role

from .views import actor_of


def _places(case: Case) -> dict[str, str]:
    """Where to find the child: the household address and the workplace at registration."""
    child = case.child
    household = child.household
    home = (household.address if household else "") or child.current_address
    try:
        registration = case.registration
    except ObjectDoesNotExist:
        registration = None
    work = ""
    if registration is not None:
        work = " — ".join(
            part for part in (registration.workplace_name, registration.workplace_location) if part
        )
    return {"home": home, "work": work}


def _row(item: AgendaItem) -> dict[str, Any]:
    visit_label: str = ""
    if item.last_visit_kind:
        try:
            visit_label = str(FollowUp.Kind(item.last_visit_kind).label)
        except ValueError:
            visit_label = item.last_visit_kind
    return {
        "item": item,
        "case": item.case,
        "kind": item.kind.value,
        "visit_label": visit_label,
        "places": _places(item.case) if item.kind == AgendaKind.FOLLOW_UP else None,
    }


@login_required
def agenda(request: HttpRequest) -> HttpResponse:
    """Overdue first, then today and each day of the week; high risk first within a day."""
    actor = actor_of(request)
    actor.require(Permission.CASE_VIEW)
    today = selectors.today_for(actor)
    days = agenda_for(actor=actor, today=today)
    groups: list[dict[str, Any]] = [
        {"key": g.key, "day": g.day, "rows": [_row(item) for item in g.items]} for g in days
    ]
    return render(
        request,
        "web/coord/agenda.html",
        {
            "nav": "agenda",
            "today": today,
            "groups": groups,
            "total": sum(len(g.items) for g in days),
            "show_caseworker": actor.role == Role.SUPERVISOR,
        },
    )
