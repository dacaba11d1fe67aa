"""TOTP two-factor authentication (RFC 6238): enrolment, verification, recovery codes.

The secret is generated here, shown once as a QR code and as text while the user enrols,
then kept sealed (AES-256-GCM under the encryption keyring kept outside the database,
fanous.core.crypto) and never shown again. A code is accepted once: the time step of the
last accepted code is kept.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
import time
from typing import Any
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from fanous.accounts.access import Actor
from fanous.accounts.models import ApiToken, User
from fanous.accounts.models_auth import RecoveryCode, TwoFactorDevice
from fanous.accounts.permissions import Permission
from fanous.audit.models import Event
from fanous.audit.services import record
from fanous.core import crypto
from fanous.core.errors import NotFoundError, ValidationFailed

PERIOD = 30
DIGITS = 6
RECOVERY_CODES = 10

# Session keys. STATE is "verified" (second factor passed), "none" (no second factor for
# this user), "pending" (enrolled, code not yet given) or "setup" (must enrol first).
STATE = "_fanous_2fa"
PENDING_SECRET = "_fanous_2fa_pending_secret"


# --- RFC 6238 -------------------------------------------------------------------------


def new_secret() -> str:
    """160 random bits, base32 without padding (what authenticator apps expect)."""
    return base64.b32encode(secrets.token_bytes(20)).decode().rstrip("=")


def _key_bytes(secret: str) -> bytes:
    padded = secret.upper() + "=" * (-len(secret) % 8)
    return base64.b32decode(padded)


def totp(secret: str, counter: int) -> str:
    """The code of one time step (RFC 4226 dynamic truncation over HMAC-SHA1)."""
    digest = hmac.new(_key_bytes(secret), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**DIGITS).zfill(DIGITS)


def counter_at(at: float | None = None) -> int:
    return int((time.time() if at is None else at) // PERIOD)


def matching_counter(secret: str, code: str, *, after: int = 0) -> int | None:
    """The time step (now, or one step either side for clock drift) whose code this is,
    if it is later than `after` (the last one accepted)."""
    code = code.strip().replace(" ", "")
    if len(code) != DIGITS or not code.isdigit():
        return None
    now = counter_at()
    for counter in (now, now - 1, now + 1):
        if counter > after and hmac.compare_digest(totp(secret, counter), code):
            return counter
    return None


def otpauth_uri(secret: str, username: str) -> str:
    issuer = settings.FANOUS_2FA_ISSUER
    label = quote(f"{issuer}:{username}")
    query = urlencode(
        {
            "secret": secret,
            "issuer": issuer,
            "algorithm": "SHA1",
            "digits": DIGITS,
            "period": PERIOD,
        }
    )
    return f"otpauth://totp/{label}?{query}"


def qr_svg(uri: str) -> str:
    """The enrolment QR code as inline SVG (no image request, no script)."""
    import segno

    return str(segno.make(uri, error="m").svg_inline(scale=5, border=2, dark="#000", light="#fff"))


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to type into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


# --- sealing the secret ----------------------------------------------------------------


def _legacy_keys() -> list[bytes]:
    # Before encryption at rest, secrets were sealed ("v1$...") under a key derived from
    # SECRET_KEY. They are still read, and re-sealed on the keyring by `manage.py rotate_keys`
    # (or when the user enrols again).
    raw = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return [hashlib.sha256(b"fanous.2fa.seal:" + str(k).encode()).digest() for k in raw]


def _stream(key: bytes, nonce: bytes, length: int) -> bytes:
    out = b""
    block = 0
    while len(out) < length:
        out += hmac.new(key, b"enc" + nonce + struct.pack(">I", block), hashlib.sha256).digest()
        block += 1
    return out[:length]


def seal(plain: str) -> str:
    """AES-256-GCM under the keyring's primary key (fanous.core.crypto), kept outside the DB."""
    return crypto.seal(plain)


def unseal(sealed: str) -> str:
    if crypto.is_token(sealed):
        return crypto.unseal(sealed)
    raw = base64.urlsafe_b64decode(sealed.removeprefix("v1$").encode())
    nonce, body, tag = raw[:16], raw[16:-16], raw[-16:]
    for key in _legacy_keys():
        expected = hmac.new(key, b"mac" + nonce + body, hashlib.sha256).digest()[:16]
        if hmac.compare_digest(expected, tag):
            stream = _stream(key, nonce, len(body))
            return bytes(a ^ b for a, b in zip(body, stream, strict=True)).decode()
    raise ValueError("the two-factor secret cannot be unsealed with the keys configured")


# --- recovery codes --------------------------------------------------------------------


def _recovery_hash(user: User, code: str) -> str:
    normal = code.strip().lower().replace("-", "").replace(" ", "")
    message = f"{user.pk}:{normal}".encode()
    return hmac.new(_legacy_keys()[0], b"recovery:" + message, hashlib.sha256).hexdigest()


def _new_recovery_code() -> str:
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    raw = "".join(secrets.choice(alphabet) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


@transaction.atomic
def recovery_codes_issue(user: User) -> list[str]:
    """Ten new one-time codes; the old ones stop working. Shown once, stored hashed."""
    RecoveryCode.objects.filter(user=user).delete()
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODES)]
    RecoveryCode.objects.bulk_create(
        [RecoveryCode(user=user, code_hash=_recovery_hash(user, c)) for c in codes]
    )
    return codes


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


