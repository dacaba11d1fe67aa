"""Service map and referral pathway endpoints (SPEC §2, §8, §12), at /api/v1/services."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from fanous.accounts.access import Actor
from fanous.accounts.models import Area
from fanous.cases.selectors import case_get
from fanous.core.errors import NotFoundError, translate
from fanous.domain.sop.referrals import ReferralPolicy
from fanous.referrals.models import ServiceProvider
from fanous.referrals.schemas import providers as s
from fanous.referrals.selectors import pathways as pathway_selectors
from fanous.referrals.selectors import providers as selectors
from fanous.referrals.selectors.providers_export import providers_export_xlsx
from fanous.referrals.services import pathways as pathway_services
from fanous.referrals.services import providers as services
from fanous.referrals.services.providers_import import ImportResult, provider_import
from fanous.sop.selectors import active_sop

router = Router(tags=["providers"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _lang() -> str:
    return (get_language() or "ar")[:2]


class Policies:
    """The referrals annex in force per area, looked up once per request."""

    def __init__(self) -> None:
        self._by_area: dict[Any, ReferralPolicy | None] = {}

    def of(self, area: Area) -> ReferralPolicy | None:
        if area.pk not in self._by_area:
            try:
                self._by_area[area.pk] = active_sop(area)[1].referrals
            except NotFoundError:  # no SOP in force: codes shown as they are
                self._by_area[area.pk] = None
        return self._by_area[area.pk]


def provider_out(p: ServiceProvider, policies: Policies | None = None) -> dict[str, Any]:
    lang = _lang()
    policy = (policies or Policies()).of(p.area)
    sector = next((x for x in policy.sectors if x.code == p.sector), None) if policy else None

    def st_label(code: str) -> str:
        st = policy.service_type(code) if policy else None
        return st.label.get(lang) if st else code

    return {
        "id": p.id,
        "version": p.version,
        "agency": p.agency.code,
        "agency_name": p.agency.name(lang),
        "area": p.area.code,
        "area_name": p.area.name(lang),
        "name": p.name(lang),
        "name_ar": p.name_ar,
        "name_en": p.name_en,
        "name_fr": p.name_fr,
        "sector": p.sector,
        "sector_label": sector.label.get(lang) if sector else p.sector,
        "service_types": list(p.service_types or []),
        "service_type_labels": [st_label(c) for c in p.service_types or []],
        "address": p.address,
        "phone": p.phone,
        "email": p.email,
        "contact_person": p.contact_person,
        "languages": list(p.languages or []),
        "opening_hours": p.opening_hours,
        "eligibility": p.eligibility,
        "accepts_from": list(p.accepts_from or []),
        "capacity": p.capacity,
        "in_app": p.in_app,
        "is_active": p.is_active,
        "notes": p.notes,
        "updated_at": p.updated_at,
    }


class ProviderQuery(Schema):
    q: str | None = Field(None, max_length=100)
    sector: str | None = Field(None, max_length=64)
    service_type: str | None = Field(None, max_length=64)
    area: str | None = Field(None, max_length=32)
    language: str | None = Field(None, max_length=3)
    accepts_from: str | None = Field(None, max_length=32)
    agency: str | None = Field(None, max_length=32)
    in_app: bool | None = None
    active: bool | None = Field(True, description="false: inactive only; omit with all=true")
    all: bool = Field(False, description="Active and inactive services")
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0)

    def to_filter(self) -> selectors.ProviderFilter:
        return selectors.ProviderFilter(
            q=self.q,
            sector=self.sector,
            service_type=self.service_type,
            area=self.area,
            language=self.language,
            accepts_from=self.accepts_from,
            agency=self.agency,
            in_app=self.in_app,
            active=None if self.all else self.active,
        )


@router.get("", response=s.ProviderListOut)
def provider_list(request: HttpRequest, filters: Query[ProviderQuery]) -> dict[str, Any]:
    """The service map: every logged-in user may read it (a directory, not case data)."""
    rows = selectors.provider_list_for(Actor.of_request(request), filters.to_filter())
    policies = Policies()
    page = rows[filters.offset : filters.offset + filters.limit]
    return {
        "count": len(rows),
        "limit": filters.limit,
        "offset": filters.offset,
        "items": [provider_out(p, policies) for p in page],
    }


@router.get("/export.xlsx")
def provider_export(request: HttpRequest, filters: Query[ProviderQuery]) -> HttpResponse:
    """The (filtered) service map as .xlsx, headers in the user's language, re-importable."""
    actor = Actor.of_request(request)
    user_area = actor.user.agency.area if actor.user.agency else None
    policy = Policies().of(user_area) if user_area else None
    # Headers in the user's own language (as in the web app), whatever the client sends.
    lang = actor.user.language or _lang()
    content = providers_export_xlsx(
        actor=actor, filters=filters.to_filter(), lang=lang, policy=policy
    )
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="service-map.xlsx"'
    return response


def import_out(result: ImportResult, dry_run: bool) -> dict[str, Any]:
    def reasons(items: Any) -> list[dict[str, str]]:
        return [{"code": r.code, "message": translate(r.message, r.params)} for r in items]

    return {
        "valid": result.valid,
        "saved": result.saved,
        "dry_run": dry_run,
        "created": result.count("create"),
        "updated": result.count("update"),
        "unchanged": result.count("unchanged"),
        "problems": reasons(result.problems),
        "rows": [
            {
                "row": r.number,
                "id": r.provider_id,
                "action": r.action,
                "name_ar": r.data.name_ar if r.data else "",
                "changed": r.changed,
                "errors": reasons(r.reasons),
            }
            for r in result.rows
        ],
    }


