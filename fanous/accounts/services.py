"""Writes on user accounts. Disabling a user also ends what was waiting for them."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from fanous.accounts.access import Actor
from fanous.accounts.models import ApiToken, User
from fanous.accounts.permissions import Permission
from fanous.audit.models import Event
from fanous.audit.services import record
from fanous.core.errors import NotFoundError, ValidationFailed


@transaction.atomic
def user_deactivate(*, actor: Actor, user_id: int, reason: str) -> User:
    """Disable an account of the actor's agency: it can no longer log in or use a token,
    and referrals addressed to it by name are revoked so no child waits in a dead inbox."""
    actor.require(Permission.USERS_MANAGE)
    if actor.agency_id is None:
        raise NotFoundError("No user with this identifier in your agency.")
    user = User.objects.select_for_update().filter(pk=user_id, agency_id=actor.agency_id).first()
    if user is None:
        raise NotFoundError("No user with this identifier in your agency.")
    if not reason.strip():
        raise ValidationFailed("Say why the account is disabled.", code="reason_required")
    if user.pk == actor.id:
        raise ValidationFailed("You cannot disable your own account.", code="self_deactivate")
    if not user.is_active:
        return user
    user.is_active = False
    user.save(update_fields=["is_active"])
    ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    record(
        actor=actor.user,
        action=Event.Action.UPDATE,
        obj=user,
        changes={"is_active": [True, False], "reason": [None, reason.strip()]},
        summary="user disabled",
    )
    from fanous.referrals.services.referrals import referrals_revoke_for_user

    referrals_revoke_for_user(actor=actor, user=user, reason=reason.strip())
    return user
