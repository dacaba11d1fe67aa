"""The user's own language wins over the browser's: Arabic first, remembered per user."""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation


def _user_timezone(user: object) -> str:
    from fanous.accounts.access import Actor
    from fanous.cases.selectors import timezone_for

    return timezone_for(Actor.of(user))  # type: ignore[arg-type]


class UserLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        lang = getattr(user, "language", None) if user and user.is_authenticated else None
        if lang and not request.path.startswith("/api/"):
            translation.activate(lang)
            request.LANGUAGE_CODE = lang
        if user and user.is_authenticated:
            # Times are shown where the user works: the time zone of their area's SOP.
            timezone.activate(ZoneInfo(_user_timezone(user)))
        response = self.get_response(request)
        if lang:
            response.headers.setdefault("Content-Language", lang)
        return response


class ServiceErrorMiddleware:
    """A refusal from a service, outside the API, becomes a page (404 for what one may not see)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from django.shortcuts import render

        from fanous.core.errors import NotFoundError, ServiceError, error_payload
        from fanous.domain.errors import DomainError

        if request.path.startswith("/api/"):
            return None
        if isinstance(exception, NotFoundError):
            return render(request, "404.html", status=404)
        if isinstance(exception, ServiceError | DomainError):
            status = getattr(exception, "status", 422)
            return render(
                request, "web/error.html", {"error": error_payload(exception)}, status=status
            )
        return None
