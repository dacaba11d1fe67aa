"""Request context (request id, client IP) for the audit log."""

from __future__ import annotations

import contextvars
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse


@dataclass(frozen=True)
class RequestContext:
    request_id: str
    ip: str | None


_current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar(
    "fanous_request", default=None
)


def current_request() -> RequestContext | None:
    return _current.get()


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        rid = request.headers.get("X-Request-Id") or uuid.uuid4().hex
        token = _current.set(
            RequestContext(request_id=rid[:64], ip=request.META.get("REMOTE_ADDR"))
        )
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response["X-Request-Id"] = rid[:64]
        return response