@router.post("/import", response={200: s.ImportOut, 422: s.ImportOut})
def provider_import_xlsx(
    request: HttpRequest, file: File[UploadedFile], dry_run: Form[bool] = False
) -> Status[dict[str, Any]]:
    """Import an .xlsx (the export's columns). Every row is checked; one invalid row and
    nothing is saved (422). With ``dry_run`` nothing is saved either: the preview."""
    result = provider_import(actor=Actor.of_request(request), content=file.read(), dry_run=dry_run)
    return Status(200 if result.valid else 422, import_out(result, dry_run))


def pathways_out(case_id: UUID, pw: pathway_selectors.Pathways) -> dict[str, Any]:
    lang = _lang()
    return {
        "case_id": case_id,
        "sop_version": pw.sop_row.version if pw.sop_row else None,
        "needs": [
            {
                "need": n.code,
                "label": n.need.label.get(lang),
                "urgent": n.need.urgent,
                "from_assessment": n.from_assessment,
                "from_plan": n.from_plan,
                "gap": n.gap,
                "gap_recorded": n.gap_recorded,
                "service_types": [
                    {
                        "service_type": o.service_type.code,
                        "label": o.service_type.label.get(lang),
                        "providers": [
                            {
                                "id": p.id,
                                "name": p.name(lang),
                                "agency": p.agency.code,
                                "area": p.area.code,
                                "capacity": p.capacity,
                                "in_app": p.in_app,
                                "phone": p.phone,
                            }
                            for p in o.providers
                        ],
                    }
                    for o in n.options
                ],
            }
            for n in pw.needs
        ],
        "gaps": [n.code for n in pw.gaps],
    }


@router.get("/pathways", response=s.PathwaysOut)
def case_pathways(request: HttpRequest, case_id: UUID) -> dict[str, Any]:
    """The services proposed for each need of a case, and its gaps (404: case not visible)."""
    actor = Actor.of_request(request)
    case = case_get(actor=actor, case_id=case_id)
    return pathways_out(case.id, pathway_selectors.pathway_proposals(case, actor=actor))


@router.post("/pathways/gaps", response={200: list[s.GapOut], 201: list[s.GapOut]})
def case_gaps_record(request: HttpRequest, payload: s.GapRecordIn) -> Status[list[dict[str, Any]]]:
    """Record the case's service gaps for advocacy; once per need while it stays open."""
    gaps = pathway_services.service_gap_record(
        actor=Actor.of_request(request), case_id=payload.case_id
    )
    return Status(
        201 if gaps else 200,
        [
            {
                "id": g.id,
                "need": g.need,
                "service_types": g.service_types,
                "noted_on": g.noted_on.isoformat(),
            }
            for g in gaps
        ],
    )


@router.get("/{provider_id}", response=s.ProviderOut)
def provider_get(request: HttpRequest, provider_id: UUID) -> dict[str, Any]:
    return provider_out(
        selectors.provider_get(actor=Actor.of_request(request), provider_id=provider_id)
    )


def _data(payload: s.ProviderIn) -> services.ProviderData:
    body = payload.dict(exclude={"id"})
    for name in ("service_types", "languages", "accepts_from"):
        body[name] = tuple(body[name])
    return services.ProviderData(**body)


@router.post("", response={200: s.ProviderOut, 201: s.ProviderOut})
def provider_create(request: HttpRequest, payload: s.ProviderIn) -> Status[dict[str, Any]]:
    """Put a service on the map (agency admin: own agency; coordinator: any). Idempotent by id."""
    provider, created = services.provider_create(
        actor=Actor.of_request(request), data=_data(payload), provider_id=payload.id
    )
    return Status(201 if created else 200, provider_out(provider))


@router.patch("/{provider_id}", response=s.ProviderOut)
def provider_update(
    request: HttpRequest, provider_id: UUID, payload: s.ProviderPatchIn
) -> dict[str, Any]:
    """Change a service; only the fields sent change. A stale ``version`` gets 409."""
    actor = Actor.of_request(request)
    current = selectors.provider_get(actor=actor, provider_id=provider_id)
    data = services.provider_data_of(current)
    changes = payload.dict(exclude={"version", "capacity_unknown"}, exclude_unset=True)
    for name in ("service_types", "languages", "accepts_from"):
        if changes.get(name) is not None:
            changes[name] = tuple(changes[name])
    changes = {k: v for k, v in changes.items() if v is not None or k == "capacity"}
    if payload.capacity_unknown:
        changes["capacity"] = None
    provider = services.provider_update(
        actor=actor,
        provider_id=provider_id,
        expected_version=payload.version,
        data=replace(data, **changes),
    )
    return provider_out(provider)


@router.post("/{provider_id}/deactivate", response=s.ProviderOut)
def provider_deactivate(request: HttpRequest, provider_id: UUID, payload: s.VersionIn) -> Any:
    """Take a service off the map; referrals already sent to it keep it."""
    provider = services.provider_deactivate(
        actor=Actor.of_request(request), provider_id=provider_id, expected_version=payload.version
    )
    return provider_out(provider)
