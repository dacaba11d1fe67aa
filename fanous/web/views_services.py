"""The service map pages (SPEC §2): search, detail, edit, import/export, pathways, the annex.

Views parse input and call fanous.referrals selectors and services; who may change what is
decided there, whatever door the request came through.
"""

from __future__ import annotations

import base64
import uuid
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext
from django.views.decorators.http import require_POST

from fanous.accounts.access import Actor
from fanous.accounts.models import Agency, Area
from fanous.accounts.permissions import Permission
from fanous.cases import selectors as case_selectors
from fanous.core.errors import (
    ConflictError,
    NotFoundError,
    ServiceError,
    error_payload,
    translate,
)
from fanous.domain.errors import DomainError
from fanous.domain.roles import Role
from fanous.domain.sop.referrals import ReferralPolicy
from fanous.referrals.models import ServiceProvider
from fanous.referrals.selectors import pathways as pathway_selectors
from fanous.referrals.selectors import providers as selectors
from fanous.referrals.selectors.providers_export import providers_export_xlsx
from fanous.referrals.services import pathways as pathway_services
from fanous.referrals.services import providers as services
from fanous.referrals.services.providers_import import ImportResult, provider_import
from fanous.sop.models import SopVersion
from fanous.sop.selectors import active_sop, sop_of

from .forms_services import REASON_FIELDS, ImportForm, ProviderForm
from .views import actor_of

PAGE_SIZE = 25
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_SESSION_KEY = "services_import"
_MAX_UPLOAD = 5 * 1024 * 1024


def _lang() -> str:
    return (get_language() or "ar")[:2]


def _sop_row(actor: Actor) -> SopVersion | None:
    """The SOP in force where the actor works; for staff without an area, the first in force."""
    agency = (
        Agency.objects.select_related("area").filter(pk=actor.agency_id).first()
        if actor.agency_id
        else None
    )
    if agency is not None and agency.area is not None:
        try:
            return active_sop(agency.area)[0]
        except NotFoundError:
            return None
    return (
        SopVersion.objects.filter(status=SopVersion.Status.IN_FORCE)
        .select_related("area")
        .order_by("area__code")
        .first()
    )


def _policy(actor: Actor) -> tuple[SopVersion | None, ReferralPolicy | None]:
    row = _sop_row(actor)
    return (row, sop_of(row).referrals) if row else (None, None)


def _can_manage(actor: Actor, provider: ServiceProvider | None = None) -> bool:
    if not actor.can(Permission.SERVICE_MAP_MANAGE):
        return False
    if provider is not None and actor.role == Role.AGENCY_ADMIN:
        return provider.agency_id == actor.agency_id
    return True


class Labels:
    """Translated labels of the SOP's codes, for templates."""

    def __init__(self, policy: ReferralPolicy | None, lang: str) -> None:
        self.sectors = {s.code: s.label.get(lang) for s in policy.sectors} if policy else {}
        self.service_types = (
            {s.code: s.label.get(lang) for s in policy.service_types} if policy else {}
        )

    def sector(self, code: str) -> str:
        return self.sectors.get(code, code)

    def types(self, codes: list[str]) -> list[str]:
        return [self.service_types.get(c, c) for c in codes or []]


def _row(p: ServiceProvider, labels: Labels, lang: str) -> dict[str, Any]:
    return {
        "p": p,
        "name": p.name(lang),
        "sector": labels.sector(p.sector),
        "types": labels.types(p.service_types),
        "area": p.area.name(lang),
        "agency": p.agency.name(lang),
    }


def _filters(request: HttpRequest) -> selectors.ProviderFilter:
    def text(name: str, size: int = 64) -> str | None:
        return (request.GET.get(name) or "").strip()[:size] or None

    def flag(name: str) -> bool | None:
        value = request.GET.get(name, "")
        return True if value == "1" else False if value == "0" else None

    return selectors.ProviderFilter(
        q=text("q", 100),
        sector=text("sector"),
        service_type=text("service_type"),
        area=text("area", 32),
        language=text("language", 3),
        accepts_from=text("accepts_from", 32),
        agency=text("agency", 32),
        in_app=flag("in_app"),
        active=None if request.GET.get("inactive") == "1" else True,
    )


