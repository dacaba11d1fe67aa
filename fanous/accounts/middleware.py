"""Session rules: inactivity and absolute expiry, and the second factor before case data."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext

from fanous.accounts import twofactor

LAST_SEEN = "_fanous_last_seen"
AUTH_AT = "_fanous_auth_at"
# The last-seen time is written at most this often (not a database write every request).
_TOUCH_SECONDS = 60


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    if request.headers.get("HX-Request"):
        return HttpResponse(status=204, headers={"HX-Redirect": url})
    return HttpResponseRedirect(url)


def _with_next(request: HttpRequest, url: str) -> str:
    if request.method == "GET":
        return f"{url}?{urlencode({'next': request.get_full_path()})}"
    return url


class SessionTimeoutMiddleware:
    """Ends a web session after FANOUS_SESSION_IDLE_MINUTES without a request, and after
    FANOUS_SESSION_MAX_HOURS whatever happens (0 turns either off)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        idle = int(settings.FANOUS_SESSION_IDLE_MINUTES) * 60
        longest = int(settings.FANOUS_SESSION_MAX_HOURS) * 3600
        user = getattr(request, "user", None)
        if (idle or longest) and user is not None and user.is_authenticated:
            now = int(time.time())
            session = request.session
            last = session.get(LAST_SEEN)
            started = session.get(AUTH_AT)
            too_idle = bool(idle and last is not None and now - int(last) > idle)
            too_old = bool(longest and started is not None and now - int(started) > longest)
            if too_idle or too_old:
                logout(request)
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                messages.info(request, gettext("Your session has ended. Log in again."))
                return _redirect(request, _with_next(request, reverse("login")))
            if last is None or now - int(last) >= _TOUCH_SECONDS:
                session[LAST_SEEN] = now
            if started is None:
                session[AUTH_AT] = now
        return self.get_response(request)


def _exempt(path: str) -> bool:
    allowed = (
        reverse("account:verify"),
        reverse("account:setup"),
        reverse("login"),
        reverse("logout"),
        reverse("web:set_language"),
        settings.STATIC_URL,
        "/favicon.ico",
    )
    return path.startswith(allowed)


class TwoFactorMiddleware:
    """Until the second factor passes, a logged-in session reaches only the two-factor
    pages, the log-out and static files; the API does not accept the session at all."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            state = twofactor.session_state(request)
            if state in ("pending", "setup"):
                if request.path.startswith("/api/"):
                    request.user = AnonymousUser()
                elif not _exempt(request.path):
                    if request.headers.get("HX-Request"):
                        # A fragment (the notifications badge) gets nothing, not a redirect
                        # that would reload the page it sits on.
                        return HttpResponse(status=403)
                    target = reverse("account:verify" if state == "pending" else "account:setup")
                    return _redirect(request, _with_next(request, target))
                request.two_factor_pending = True  # type: ignore[attr-defined]
        return self.get_response(request)


def two_factor_context(request: HttpRequest) -> dict[str, Any]:
    """Context processor: base.html shows no menu until the second factor passes; the
    preferences page links the reset of colleagues' two-factor for agency focal points."""

    def users_manage() -> bool:
        from fanous.accounts.access import Actor
        from fanous.accounts.permissions import Permission

        user = getattr(request, "user", None)
        if not (user and user.is_authenticated and getattr(user, "role", "")):
            return False
        try:
            return Actor.of(user).can(Permission.USERS_MANAGE)
        except ValueError:
            return False

    return {
        "two_factor_pending": bool(getattr(request, "two_factor_pending", False)),
        "perms_users_manage": users_manage,
    }
