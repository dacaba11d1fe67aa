"""Errors the service layer raises; both doors (API and UI) turn them into messages.

Domain messages are English msgids (marked with gettext_noop in fanous.domain); they are
translated here, at the edge, into the language of the request.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.translation import gettext

from fanous.domain.errors import DomainError, Reason
from fanous.domain.referrals import (
    CashStatus,
    ReferralAction,
    ReferralStatus,
    Side,
    TransferAction,
    TransferStatus,
)
from fanous.domain.roles import Role
from fanous.domain.sop import RiskLevel
from fanous.domain.workflow import Action, CaseStatus

__all__ = [
    "ConflictError",
    "DomainError",
    "NotFoundError",
    "PermissionDeniedError",
    "Reason",
    "ValidationFailed",
    "error_payload",
    "translate",
]


def _label(name: str, value: Any) -> Any:
    """A code named in a message (status, action, role, level) shown as its translated label."""
    enum = _LABELLED.get(name)
    if enum is None or not isinstance(value, str):
        return value
    try:
        return gettext(enum(value).label)
    except ValueError:
        return value


_LABELLED: dict[str, Any] = {
    "status": CaseStatus,
    "action": Action,
    "role": Role,
    "level": RiskLevel,
    "referral_status": ReferralStatus,
    "referral_action": ReferralAction,
    "side": Side,
    "transfer_status": TransferStatus,
    "transfer_action": TransferAction,
    "cash_status": CashStatus,
}


def translate(message: str, params: Mapping[str, Any] | None = None) -> str:
    text = gettext(message)
    if params:
        try:
            return text % {k: _label(k, v) for k, v in params.items()}
        except (KeyError, TypeError, ValueError):
            return text
    return text


class ServiceError(Exception):
    status = 400
    code = "error"

    def __init__(
        self,
        message: str,
        params: Mapping[str, Any] | None = None,
        *,
        code: str | None = None,
        reasons: Sequence[Reason] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.params = dict(params or {})
        if code:
            self.code = code
        self.reasons = tuple(reasons)


class ValidationFailed(ServiceError):
    status = 422
    code = "invalid"


class ConflictError(ServiceError):
    status = 409
    code = "conflict"


class PermissionDeniedError(ServiceError):
    status = 403
    code = "forbidden"


class NotFoundError(ServiceError):
    """Also used when the record exists but the user may not know it does."""

    status = 404
    code = "not_found"


def error_payload(exc: ServiceError | DomainError) -> dict[str, Any]:
    return {
        "code": exc.code,
        "message": translate(exc.message, exc.params),
        "reasons": [
            {
                "code": r.code,
                "message": translate(r.message, r.params),
                # Where the problem is (an SOP refusal's location), as request validation says.
                **({"field": str(r.params["location"])} if "location" in r.params else {}),
            }
            for r in exc.reasons
        ],
    }