@login_required
def services_list(request: HttpRequest) -> HttpResponse:
    """The service map: search by name (any Arabic spelling) and filter; live with HTMX."""
    actor = actor_of(request)
    lang = _lang()
    filters = _filters(request)
    rows = selectors.provider_list_for(actor, filters)
    _, policy = _policy(actor)
    labels = Labels(policy, lang)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "nav": "services",
        "page": page,
        "rows": [_row(p, labels, lang) for p in page.object_list],
        "filters": filters,
        "query": query.urlencode(),
        "policy": policy,
        "sectors": [(s.code, s.label.get(lang)) for s in policy.sectors] if policy else [],
        "service_types": (
            [(s.code, s.label.get(lang)) for s in policy.service_types] if policy else []
        ),
        "areas": [(a.code, a.name(lang)) for a in Area.objects.order_by("code")],
        "agencies": [(a.code, a.name(lang)) for a in Agency.objects.order_by("code")],
        "languages": _languages(),
        "can_manage": _can_manage(actor),
    }
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "services":
        return render(request, "web/services/partials/_list.html", context)
    return render(request, "web/services/list.html", context)


def _languages() -> list[str]:
    found: set[str] = set()
    for codes in ServiceProvider.objects.values_list("languages", flat=True):
        found.update(codes or [])
    return sorted(found)


@login_required
def services_detail(request: HttpRequest, provider_id: UUID) -> HttpResponse:
    actor = actor_of(request)
    lang = _lang()
    try:
        provider = selectors.provider_get(actor=actor, provider_id=provider_id)
    except NotFoundError:
        raise Http404 from None
    policy = None
    try:
        policy = active_sop(provider.area)[1].referrals
    except NotFoundError:
        pass
    labels = Labels(policy, lang)
    accepts = list(Agency.objects.filter(code__in=provider.accepts_from or []).order_by("code"))
    return render(
        request,
        "web/services/detail.html",
        {
            "nav": "services",
            "row": _row(provider, labels, lang),
            "p": provider,
            "accepts": [a.name(lang) for a in accepts],
            "can_manage": _can_manage(actor, provider),
        },
    )


def _form(
    request: HttpRequest, actor: Actor, *, initial: dict[str, Any] | None = None
) -> ProviderForm:
    lang = _lang()
    _, policy = _policy(actor)
    all_agencies = list(Agency.objects.filter(is_active=True).order_by("code"))
    agencies = (
        [a for a in all_agencies if a.pk == actor.agency_id]
        if actor.role == Role.AGENCY_ADMIN
        else all_agencies
    )
    return ProviderForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        policy=policy,
        agencies=agencies,
        all_agencies=all_agencies,
        areas=list(Area.objects.order_by("code")),
        lang=lang,
    )


def _error(form: ProviderForm, exc: ServiceError | DomainError) -> dict[str, Any]:
    payload = error_payload(exc)
    payload["stale"] = isinstance(exc, ConflictError) and exc.code == ConflictError.code
    for reason, shown in zip(exc.reasons, payload["reasons"], strict=True):
        name = REASON_FIELDS.get(reason.code)
        if name and name in form.fields:
            form.add_error(name, shown["message"])
    return payload


def _initial_of(p: ServiceProvider) -> dict[str, Any]:
    return {
        "version": p.version,
        "agency": p.agency.code,
        "area": p.area.code,
        "name_ar": p.name_ar,
        "name_en": p.name_en,
        "name_fr": p.name_fr,
        "sector": p.sector,
        "service_types": list(p.service_types or []),
        "address": p.address,
        "phone": p.phone,
        "email": p.email,
        "contact_person": p.contact_person,
        "languages": ", ".join(p.languages or []),
        "opening_hours": p.opening_hours,
        "eligibility": p.eligibility,
        "accepts_from": list(p.accepts_from or []),
        "capacity": p.capacity,
        "in_app": p.in_app,
        "is_active": p.is_active,
        "notes": p.notes,
    }


