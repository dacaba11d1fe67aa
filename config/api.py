"""The API root: /api/v1/. Routers live in each app's api.py."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext, gettext_noop
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyCookie, HttpBearer

from fanous.accounts.models import ApiToken
from fanous.core.errors import ServiceError, error_payload
from fanous.domain.errors import DomainError


class BearerAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = ApiToken.lookup(token)
        if found is None or not found.user.is_active:
            return None
        request.user = found.user
        return found.user


class SessionAuth(APIKeyCookie):
    """The web app's session; unsafe methods need the CSRF token (ninja checks it)."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return user
        return None


# Every operation can answer these, through the exception handlers below (a refusal of the
# services, of the access rules or of request validation): the schema says so once, here, in
# the shape the handlers give (schemathesis checks that every answer is documented).
ERROR_RESPONSES = {
    "401": "Not logged in, or the token expired.",
    "403": "The role or the part played on the record does not allow this.",
    "404": "Nothing with this identifier is visible to you (need to know).",
    "409": "The record changed since the version sent, or its step does not allow this.",
    "422": "A field or a rule refused the request; `reasons` says which.",
}
ERROR_SCHEMA: dict[str, Any] = {
    "title": "Error",
    "type": "object",
    "required": ["code", "message", "reasons"],
    "properties": {
        "code": {"type": "string"},
        "message": {"type": "string"},
        "reasons": {
            "type": "array",
            "items": {"type": "object", "additionalProperties": {"type": "string"}},
        },
    },
}


class FanousAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        content = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                for status, description in ERROR_RESPONSES.items():
                    responses.setdefault(status, {"description": description, "content": content})
        return schema


api = FanousAPI(
    title="Fanous API",
    version="1",
    description=(
        "Inter-agency child protection case management (child labour). Every list and read is "
        "scoped to what the authenticated user may see; updates carry the version they are "
        "based on and a stale one is refused with 409."
    ),
    auth=[BearerAuth(), SessionAuth()],
    urls_namespace="api",
)

# Error codes whose refusal is about who asks, or about the case's current step.
_FORBIDDEN = {
    "role_not_allowed",
    "not_supervisor_of_case",
    "not_assigned",
    "referral_side_not_allowed",
    "transfer_side_not_allowed",
}
_CONFLICT = {
    "transition_not_allowed",
    "referral_transition_not_allowed",
    "transfer_transition_not_allowed",
}


def _domain_status(exc: DomainError) -> int:
    codes = {r.code for r in exc.reasons} or {exc.code}
    if codes & _FORBIDDEN:
        return 403
    if codes <= _CONFLICT or exc.code in _CONFLICT:
        return 409
    return 422


@api.exception_handler(ServiceError)
def _service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    return api.create_response(request, error_payload(exc), status=exc.status)


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return api.create_response(request, error_payload(exc), status=_domain_status(exc))


_PYDANTIC_MESSAGES = {
    "missing": gettext_noop("This field is required."),
    "string_too_long": gettext_noop("This text is too long (at most %(max_length)s characters)."),
    "string_too_short": gettext_noop("This field cannot be empty."),
    "too_long": gettext_noop("Too many items (at most %(max_length)s)."),
    "string_pattern_mismatch": gettext_noop("This code is not valid."),
    "literal_error": gettext_noop("Unknown value. Allowed: %(expected)s."),
    "enum": gettext_noop("Unknown value. Allowed: %(expected)s."),
    "date_from_datetime_parsing": gettext_noop("Enter a date as YYYY-MM-DD."),
    "date_parsing": gettext_noop("Enter a date as YYYY-MM-DD."),
    "date_from_datetime_inexact": gettext_noop("Enter a date as YYYY-MM-DD."),
    "int_parsing": gettext_noop("Enter a whole number."),
    "int_type": gettext_noop("Enter a whole number."),
    "bool_parsing": gettext_noop("Enter true or false."),
    "bool_type": gettext_noop("Enter true or false."),
    "uuid_parsing": gettext_noop("Enter a valid UUID."),
    "uuid_type": gettext_noop("Enter a valid UUID."),
    "greater_than_equal": gettext_noop("The value must be at least %(ge)s."),
    "less_than_equal": gettext_noop("The value must be at most %(le)s."),
    "json_invalid": gettext_noop("The request body is not valid JSON."),
    "model_attributes_type": gettext_noop("The request body must be a JSON object."),
    "dict_type": gettext_noop("Expected an object."),
    "list_type": gettext_noop("Expected a list."),
    "string_type": gettext_noop("Expected text."),
}


def _translate_pydantic(err: dict[str, Any]) -> dict[str, Any]:
    msgid = _PYDANTIC_MESSAGES.get(err.get("type", ""))
    ctx = {k: v for k, v in (err.get("ctx") or {}).items() if isinstance(v, str | int | float)}
    if msgid:
        try:
            message = gettext(msgid) % ctx if "%(" in msgid else gettext(msgid)
        except (KeyError, ValueError, TypeError):
            message = gettext(msgid)
    else:
        message = gettext("This value is not valid.")
    loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "payload")]
    return {"field": ".".join(loc), "code": err.get("type", "invalid"), "message": message}


@api.exception_handler(NinjaValidationError)
def _validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = [_translate_pydantic(e) for e in exc.errors]
    payload = {
        "code": "invalid",
        "message": gettext("Some fields are not valid. Correct them and send again."),
        "reasons": errors,
    }
    return api.create_response(request, payload, status=422)


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    payload = {"code": "unauthenticated", "message": gettext("Log in first."), "reasons": []}
    return api.create_response(request, payload, status=401)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    payload = {
        "code": "not_found",
        "message": gettext("Nothing with this identifier is visible to you."),
        "reasons": [],
    }
    return api.create_response(request, payload, status=404)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    payload = {"code": "error", "message": str(exc), "reasons": []}
    return api.create_response(request, payload, status=exc.status_code)


def _register_routers() -> None:
    from fanous.accounts.api import router as accounts_router
    from fanous.cases.api import router as cases_router
    from fanous.exports.api import router as exports_router
    from fanous.notifications.api import router as notifications_router
    from fanous.protection.api import router as access_router
    from fanous.referrals.api import (
        cash_router,
        providers_router,
        referrals_router,
        transfers_router,
    )
    from fanous.reports.api import router as reports_router
    from fanous.sop.api import router as sop_router

    api.add_router("/", accounts_router)
    api.add_router("/sop", sop_router)
    api.add_router("/cases", cases_router)
    api.add_router("/services", providers_router)
    api.add_router("/referrals", referrals_router)
    api.add_router("/transfers", transfers_router)
    api.add_router("/cash", cash_router)
    api.add_router("/notifications", notifications_router)
    api.add_router("/reports", reports_router)
    api.add_router("/exports", exports_router)
    api.add_router("/access", access_router)


_register_routers()
