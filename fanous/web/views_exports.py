"""Exports on the web: the case list (CSV/XLSX), export jobs with progress, the case file PDF.

The services (fanous.exports) check who may export what; these views only parse the form
and render. A job's page polls its progress every 2 seconds (HTMX) until the file is ready.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from fanous.accounts.permissions import Permission
from fanous.core.errors import ServiceError, error_payload
from fanous.domain.sop import RiskLevel
from fanous.domain.workflow import CaseStatus
from fanous.exports import services
from fanous.exports.api import file_response
from fanous.exports.case_pdf import LANGUAGES, case_file_pdf, case_pdf_response
from fanous.exports.caselist import CaseListParams, require_export
from fanous.exports.models import ExportJob

from .views import actor_of


def _params(data: Any) -> CaseListParams:
    return CaseListParams.from_json(
        {
            "status": data.getlist("status"),
            "risk": data.getlist("risk"),
            "overdue": data.get("overdue") == "1",
            "q": (data.get("q") or "").strip(),
            "include_closed": data.get("closed") == "1",
            "caseworker_id": data.get("caseworker") or None,
            "identified": data.get("identified") == "1",
        }
    )


@login_required
@require_http_methods(["GET", "POST"])
def export_new(request: HttpRequest) -> HttpResponse:
    """The case list export form (the caseload's filters) and its submission."""
    actor = actor_of(request)
    require_export(actor, identified=False)
    error = ""
    if request.method == "POST":
        fmt = request.POST.get("format")
        kind = ExportJob.Kind.CASE_LIST_XLSX if fmt == "xlsx" else ExportJob.Kind.CASE_LIST_CSV
        try:
            job = services.export_job_create(
                actor=actor,
                kind=kind,
                params=_params(request.POST).to_json(),
                lang=request.LANGUAGE_CODE,
            )
        except ServiceError as exc:
            error = str(error_payload(exc)["message"])
        else:
            return HttpResponseRedirect(reverse("web:export_job", args=[job.pk]))
    params = _params(request.GET if request.method == "GET" else request.POST)
    return render(
        request,
        "web/exports/new.html",
        {
            "nav": "exports",
            "params": params,
            "error": error,
            "can_identify": actor.can(Permission.CASE_EXPORT_IDENTIFIED),
            "statuses": list(CaseStatus),
            "risk_levels": list(RiskLevel),
            "jobs": services.export_jobs_of(actor),
        },
        status=422 if error else 200,
    )


def _job_context(request: HttpRequest, job_id: UUID) -> dict[str, Any]:
    job = services.export_job_get(actor=actor_of(request), job_id=job_id)
    return {"nav": "exports", "job": job}


@login_required
@require_GET
@never_cache
def export_job(request: HttpRequest, job_id: UUID) -> HttpResponse:
    return render(request, "web/exports/job.html", _job_context(request, job_id))


@login_required
@require_GET
@never_cache
def export_job_progress(request: HttpRequest, job_id: UUID) -> HttpResponse:
    """The progress block, polled by the job page until the job is finished."""
    return render(request, "web/exports/partials/_progress.html", _job_context(request, job_id))


@login_required
@require_GET
def export_file(request: HttpRequest, job_id: UUID) -> HttpResponse:
    return file_response(services.export_download(actor=actor_of(request), job_id=job_id))


@login_required
@require_GET
def case_file(request: HttpRequest, case_id: UUID) -> HttpResponse:
    """The case file as PDF, in the language asked (else the user's)."""
    actor = actor_of(request)
    lang = request.GET.get("lang") or actor.user.language or "ar"
    if lang not in LANGUAGES:
        lang = "ar"
    return case_pdf_response(case_file_pdf(actor=actor, case_id=case_id, lang=lang), case_id)