@login_required
def services_new(request: HttpRequest) -> HttpResponse:
    """Put a service on the map (agency admins for their agency, the coordinator for any)."""
    actor = actor_of(request)
    if not _can_manage(actor):
        raise Http404
    agency = (
        Agency.objects.filter(pk=actor.agency_id).select_related("area").first()
        if actor.agency_id
        else None
    )
    form = _form(
        request,
        actor,
        initial={
            "record_id": uuid.uuid4(),
            "agency": agency.code if agency else "",
            "area": agency.area.code if agency and agency.area else "",
            "in_app": True,
            "is_active": True,
            "languages": "ar",
        },
    )
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            provider, _ = services.provider_create(
                actor=actor, data=form.data_of(), provider_id=form.cleaned_data["record_id"]
            )
        except (ServiceError, DomainError) as exc:
            error = _error(form, exc)
        else:
            messages.success(request, gettext("The service is on the service map."))
            return HttpResponseRedirect(reverse("web:services_detail", args=[provider.pk]))
    return render(
        request,
        "web/services/form.html",
        {"nav": "services", "form": form, "error": error, "provider": None},
        status=422 if error or form.errors else 200,
    )


@login_required
def services_edit(request: HttpRequest, provider_id: UUID) -> HttpResponse:
    actor = actor_of(request)
    try:
        provider = selectors.provider_get(actor=actor, provider_id=provider_id)
    except NotFoundError:
        raise Http404 from None
    if not _can_manage(actor, provider):
        raise Http404
    form = _form(request, actor, initial=_initial_of(provider))
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            services.provider_update(
                actor=actor,
                provider_id=provider.pk,
                expected_version=form.cleaned_data["version"] or 0,
                data=form.data_of(),
            )
        except (ServiceError, DomainError) as exc:
            error = _error(form, exc)
        else:
            messages.success(request, gettext("The service was saved."))
            return HttpResponseRedirect(reverse("web:services_detail", args=[provider.pk]))
    return render(
        request,
        "web/services/form.html",
        {"nav": "services", "form": form, "error": error, "provider": provider},
        status=422 if error or form.errors else 200,
    )


@login_required
@require_POST
def services_deactivate(request: HttpRequest, provider_id: UUID) -> HttpResponse:
    actor = actor_of(request)
    try:
        provider = selectors.provider_get(actor=actor, provider_id=provider_id)
    except NotFoundError:
        raise Http404 from None
    if not _can_manage(actor, provider):
        raise Http404
    version = request.POST.get("version", "")
    try:
        services.provider_deactivate(
            actor=actor,
            provider_id=provider.pk,
            expected_version=int(version) if version.isdigit() else 0,
        )
    except (ServiceError, DomainError) as exc:
        messages.error(request, error_payload(exc)["message"])
    else:
        messages.success(request, gettext("The service was taken off the service map."))
    return HttpResponseRedirect(reverse("web:services_detail", args=[provider.pk]))


@login_required
def services_export(request: HttpRequest) -> HttpResponse:
    """The filtered service map as .xlsx, headers in the user's language."""
    actor = actor_of(request)
    _, policy = _policy(actor)
    content = providers_export_xlsx(
        actor=actor, filters=_filters(request), lang=_lang(), policy=policy
    )
    response = HttpResponse(content, content_type=XLSX)
    stamp = timezone.now().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="service-map-{stamp}.xlsx"'
    return response


def _import_rows(result: ImportResult) -> list[dict[str, Any]]:
    return [
        {
            "number": r.number,
            "action": r.action,
            "name": r.data.name_ar if r.data else "",
            "changed": r.changed,
            "errors": [translate(x.message, x.params) for x in r.reasons],
        }
        for r in result.rows
    ]


