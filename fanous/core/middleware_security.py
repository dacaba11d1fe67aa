"""Security headers Django does not set itself: Content-Security-Policy (with a nonce for
the few inline scripts left), Permissions-Policy, and Referrer-Policy on every response."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

NONCE_ATTR = "csp_nonce"

# No inline event handlers, no eval: scripts come from our static files or carry the
# request's nonce. Styles may be inline (style="" attributes, Bootstrap's data: SVGs).
_CSP = (
    "default-src 'self'; "
    "script-src 'self' 'nonce-{nonce}'; "
    "style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; "
    "font-src 'self'; "
    "connect-src 'self'; "
    "object-src 'none'; "
    "base-uri 'self'; "
    "form-action 'self'; "
    "frame-ancestors 'none'"
)
_PERMISSIONS = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
    "accelerometer=(), gyroscope=(), magnetometer=(), interest-cohort=()"
)


def nonce_of(request: HttpRequest) -> str:
    nonce = getattr(request, NONCE_ATTR, None)
    if nonce is None:
        nonce = secrets.token_urlsafe(16)
        setattr(request, NONCE_ATTR, nonce)
    return str(nonce)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        nonce = nonce_of(request)
        response = self.get_response(request)
        header = (
            "Content-Security-Policy-Report-Only"
            if getattr(settings, "FANOUS_CSP_REPORT_ONLY", False)
            else "Content-Security-Policy"
        )
        response.headers.setdefault(header, _CSP.format(nonce=nonce))
        response.headers.setdefault("Permissions-Policy", _PERMISSIONS)
        response.headers.setdefault(
            "Referrer-Policy", settings.SECURE_REFERRER_POLICY or "same-origin"
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response


def csp_nonce(request: HttpRequest) -> dict[str, str]:
    """Context processor: `<script nonce="{{ csp_nonce }}">` for an inline script."""
    return {"csp_nonce": nonce_of(request)}
