"""The inter-agency report page (SPEC §12): de-identified, suppressed counts for the
coordinator, with XLSX and PDF downloads (built as export jobs)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from fanous.accounts.permissions import Permission
from fanous.core.errors import ServiceError, error_payload
from fanous.exports import services
from fanous.exports.models import ExportJob
from fanous.reports import interagency as ia
from fanous.sop.models import SopVersion
from fanous.sop.selectors import sop_of

from .views import actor_of


def _date(raw: str | None, default: date) -> date:
    try:
        return date.fromisoformat(raw) if raw else default
    except ValueError:
        return default


@login_required
@require_http_methods(["GET", "POST"])
def interagency(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    actor.require(Permission.REPORTS_AGGREGATE)
    data = request.POST if request.method == "POST" else request.GET
    areas = ia.report_areas(actor)
    lang = request.LANGUAGE_CODE
    today = timezone.localdate()
    context: dict[str, Any] = {"nav": "reports", "areas": areas, "error": ""}
    if not areas:
        return render(request, "web/reports/interagency.html", context)
    area_id = next((a.pk for a in areas if str(a.pk) == data.get("area")), areas[0].pk)
    sop = sop_of(SopVersion.objects.get(area_id=area_id, status=SopVersion.Status.IN_FORCE))
    choices = ia.dimension_choices(sop, lang)
    known = {c for c, _ in choices}
    dims = tuple(d for d in data.getlist("dimension") if d in known) or ia.DEFAULT_DIMENSIONS
    columns = str(data.get("columns") or "")
    if columns not in known:
        columns = ia.DEFAULT_COLUMNS
    params = ia.ReportParams(
        area_id=UUID(str(area_id)),
        start=_date(data.get("start"), date(today.year, 1, 1)),
        end=_date(data.get("end"), today),
        dimensions=dims,
        columns=columns,
    )
    context.update(params=params, choices=choices, area_id=str(area_id))
    if request.method == "POST":
        kind = (
            ExportJob.Kind.INTERAGENCY_PDF
            if request.POST.get("format") == "pdf"
            else ExportJob.Kind.INTERAGENCY_XLSX
        )
        try:
            job = services.export_job_create(
                actor=actor, kind=kind, params=params.to_json(), lang=lang
            )
        except ServiceError as exc:
            context["error"] = str(error_payload(exc)["message"])
        else:
            return HttpResponseRedirect(reverse("web:export_job", args=[job.pk]))
    try:
        context["report"] = ia.interagency_report(actor=actor, params=params, lang=lang)
    except ServiceError as exc:
        context["error"] = str(error_payload(exc)["message"])
    return render(
        request,
        "web/reports/interagency.html",
        context,
        status=422 if context["error"] else 200,
    )
