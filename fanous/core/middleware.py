"""Request context (request id, client IP) for the audit log."""

from __future__ import annotations

import contextvars
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest, HttpResponse


@dataclass(frozen=True)
class RequestContext:
    request_id: str
    ip: str | None
    # Lookups that cannot change during one request (the SOP in force for an area...),
    # kept for its length only: see request_memo().
    memo: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)


_current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar(
    "fanous_request", default=None
)


def current_request() -> RequestContext | None:
    return _current.get()


def request_memo() -> dict[Any, Any] | None:
    """A dict living as long as the current request (None outside one: tasks, commands).

    For lookups a request repeats and that do not change while it runs. A write that
    changes what was memoised calls :func:`forget_request_memo`.
    """
    ctx = _current.get()
    return ctx.memo if ctx is not None else None


def forget_request_memo() -> None:
    ctx = _current.get()
    if ctx is not None:
        ctx.memo.clear()


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
