"""Reading the service map (SPEC §2): a public directory of services, not case data.

Every logged-in Fanous user with a role may read it. The map holds at most a few thousand
rows per area, so the filters on JSON lists and the Arabic-variant-insensitive name search
run in Python over the rows of the database filters.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from fanous.accounts.access import Actor
from fanous.accounts.models import Agency, Area
from fanous.cases.models import Case
from fanous.core.errors import NotFoundError, PermissionDeniedError
from fanous.domain.names import normalize_name
from fanous.domain.roles import Role
from fanous.referrals.models import ServiceProvider

__all__ = [
    "ProviderFilter",
    "areas_sharing_sop",
    "area_and_descendants",
    "provider_get",
    "provider_list_for",
    "providers_for_case",
    "require_reader",
]


@dataclass(frozen=True)
class ProviderFilter:
    q: str | None = None
    sector: str | None = None
    service_type: str | None = None
    area: str | None = None  # area code: the area and the areas inside it
    language: str | None = None
    accepts_from: str | None = None  # agency code
    in_app: bool | None = None
    active: bool | None = True  # None: active and inactive
    agency: str | None = None  # agency code of the organisation running the service


def require_reader(actor: Actor) -> None:
    """Anyone logged in with a role may read the map; a deactivated account may not."""
    try:
        Role(actor.user.role)
    except ValueError:
        raise PermissionDeniedError(
            "Your account has no role in Fanous. Ask your agency's focal point."
        ) from None
    if not actor.user.is_active:
        raise PermissionDeniedError(
            "Your account has no role in Fanous. Ask your agency's focal point."
        )


def area_and_descendants(area: Area) -> set[UUID]:
    """The area and every area below it (the tree is small: a country's districts)."""
    children: dict[UUID | None, list[UUID]] = {}
    for pk, parent in Area.objects.values_list("pk", "parent_id"):
        children.setdefault(parent, []).append(pk)
    found = {area.pk}
    todo = [area.pk]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def areas_sharing_sop(area: Area) -> set[UUID]:
    """Areas under the same SOP as ``area`` (same Area.sop_area())."""
    root = area.sop_area()
    return {a.pk for a in Area.objects.select_related("parent") if a.sop_area().pk == root.pk}


def _accepts(provider: ServiceProvider, agency_code: str) -> bool:
    allowed = provider.accepts_from or []
    return not allowed or agency_code in allowed


def _name_keys(provider: ServiceProvider) -> str:
    return " | ".join(
        normalize_name(n) for n in (provider.name_ar, provider.name_en, provider.name_fr) if n
    )


def _matches_query(provider: ServiceProvider, key: str) -> bool:
    names = _name_keys(provider)
    return all(token in names for token in key.split())


def provider_list_for(actor: Actor, filters: ProviderFilter | None = None) -> list[ServiceProvider]:
    """The service map, filtered; ordered by sector, then name."""
    require_reader(actor)
    f = filters or ProviderFilter()
    qs = ServiceProvider.objects.select_related("agency", "area")
    if f.active is not None:
        qs = qs.filter(is_active=f.active)
    if f.in_app is not None:
        qs = qs.filter(in_app=f.in_app)
    if f.sector:
        qs = qs.filter(sector=f.sector)
    if f.agency:
        qs = qs.filter(agency__code=f.agency)
    if f.area:
        area = Area.objects.filter(code=f.area).first()
        if area is None:
            return []
        qs = qs.filter(area_id__in=area_and_descendants(area))
    rows: Iterable[ServiceProvider] = qs.order_by("sector", "name_ar", "id")
    if f.service_type:
        rows = [p for p in rows if f.service_type in (p.service_types or [])]
    if f.language:
        rows = [p for p in rows if f.language in (p.languages or [])]
    if f.accepts_from:
        rows = [p for p in rows if _accepts(p, f.accepts_from)]
    key = normalize_name(f.q or "")
    if key:
        rows = [p for p in rows if _matches_query(p, key)]
    return list(rows)


def provider_get(*, actor: Actor, provider_id: UUID) -> ServiceProvider:
    require_reader(actor)
    provider = (
        ServiceProvider.objects.select_related("agency", "area").filter(pk=provider_id).first()
    )
    if provider is None:
        raise NotFoundError("No service with this identifier is on the service map.")
    return provider


def providers_for(
    *, area: Area, agency: Agency, service_types: Iterable[str]
) -> list[ServiceProvider]:
    """Active services of these types under the area's SOP that take the agency's referrals.

    The area's own services first, then those whose capacity is known, then by name.
    """
    wanted = set(service_types)
    rows = [
        p
        for p in ServiceProvider.objects.select_related("agency", "area").filter(
            is_active=True, area_id__in=areas_sharing_sop(area)
        )
        if wanted & set(p.service_types or []) and _accepts(p, agency.code)
    ]
    rows.sort(
        key=lambda p: (
            p.area_id != area.pk,
            p.capacity is None,
            p.capacity == 0,  # full services last among the known
            normalize_name(p.name_ar),
        )
    )
    return rows


def providers_for_case(case: Case, service_type: str) -> list[ServiceProvider]:
    """Active providers of ``service_type`` for the case: same SOP area, take its agency."""
    return providers_for(area=case.area, agency=case.agency, service_types=[service_type])