@login_required
def services_import(request: HttpRequest) -> HttpResponse:
    """Upload an .xlsx: a preview with every row's errors, nothing saved; then confirm."""
    actor = actor_of(request)
    if not _can_manage(actor):
        raise Http404
    form = ImportForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"nav": "services", "form": form}
    if request.method != "POST":
        request.session.pop(_SESSION_KEY, None)
        return render(request, "web/services/import.html", context)
    confirm = request.POST.get("op") == "confirm"
    content: bytes | None = None
    if confirm:
        stored = request.session.get(_SESSION_KEY)
        content = base64.b64decode(stored) if isinstance(stored, str) else None
        if content is None:
            context["expired"] = True
            return render(request, "web/services/import.html", context, status=422)
    elif form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > _MAX_UPLOAD:
            form.add_error("file", gettext("The file is too large (at most 5 MB)."))
        else:
            content = upload.read()
    if content is None:
        return render(request, "web/services/import.html", context, status=422)
    try:
        result = provider_import(actor=actor, content=content, dry_run=not confirm)
    except (ServiceError, DomainError) as exc:
        context["error"] = error_payload(exc)
        return render(request, "web/services/import.html", context, status=422)
    if result.saved:
        request.session.pop(_SESSION_KEY, None)
        messages.success(
            request,
            gettext("Imported: %(created)s new services, %(updated)s changed.")
            % {"created": result.count("create"), "updated": result.count("update")},
        )
        return HttpResponseRedirect(reverse("web:services_list"))
    if result.valid:
        request.session[_SESSION_KEY] = base64.b64encode(content).decode()
    else:
        request.session.pop(_SESSION_KEY, None)
    context.update(
        {
            "result": result,
            "rows": _import_rows(result),
            "problems": [translate(p.message, p.params) for p in result.problems],
            "created": result.count("create"),
            "updated": result.count("update"),
            "unchanged": result.count("unchanged"),
        }
    )
    return render(request, "web/services/import.html", context, status=200 if result.valid else 422)


def pathways_context(actor: Actor, case_id: UUID) -> dict[str, Any]:
    case = case_selectors.case_get(actor=actor, case_id=case_id)
    lang = _lang()
    pw = pathway_selectors.pathway_proposals(case, actor=actor)
    return {
        "pathways_case": case,
        "pathways": pw,
        "pathways_lang": lang,
        "pathways_can_record": actor.can(Permission.CASE_EDIT) and bool(pw.unrecorded_gaps),
    }


@login_required
def services_pathways(request: HttpRequest, case_id: UUID) -> HttpResponse:
    """The services proposed for a case's needs, and its gaps; POST records the gaps."""
    actor = actor_of(request)
    context: dict[str, Any] = {"nav": "caseload"}
    if request.method == "POST":
        try:
            created = pathway_services.service_gap_record(actor=actor, case_id=case_id)
        except NotFoundError:
            raise Http404 from None
        except (ServiceError, DomainError) as exc:
            context["pathways_error"] = error_payload(exc)["message"]
        else:
            context["pathways_recorded"] = len(created)
    context.update(pathways_context(actor, case_id))
    if request.headers.get("HX-Request"):
        return render(request, "web/services/partials/_pathways.html", context)
    return render(request, "web/services/pathways.html", context)


@login_required
def sop_annex_services(request: HttpRequest) -> HttpResponse:
    """Printable SOP annex: the service map and the referral pathways, version on every page."""
    actor = actor_of(request)
    lang = _lang()
    row, policy = _policy(actor)
    filters = _filters(request)
    providers = selectors.provider_list_for(actor, filters)
    labels = Labels(policy, lang)
    by_sector: list[dict[str, Any]] = []
    if policy is not None:
        for sector in policy.sectors:
            items = [_row(p, labels, lang) for p in providers if p.sector == sector.code]
            if items:
                by_sector.append({"label": sector.label.get(lang), "rows": items})
    pathways = pathway_selectors.pathways_of_sop(policy, providers) if policy else []
    return render(
        request,
        "web/services/annex.html",
        {
            "sop_row": row,
            "by_sector": by_sector,
            "pathways": pathways,
            "lang": lang,
            "printed_on": timezone.localdate(),
        },
    )
