"""Referral read model for both doors (API and web)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from fanous.accounts.access import Actor
from fanous.accounts.permissions import Permission
from fanous.domain import referrals as rules
from fanous.domain.referrals import ReferralAction, ReferralStatus, Side
from fanous.referrals.models import Referral
from fanous.referrals.selectors.referrals import sides_of


def deadlines_of(referral: Referral) -> rules.ReferralDeadlines | None:
    if referral.acknowledge_by is None or referral.respond_by is None:
        return None
    return rules.ReferralDeadlines(
        acknowledge_by=referral.acknowledge_by,
        respond_by=referral.respond_by,
        deliver_by=referral.deliver_by or referral.respond_by,
    )


def overdue_of(referral: Referral) -> str | None:
    deadlines = deadlines_of(referral)
    if deadlines is None:
        return None
    return rules.referral_overdue(ReferralStatus(referral.status), deadlines, timezone.now())


def allowed_actions(referral: Referral, sides: frozenset[Side]) -> list[ReferralAction]:
    """The steps the reader may take now (what the buttons show)."""
    status = ReferralStatus(referral.status)
    out = []
    for (source, action), (_, allowed) in rules.REFERRAL_TRANSITIONS.items():
        if source is not status:
            continue
        if not referral.provider.in_app and allowed == frozenset({Side.RECEIVER}):
            allowed = allowed | {Side.SENDER, Side.SENDER_SUPERVISOR}
        if sides & allowed:
            out.append(action)
    return out


def referral_out(referral: Referral, actor: Actor, lang: str = "ar") -> dict[str, Any]:
    sides = sides_of(actor, referral)
    # The receiving service never gets a handle on the case itself.
    sender_view = not actor.can(Permission.REFERRAL_RECEIVE)
    data: dict[str, Any] = {
        f: getattr(referral, f)
        for f in (
            "id",
            "version",
            "status",
            "kind",
            "urgent",
            "need",
            "service_type",
            "internal",
            "provider_id",
            "to_user_id",
            "reason",
            "sections",
            "shared",
            "basis",
            "override_reason",
            "accompaniment",
            "accompaniment_notes",
            "sent_at",
            "acknowledge_by",
            "respond_by",
            "deliver_by",
            "acknowledged_at",
            "accepted_at",
            "declined_at",
            "decline_reason",
            "delivered_at",
            "outcome",
            "closed_at",
            "feedback",
            "revoked_at",
            "revoke_reason",
        )
    }
    data["reference"] = f"{referral.case.case_number}-R{referral.number}"
    data["provider_name"] = referral.provider.name(lang)
    data["sender_agency"] = referral.sender_agency.name(lang)
    data["overdue"] = overdue_of(referral)
    data["actions"] = allowed_actions(referral, sides)
    if sender_view:
        data["case_id"] = referral.case_id
        data["case_number"] = referral.case.case_number
    return data
