"""Template helpers of the referral pages and of the referral panels other pages include."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext, gettext_lazy

from fanous.accounts.access import Actor
from fanous.accounts.permissions import Permission
from fanous.cases.models import OPEN_STATUSES
from fanous.domain.referrals import ReferralAction, ReferralStatus
from fanous.referrals.models import Referral
from fanous.referrals.presenters import overdue_of

register = template.Library()

STATUS_CLASSES = {
    ReferralStatus.PENDING_APPROVAL: "text-bg-warning",
    ReferralStatus.SENT: "text-bg-primary",
    ReferralStatus.ACKNOWLEDGED: "text-bg-primary",
    ReferralStatus.ACCEPTED: "text-bg-success",
    ReferralStatus.DECLINED: "text-bg-danger",
    ReferralStatus.DELIVERED: "text-bg-success",
    ReferralStatus.CLOSED: "text-bg-secondary",
    ReferralStatus.REVOKED: "text-bg-secondary",
    ReferralStatus.CANCELLED: "text-bg-secondary",
}
# The domain's label table is keyed by StrEnum values, so ReferralAction.ACCEPT ("accept")
# reads TransferAction.ACCEPT's label ("Accept the case"); the pages name the steps here.
ACTION_LABELS = {
    ReferralAction.APPROVE_OVERRIDE: gettext_lazy("Approve sharing in the child's best interests"),
    ReferralAction.REFUSE_OVERRIDE: gettext_lazy("Refuse sharing without consent"),
    ReferralAction.ACKNOWLEDGE: gettext_lazy("Acknowledge receipt"),
    ReferralAction.ACCEPT: gettext_lazy("Accept"),
    ReferralAction.DECLINE: gettext_lazy("Decline"),
    ReferralAction.DELIVER: gettext_lazy("Service delivered"),
    ReferralAction.CLOSE: gettext_lazy("Close the referral"),
    ReferralAction.REVOKE: gettext_lazy("Revoke"),
}
OVERDUE_LABELS = {
    "acknowledge": gettext_lazy("Acknowledgement overdue"),
    "respond": gettext_lazy("Answer overdue"),
    "deliver": gettext_lazy("Service overdue"),
}


@register.filter
def referral_status(code: str) -> str:
    try:
        return gettext(ReferralStatus(code).label)
    except ValueError:
        return code


@register.filter
def referral_status_class(code: str) -> str:
    try:
        return STATUS_CLASSES[ReferralStatus(code)]
    except ValueError:
        return "text-bg-light"


@register.filter
def referral_action(code: str) -> str:
    try:
        return str(ACTION_LABELS[ReferralAction(code)])
    except ValueError:
        return code


@register.filter
def referral_overdue(referral: Referral) -> str:
    """The late answer's label ("Answer overdue"), or "" when nothing is late."""
    late = overdue_of(referral)
    return str(OVERDUE_LABELS.get(late, late)) if late else ""


@register.filter
def referable_by(case: Any, user: Any) -> bool:
    """The Refer button: the user may send referrals and the case is open."""
    status = case.get("status") if isinstance(case, dict) else getattr(case, "status", "")
    if not getattr(user, "is_authenticated", False) or status not in OPEN_STATUSES:
        return False
    try:
        return Actor.of(user).can(Permission.REFERRAL_SEND)
    except ValueError:  # an account without a role
        return False


@register.filter
def label_in(labels: Any, lang: str) -> str:
    """A label dict of the SOP ({"ar":..., "en":...}) in ``lang``, else English, else Arabic."""
    if not isinstance(labels, dict):
        return str(labels or "")
    return str(labels.get((lang or "ar")[:2]) or labels.get("en") or labels.get("ar") or "")


@register.inclusion_tag("web/referrals/partials/_overrides_count.html", takes_context=True)
def referral_overrides_count(context: template.Context) -> dict[str, Any]:
    """The number of best-interests overrides waiting for the supervisor (0 for others)."""
    from fanous.web.views_referrals import overrides_pending_count

    request = context.get("request")
    user = getattr(request, "user", None)
    count = 0
    if user is not None and user.is_authenticated:
        try:
            count = overrides_pending_count(Actor.of(user))
        except ValueError:
            count = 0
    return {"count": count, "ui_arabic_digits": context.get("ui_arabic_digits", False)}


@register.filter
def provider_name(provider: Any, lang: str) -> str:
    return str(provider.name((lang or "ar")[:2])) if provider is not None else ""