# --- who needs what --------------------------------------------------------------------


def is_enrolled(user: Any) -> bool:
    return TwoFactorDevice.objects.filter(user_id=user.pk).exists()


def is_required(user: Any) -> bool:
    """Two-factor is required for this user's role (when the setting turns it on)."""
    return bool(settings.FANOUS_REQUIRE_2FA) and (
        getattr(user, "role", "") in settings.FANOUS_2FA_REQUIRED_ROLES
    )


# --- writes ----------------------------------------------------------------------------


@transaction.atomic
def enrol(*, user: User, secret: str, code: str) -> list[str] | None:
    """Confirm an authenticator with a code of the secret shown; returns the recovery codes
    (to show once), or None when the code is wrong."""
    counter = matching_counter(secret, code)
    if counter is None:
        return None
    TwoFactorDevice.objects.filter(user=user).delete()
    device = TwoFactorDevice.objects.create(
        user=user, secret_sealed=seal(secret), confirmed_at=timezone.now(), last_counter=counter
    )
    codes = recovery_codes_issue(user)
    record(actor=user, action=Event.Action.UPDATE, obj=device, summary="two-factor enrolled")
    return codes


@transaction.atomic
def verify(*, user: Any, code: str) -> bool:
    """A current authenticator code not used before, or an unused recovery code."""
    device = TwoFactorDevice.objects.select_for_update().filter(user_id=user.pk).first()
    if device is None:
        return False
    counter = matching_counter(unseal(device.secret_sealed), code, after=device.last_counter)
    if counter is not None:
        device.last_counter = counter
        device.save(update_fields=["last_counter"])
        return True
    spent = (
        RecoveryCode.objects.select_for_update()
        .filter(user_id=user.pk, code_hash=_recovery_hash(user, code), used_at__isnull=True)
        .first()
    )
    if spent is None:
        return False
    spent.used_at = timezone.now()
    spent.save(update_fields=["used_at"])
    record(actor=user, action=Event.Action.LOGIN, obj=spent, summary="recovery code used")
    return True


@transaction.atomic
def disable(*, user: User) -> None:
    """The user turns their own second factor off (only where it is optional)."""
    if is_required(user):
        raise ValidationFailed(
            "Two-factor authentication is required for your role.", code="two_factor_required"
        )
    TwoFactorDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
    record(actor=user, action=Event.Action.UPDATE, obj=user, summary="two-factor turned off")


@transaction.atomic
def reset(*, actor: Actor, user_id: int, reason: str) -> User:
    """An agency focal point removes a colleague's authenticator (a lost phone): the
    colleague enrols again at their next log-in. Their sessions and tokens end."""
    actor.require(Permission.USERS_MANAGE)
    if actor.agency_id is None:
        raise NotFoundError("No user with this identifier in your agency.")
    user = User.objects.filter(pk=user_id, agency_id=actor.agency_id).first()
    if user is None:
        raise NotFoundError("No user with this identifier in your agency.")
    if not reason.strip():
        raise ValidationFailed(
            "Say why the two-factor authentication is reset.", code="reason_required"
        )
    if user.pk == actor.id:
        raise ValidationFailed(
            "You cannot reset your own two-factor authentication.", code="self_reset"
        )
    TwoFactorDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
    end_all_sessions(user=user, by=actor.user)
    record(
        actor=actor.user,
        action=Event.Action.UPDATE,
        obj=user,
        changes={"two_factor": ["enrolled", None], "reason": [None, reason.strip()]},
        summary="two-factor reset",
    )
    return user


def end_all_sessions(*, user: Any, by: Any) -> int:
    """Delete every session of the user and revoke their API tokens (log out everywhere)."""
    now = timezone.now()
    ended = [
        s.session_key
        for s in Session.objects.filter(expire_date__gt=now).iterator()
        if str(s.get_decoded().get("_auth_user_id")) == str(user.pk)
    ]
    Session.objects.filter(session_key__in=ended).delete()
    revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
    record(
        actor=by,
        action=Event.Action.LOGIN,
        obj=user,
        changes={"sessions": len(ended), "tokens": revoked},
        summary="logged out everywhere",
    )
    return len(ended)


# --- the session -----------------------------------------------------------------------


def session_start(request: HttpRequest, user: Any) -> str:
    """After the password: what the session still needs before case data."""
    if is_enrolled(user):
        state = "pending"
    elif is_required(user):
        state = "setup"
    else:
        state = "none"
    request.session[STATE] = state
    return state


def session_state(request: HttpRequest) -> str:
    """The session's second-factor state. A session opened elsewhere (the admin site's
    log-in, a test's force_login) is checked against the database on each request."""
    user = request.user
    state = str(request.session.get(STATE) or "")
    if state == "verified":
        return state
    if state == "none":
        return "setup" if is_required(user) else "none"
    if state in ("pending", "setup", ""):
        if is_enrolled(user):
            return "pending"
        return "setup" if is_required(user) else "none"
    return "pending"


def session_verified(request: HttpRequest) -> None:
    request.session.cycle_key()
    request.session[STATE] = "verified"
    request.session.pop(PENDING_SECRET, None)


def mark_session_on_login(sender: Any, request: HttpRequest | None, user: Any, **_: Any) -> None:
    """user_logged_in receiver: the session's second-factor state from the start."""
    if request is not None and hasattr(request, "session"):
        session_start(request, user)
