"""Authentication endpoints."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_noop
from ninja import Router, Schema, Status
from pydantic import Field

from fanous.accounts import lockout, twofactor
from fanous.accounts.models import ApiToken, User
from fanous.audit.models import Event
from fanous.audit.services import record
from fanous.core.errors import ServiceError, error_payload

router = Router(tags=["auth"])


class TokenIn(Schema):
    username: str = Field(..., max_length=150)
    password: str = Field(..., max_length=256)
    otp: str | None = Field(
        None,
        max_length=32,
        description="The authenticator code (or a recovery code), for users with two-factor.",
    )


class TokenOut(Schema):
    token: str
    expires_at: datetime


class ErrorOut(Schema):
    code: str
    message: str
    reasons: list[dict[str, str]]


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    role: str
    agency: str | None
    language: str


class BadCredentials(ServiceError):
    status = 401
    code = "bad_credentials"


class LockedOut(ServiceError):
    status = 429
    code = "locked"


_LOCKED = gettext_noop(
    "Too many failed attempts. Log-in is locked for %(minutes)s minutes; try again later "
    "or ask your agency focal point."
)


@router.post(
    "/auth/token", auth=None, response={200: TokenOut, 401: ErrorOut, 403: ErrorOut, 429: ErrorOut}
)
def token_create(request: HttpRequest, payload: TokenIn) -> Status[object]:
    """Exchange a username and password (and the authenticator code `otp`, for users with
    two-factor authentication) for a bearer token. Repeated failures lock the username."""
    ip = lockout.client_ip(request)
    if lockout.is_locked(payload.username, ip):
        return Status(429, error_payload(LockedOut(_LOCKED, {"minutes": lockout.lock_minutes()})))
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None or not user.is_active:
        if lockout.register_failure(username=payload.username, ip=ip, kind="password"):
            return Status(
                429, error_payload(LockedOut(_LOCKED, {"minutes": lockout.lock_minutes()}))
            )
        refusal = BadCredentials("The username or password is wrong. Check them and try again.")
        return Status(401, error_payload(refusal))
    if twofactor.is_enrolled(user):
        if not payload.otp:
            needed = BadCredentials(
                "Two-factor authentication is on for this account: send the code of your "
                "authenticator app in the field otp.",
                code="otp_required",
            )
            return Status(401, error_payload(needed))
        if not twofactor.verify(user=user, code=payload.otp):
            failed = lockout.register_failure(
                username=payload.username, ip=ip, kind="otp", user=user
            )
            if failed:
                return Status(
                    429, error_payload(LockedOut(_LOCKED, {"minutes": lockout.lock_minutes()}))
                )
            wrong = BadCredentials(
                "This code is not valid or was already used. Enter the current code of your "
                "authenticator app, or one of your recovery codes.",
                code="otp_invalid",
            )
            return Status(401, error_payload(wrong))
    elif twofactor.is_required(user):
        setup = ServiceError(
            "Your role requires two-factor authentication: log in to the web app once to set "
            "it up, then ask for a token with the code.",
            code="two_factor_setup_required",
        )
        return Status(403, error_payload(setup))
    lockout.register_success(username=payload.username)
    token, raw = ApiToken.issue(user)
    record(actor=user, action=Event.Action.LOGIN, obj=user, summary="api token issued")
    return Status(200, {"token": raw, "expires_at": token.expires_at})


@router.post("/auth/logout", response={204: None})
def token_revoke(request: HttpRequest) -> Status[None]:
    """Revoke the bearer token used for this request."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        found = ApiToken.lookup(header.split(" ", 1)[1].strip())
        if found is not None:
            found.revoked_at = timezone.now()
            found.save(update_fields=["revoked_at"])
    return Status(204, None)


@router.get("/me", response=MeOut)
def me(request: HttpRequest) -> dict[str, object]:
    user: User = request.user  # type: ignore[assignment]
    return {
        "id": user.pk,
        "username": user.username,
        "full_name": user.get_full_name(),
        "role": user.role,
        "agency": user.agency.code if user.agency else None,
        "language": user.language,
    }


class DeactivateIn(Schema):
    reason: str = Field(max_length=500)


@router.post("/users/{user_id}/deactivate", response={204: None})
def user_deactivate(request: HttpRequest, user_id: int, payload: DeactivateIn) -> Status[None]:
    """Disable a user of your agency (agency admin); referrals addressed to them are revoked."""
    from fanous.accounts.access import Actor
    from fanous.accounts.services import user_deactivate as deactivate

    deactivate(actor=Actor.of(request.user), user_id=user_id, reason=payload.reason)  # type: ignore[arg-type]
    return Status(204, None)


class TwoFactorResetIn(Schema):
    reason: str = Field(max_length=500)


@router.post("/users/{user_id}/two-factor/reset", response={204: None})
def user_two_factor_reset(
    request: HttpRequest, user_id: int, payload: TwoFactorResetIn
) -> Status[None]:
    """Remove the authenticator of a user of your agency (agency admin; lost phone): they
    set it up again at their next log-in. Their sessions and tokens end. Audited."""
    from fanous.accounts.access import Actor

    twofactor.reset(actor=Actor.of(request.user), user_id=user_id, reason=payload.reason)  # type: ignore[arg-type]
    return Status(204, None)
