"""Authentication endpoints."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import Field

from fanous.accounts.models import ApiToken, User
from fanous.audit.models import Event
from fanous.audit.services import record
from fanous.core.errors import ServiceError, error_payload

router = Router(tags=["auth"])


class TokenIn(Schema):
    username: str = Field(..., max_length=150)
    password: str = Field(..., max_length=256)


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


@router.post("/auth/token", auth=None, response={200: TokenOut, 401: ErrorOut})
def token_create(request: HttpRequest, payload: TokenIn) -> Status[object]:
    """Exchange a username and password for a bearer token."""
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None or not user.is_active:
        refusal = BadCredentials("The username or password is wrong. Check them and try again.")
        return Status(401, error_payload(refusal))
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
