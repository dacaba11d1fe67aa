"""Lock-out after repeated failed log-ins, for the web log-in and the API token alike.

Failures are counted by the username typed, whether or not it exists, so that a lock says
nothing about which accounts exist; and by client address, so that one machine cannot try
many usernames. Kept in the database: every app server sees the same counts.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from fanous.accounts.models_auth import LoginFailure, LoginLock
from fanous.audit.models import Event
from fanous.audit.services import record


def normal(username: str) -> str:
    """The key failures are counted under: case and surrounding spaces do not matter."""
    return username.strip().casefold()[:150]


def client_ip(request: HttpRequest) -> str | None:
    """The client address as the audit log records it (the proxy must set REMOTE_ADDR)."""
    return request.META.get("REMOTE_ADDR") or None


def _window() -> timedelta:
    return timedelta(minutes=settings.FANOUS_LOCKOUT_MINUTES)


def lock_minutes() -> int:
    return int(settings.FANOUS_LOCKOUT_MINUTES)


def is_locked(username: str, ip: str | None) -> bool:
    """True while the username is locked or the address has failed too often."""
    now = timezone.now()
    if LoginLock.objects.filter(username=normal(username), until__gt=now).exists():
        return True
    if ip is None:
        return False
    recent = LoginFailure.objects.filter(ip=ip, at__gt=now - _window()).count()
    return recent >= settings.FANOUS_IP_THROTTLE_ATTEMPTS


@transaction.atomic
def register_failure(*, username: str, ip: str | None, kind: str, user: Any = None) -> bool:
    """Count a failed attempt (audited); lock the username when it reaches the limit.

    Returns True when the username is now locked.
    """
    key = normal(username)
    now = timezone.now()
    failure = LoginFailure.objects.create(username=key, ip=ip, kind=kind, at=now)
    record(
        actor=user,
        action=Event.Action.LOGIN,
        obj=failure,
        changes={"username": key, "kind": kind},
        summary=f"login failed ({kind})",
    )
    since = now - _window()
    last_lock = LoginLock.objects.filter(username=key).order_by("-until").first()
    if last_lock is not None and last_lock.until > since:
        since = last_lock.until
    count = LoginFailure.objects.filter(username=key, cleared=False, at__gt=since).count()
    if count < settings.FANOUS_LOCKOUT_ATTEMPTS:
        return False
    lock = LoginLock.objects.create(username=key, created_at=now, until=now + _window())
    record(
        actor=user,
        action=Event.Action.LOGIN,
        obj=lock,
        changes={"username": key, "until": lock.until, "failures": count},
        summary="account locked after repeated failed log-ins",
    )
    return True


def register_success(*, username: str) -> None:
    """The user got in: their count starts again (the address's does not)."""
    LoginFailure.objects.filter(username=normal(username), cleared=False).update(cleared=True)
