"""Maintaining the service map (SPEC §2): agency admins for their agency, the coordinator for all.

The map is an annex of the SOP: a service's sector and service types must be codes of the
referrals annex of the SOP in force where the service works.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from fanous.accounts.access import Actor
from fanous.accounts.models import Agency, Area
from fanous.accounts.permissions import Permission
from fanous.audit.models import Event
from fanous.audit.services import diff, record, snapshot
from fanous.core.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ValidationFailed,
)
from fanous.domain.errors import Reason
from fanous.domain.roles import Role
from fanous.domain.sop.referrals import ReferralPolicy
from fanous.referrals.models import ServiceGap, ServiceProvider
from fanous.referrals.selectors.providers import areas_sharing_sop
from fanous.sop.models import SopVersion
from fanous.sop.selectors import active_sop

__all__ = [
    "FIELDS",
    "ProviderData",
    "Resolved",
    "provider_check",
    "provider_create",
    "provider_deactivate",
    "provider_update",
]

# Fields whose changes are written to the history (old -> new).
FIELDS = (
    "agency_id",
    "area_id",
    "name_ar",
    "name_en",
    "name_fr",
    "sector",
    "service_types",
    "address",
    "phone",
    "email",
    "contact_person",
    "languages",
    "opening_hours",
    "eligibility",
    "accepts_from",
    "capacity",
    "in_app",
    "is_active",
    "notes",
)

_LANGUAGE = re.compile(r"^[a-z]{2,3}$")


@dataclass(frozen=True)
class ProviderData:
    """A service as written by a manager, the API or an XLSX row (codes, not rows)."""

    agency: str  # agency code
    area: str  # area code
    name_ar: str
    sector: str
    service_types: tuple[str, ...]
    name_en: str = ""
    name_fr: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    contact_person: str = ""
    languages: tuple[str, ...] = ()
    opening_hours: str = ""
    eligibility: str = ""
    accepts_from: tuple[str, ...] = ()
    capacity: int | None = None
    in_app: bool = True
    is_active: bool = True
    notes: str = ""


@dataclass
class Resolved:
    """A checked ProviderData: its rows, its SOP version, and what is wrong with it."""

    agency: Agency | None = None
    area: Area | None = None
    sop_row: SopVersion | None = None
    reasons: list[Reason] = field(default_factory=list)


def _reason(reason_code: str, message: str, **params: object) -> Reason:
    return Reason(reason_code, message, params)


def _policy(area: Area) -> tuple[SopVersion | None, ReferralPolicy | None]:
    try:
        row, sop = active_sop(area)
    except NotFoundError:
        return None, None
    return row, sop.referrals


def provider_check(actor: Actor, data: ProviderData) -> Resolved:
    """Everything wrong with ``data``, as reasons (nothing is raised, nothing saved).

    Shared by the forms, the API and the XLSX import so that each door refuses the same rows.
    """
    out = Resolved()
    problem = out.reasons.append
    out.agency = Agency.objects.filter(code=data.agency.strip()).first() if data.agency else None
    if out.agency is None:
        problem(
            _reason(
                "provider_agency_unknown",
                gettext_noop("Unknown agency code: %(code)s."),
                code=data.agency or "—",
            )
        )
    elif actor.role == Role.AGENCY_ADMIN and out.agency.pk != actor.agency_id:
        problem(
            _reason(
                "provider_agency_not_yours",
                gettext_noop("You can only manage the services of your own agency (not %(code)s)."),
                code=out.agency.code,
            )
        )
    out.area = Area.objects.filter(code=data.area.strip()).first() if data.area else None
    if out.area is None:
        problem(
            _reason(
                "provider_area_unknown",
                gettext_noop("Unknown area code: %(code)s."),
                code=data.area or "—",
            )
        )
    if not data.name_ar.strip():
        problem(
            _reason(
                "provider_name_ar_missing",
                gettext_noop("The Arabic name is required: it is how most users find a service."),
            )
        )
    if out.area is not None:
        out.sop_row, policy = _policy(out.area)
        if policy is None:
            problem(
                _reason(
                    "provider_no_pathways",
                    gettext_noop(
                        "The SOP in force in %(area)s has no service map annex. Ask the "
                        "coordinator to publish one."
                    ),
                    area=out.area.code,
                )
            )
        else:
            if data.sector not in {s.code for s in policy.sectors}:
                problem(
                    _reason(
                        "provider_sector_unknown",
                        gettext_noop("Unknown sector code: %(code)s. Use a sector of the SOP."),
                        code=data.sector or "—",
                    )
                )
            if not data.service_types:
                problem(
                    _reason(
                        "provider_service_types_missing",
                        gettext_noop("Choose at least one service type."),
                    )
                )
            for code in data.service_types:
                if policy.service_type(code) is None:
                    problem(
                        _reason(
                            "provider_service_type_unknown",
                            gettext_noop(
                                "Unknown service type code: %(code)s. Use a service type of "
                                "the SOP."
                            ),
                            code=code,
                        )
                    )
    if data.email.strip():
        try:
            validate_email(data.email.strip())
        except DjangoValidationError:
            problem(
                _reason(
                    "provider_email_invalid",
                    gettext_noop("The email address %(email)s is not valid."),
                    email=data.email,
                )
            )
    for code in data.languages:
        if not _LANGUAGE.match(code):
            problem(
                _reason(
                    "provider_language_invalid",
                    gettext_noop(
                        "%(code)s is not a language code. Use two or three lower-case letters "
                        "(ar, en, fr, ku...)."
                    ),
                    code=code,
                )
            )
    known = set(Agency.objects.filter(code__in=data.accepts_from).values_list("code", flat=True))
    for code in data.accepts_from:
        if code not in known:
            problem(
                _reason(
                    "provider_accepts_from_unknown",
                    gettext_noop("Unknown agency code in “accepts referrals from”: %(code)s."),
                    code=code,
                )
            )
    if data.capacity is not None and data.capacity < 0:
        problem(
            _reason(
                "provider_capacity_negative",
                gettext_noop("The capacity cannot be negative. Write 0 when the service is full."),
            )
        )
    return out


def _raise_if_invalid(out: Resolved) -> None:
    if out.reasons:
        raise ValidationFailed(
            "Some fields of the service are not valid. Correct them and save again.",
            code="provider_invalid",
            reasons=out.reasons,
        )


def _require_manager(actor: Actor, provider: ServiceProvider | None = None) -> None:
    actor.require(Permission.SERVICE_MAP_MANAGE)
    if (
        provider is not None
        and actor.role == Role.AGENCY_ADMIN
        and provider.agency_id != actor.agency_id
    ):
        raise PermissionDeniedError(
            "You can only manage the services of your own agency.", code="provider_not_yours"
        )


def _apply(provider: ServiceProvider, data: ProviderData, out: Resolved) -> None:
    assert out.agency is not None
    assert out.area is not None
    provider.agency = out.agency
    provider.area = out.area
    values: dict[str, Any] = asdict(data)
    for name in (
        "name_ar",
        "name_en",
        "name_fr",
        "address",
        "phone",
        "email",
        "contact_person",
        "opening_hours",
        "eligibility",
        "notes",
    ):
        setattr(provider, name, str(values[name]).strip())
    provider.sector = data.sector
    provider.service_types = list(dict.fromkeys(data.service_types))
    provider.languages = list(dict.fromkeys(data.languages))
    provider.accepts_from = list(dict.fromkeys(data.accepts_from))
    provider.capacity = data.capacity
    provider.in_app = data.in_app
    provider.is_active = data.is_active


def _today(area: Area) -> date:
    try:
        tz = active_sop(area)[1].timezone
    except NotFoundError:
        tz = "UTC"
    return timezone.now().astimezone(ZoneInfo(tz)).date()


def resolve_gaps_for(*, actor: Actor, provider: ServiceProvider) -> list[ServiceGap]:
    """Close the open gaps this service now fills (same SOP area, takes the gap's agency)."""
    if not provider.is_active:
        return []
    offered = set(provider.service_types or [])
    allowed = set(provider.accepts_from or [])
    resolved = []
    gaps = ServiceGap.objects.select_for_update().filter(
        resolved_on__isnull=True, area_id__in=areas_sharing_sop(provider.area)
    )
    today = _today(provider.area)
    for gap in gaps.select_related("agency"):
        if not offered & set(gap.service_types or []):
            continue
        if allowed and gap.agency.code not in allowed:
            continue
        gap.resolved_on = today
        gap.version += 1
        gap.save(update_fields=["resolved_on", "version", "updated_at"])
        record(
            actor=actor.user,
            action=Event.Action.SERVICE_MAP,
            obj=gap,
            case=gap.case,
            changes={"resolved_on": [None, today], "provider": [None, provider.pk]},
            summary=f"gap {gap.need} resolved",
            sop_version=gap.sop_version.version,
        )
        resolved.append(gap)
    return resolved


def _audit(
    actor: Actor, provider: ServiceProvider, before: dict[str, Any], out: Resolved, what: str
) -> None:
    record(
        actor=actor.user,
        action=Event.Action.SERVICE_MAP,
        obj=provider,
        changes=diff(before, snapshot(provider, FIELDS)),
        summary=f"service {what}: {provider.name_ar}",
        sop_version=out.sop_row.version if out.sop_row else "",
    )


@transaction.atomic
def provider_create(
    *, actor: Actor, data: ProviderData, provider_id: UUID | None = None
) -> tuple[ServiceProvider, bool]:
    """Put a service on the map. Idempotent by ``provider_id``: a retry returns the first."""
    _require_manager(actor)
    if provider_id is not None:
        existing = ServiceProvider.objects.filter(pk=provider_id).first()
        if existing is not None:
            _require_manager(actor, existing)
            return existing, False
    out = provider_check(actor, data)
    _raise_if_invalid(out)
    provider = ServiceProvider()
    if provider_id is not None:
        provider.id = provider_id
    before = dict.fromkeys(FIELDS)
    _apply(provider, data, out)
    provider.save(force_insert=True)
    _audit(actor, provider, before, out, "created")
    resolve_gaps_for(actor=actor, provider=provider)
    return provider, True


def _load_for_update(actor: Actor, provider_id: UUID, expected_version: int) -> ServiceProvider:
    provider = (
        ServiceProvider.objects.select_for_update()
        .select_related("agency", "area")
        .filter(pk=provider_id)
        .first()
    )
    if provider is None:
        raise NotFoundError("No service with this identifier is on the service map.")
    _require_manager(actor, provider)
    if provider.version != expected_version:
        raise ConflictError(
            "This service was changed by someone else since you opened it (your version "
            "%(yours)s, current %(current)s). Reload it and apply your change again.",
            {"yours": expected_version, "current": provider.version},
        )
    return provider


def provider_data_of(provider: ServiceProvider) -> ProviderData:
    """The service as ProviderData: the starting point of a partial update."""
    return ProviderData(
        agency=provider.agency.code,
        area=provider.area.code,
        name_ar=provider.name_ar,
        name_en=provider.name_en,
        name_fr=provider.name_fr,
        sector=provider.sector,
        service_types=tuple(provider.service_types or ()),
        address=provider.address,
        phone=provider.phone,
        email=provider.email,
        contact_person=provider.contact_person,
        languages=tuple(provider.languages or ()),
        opening_hours=provider.opening_hours,
        eligibility=provider.eligibility,
        accepts_from=tuple(provider.accepts_from or ()),
        capacity=provider.capacity,
        in_app=provider.in_app,
        is_active=provider.is_active,
        notes=provider.notes,
    )


@transaction.atomic
def provider_update(
    *, actor: Actor, provider_id: UUID, expected_version: int, data: ProviderData
) -> ServiceProvider:
    """Change a service. An agency admin cannot move a service to another agency."""
    provider = _load_for_update(actor, provider_id, expected_version)
    out = provider_check(actor, data)
    _raise_if_invalid(out)
    before = snapshot(provider, FIELDS)
    _apply(provider, data, out)
    if diff(before, snapshot(provider, FIELDS)):
        provider.version += 1
        provider.save()
        _audit(actor, provider, before, out, "updated")
        resolve_gaps_for(actor=actor, provider=provider)
    return provider


@transaction.atomic
def provider_deactivate(
    *, actor: Actor, provider_id: UUID, expected_version: int
) -> ServiceProvider:
    """Take a service off the map (kept for the referrals already sent to it)."""
    provider = _load_for_update(actor, provider_id, expected_version)
    if not provider.is_active:
        return provider
    before = snapshot(provider, FIELDS)
    provider.is_active = False
    provider.version += 1
    provider.save()
    sop_row, _ = _policy(provider.area)
    _audit(actor, provider, before, Resolved(sop_row=sop_row), "deactivated")
    return provider
