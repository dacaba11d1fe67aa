from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import get_language, get_language_bidi

from fanous.accounts.access import Actor
from fanous.accounts.permissions import Permission
from fanous.cases import queues


def ui(request: HttpRequest) -> dict[str, Any]:
    """Language and direction for base.html; the user's digit preference."""
    user = getattr(request, "user", None)
    return {
        "ui_lang": get_language(),
        "ui_rtl": get_language_bidi(),
        "ui_arabic_digits": bool(user and user.is_authenticated and user.arabic_digits),
    }


_APPROVALS_CACHE = "_fanous_approvals_pending"
_COORDINATION_CACHE = "_fanous_coordination_pending"
_ACTOR_CACHE = "_fanous_badges_actor"


def _actor(request: HttpRequest) -> Actor:
    """One Actor for the badges of a request, so what it reads once (a supervisor's team,
    access.team_member_ids) is read once for all of them."""
    actor: Actor | None = getattr(request, _ACTOR_CACHE, None)
    if actor is None:
        actor = Actor.of(request.user)  # type: ignore[arg-type]
        setattr(request, _ACTOR_CACHE, actor)
    return actor


def coordination_pending(request: HttpRequest) -> dict[str, int]:
    """Decisions on referrals, transfers and emergency cash waiting for this supervisor.

    One count query each, over the same selectors as the pages that list them.
    """
    cached = getattr(request, _COORDINATION_CACHE, None)
    if cached is None:
        from fanous.referrals.selectors.cash import cash_pending_for
        from fanous.referrals.selectors.referrals import pending_overrides_for
        from fanous.referrals.selectors.transfers import transfer_inbox_count

        actor = _actor(request)
        cached = {
            "overrides": pending_overrides_for(actor).order_by().count(),
            "transfers": transfer_inbox_count(actor=actor),
            "cash": cash_pending_for(actor=actor).order_by().count(),
        }
        setattr(request, _COORDINATION_CACHE, cached)
    return dict(cached)


def approvals_pending(request: HttpRequest) -> int:
    """Decisions waiting for this supervisor, counted once a request: the approvals queue
    (plans, closures) and the referral, transfer and cash decisions it links to.

    Aggregate queries over the pages' own selectors, so the badge and the pages always
    agree, whatever the number of cases.
    """
    cached = getattr(request, _APPROVALS_CACHE, None)
    if cached is None:
        actor = _actor(request)
        cached = queues.approvals_for(actor=actor).order_by().count()
        cached += sum(coordination_pending(request).values())
        setattr(request, _APPROVALS_CACHE, cached)
    return int(cached)


def supervision(request: HttpRequest) -> dict[str, Any]:
    """The approvals badge of the menu; nothing for users who approve nothing.

    The count is a callable, so a page that does not show the menu runs no query.
    """
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return {}
    try:
        actor = Actor.of(user)
    except ValueError:  # an account without a role (the admin site's superuser)
        return {}
    if not actor.can(Permission.PLAN_APPROVE):
        return {}
    return {
        "approvals_pending": lambda: approvals_pending(request),
        "coordination_pending": lambda: coordination_pending(request),
    }
