"""Export endpoints: always run as background jobs; only the requester sees a job."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from ninja import Router

from fanous.accounts.access import Actor
from fanous.exports import schemas as s
from fanous.exports import services
from fanous.exports.models import ExportJob

router = Router(tags=["exports"])


def export_out(job: ExportJob) -> dict[str, Any]:
    done = job.status == ExportJob.Status.DONE
    return {
        **{
            f: getattr(job, f)
            for f in (
                "id",
                "kind",
                "status",
                "progress",
                "rows",
                "excluded",
                "identified",
                "sop_version",
                "filename",
                "error",
                "created_at",
                "finished_at",
                "expires_at",
            )
        },
        "file_url": f"/api/v1/exports/{job.pk}/file" if done else None,
    }


@router.post("", response={202: s.ExportOut})
def export_create(request: HttpRequest, payload: s.ExportIn) -> tuple[int, dict[str, Any]]:
    job = services.export_job_create(
        actor=Actor.of_request(request),
        kind=payload.kind,
        params=payload.params,
        lang=payload.lang,
        background=True,
    )
    job.refresh_from_db()
    return 202, export_out(job)


@router.get("/{job_id}", response=s.ExportOut)
def export_get(request: HttpRequest, job_id: UUID) -> dict[str, Any]:
    return export_out(services.export_job_get(actor=Actor.of_request(request), job_id=job_id))


@router.get("/{job_id}/file", response={200: None})
def export_file(request: HttpRequest, job_id: UUID) -> HttpResponse:
    file = services.export_download(actor=Actor.of_request(request), job_id=job_id)
    return file_response(file)


def file_response(file: services.Download) -> HttpResponse:
    response = HttpResponse(file.content, content_type=file.content_type)
    response["Content-Disposition"] = f'attachment; filename="{file.filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
