"""Export jobs: ask for a file, build it (now or in the background), download it.

One door for the web page and the API. Small exports are built at once; above
``FANOUS_EXPORT_SYNC_MAX_ROWS`` cases (and always when the API asks) the job is queued as a
django-tasks task and its page shows the progress. Every build and every download is in
the audit log; only the person who asked may see the job and download the file, until it
expires (``FANOUS_EXPORT_DAYS``) and is purged.
"""

from __future__ import annotations

import base64
import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from fanous.accounts.access import Actor
from fanous.accounts.permissions import Permission
from fanous.audit.models import Event
from fanous.audit.services import record
from fanous.core import crypto
from fanous.core.errors import NotFoundError, ServiceError, ValidationFailed
from fanous.exports import caselist
from fanous.exports.models import ExportJob

log = logging.getLogger(__name__)

Kind = ExportJob.Kind
CASE_LIST_KINDS = {Kind.CASE_LIST_CSV: "csv", Kind.CASE_LIST_XLSX: "xlsx"}
REPORT_KINDS = {Kind.INTERAGENCY_XLSX: "xlsx", Kind.INTERAGENCY_PDF: "pdf"}
LANGS = ("ar", "en", "fr")


def _report_params(params: dict[str, Any]) -> Any:
    from fanous.reports.interagency import ReportParams

    try:
        return ReportParams.from_json(params)
    except (KeyError, ValueError, TypeError) as exc:
        raise ValidationFailed(
            "The report needs an area, a start date and an end date (YYYY-MM-DD).",
            code="report_params_invalid",
        ) from exc


def _check_and_count(actor: Actor, kind: str, params: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """Refuse what the actor may not export; the params as stored and the cases covered."""
    if kind in CASE_LIST_KINDS:
        p = caselist.CaseListParams.from_json(params)
        return p.to_json(), caselist.case_list_count(actor=actor, params=p)
    if kind in REPORT_KINDS:
        from fanous.reports.interagency import report_case_count

        actor.require(Permission.REPORTS_AGGREGATE)
        rp = _report_params(params)
        return rp.to_json(), report_case_count(actor=actor, params=rp)
    raise ValidationFailed("Unknown export kind %(kind)s.", {"kind": kind}, code="export_kind")


def purge_expired(now: Any = None) -> int:
    """Delete the export files past their expiry (the row holds the file)."""
    deleted, _ = ExportJob.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted


def export_job_create(
    *, actor: Actor, kind: str, params: dict[str, Any], lang: str, background: bool = False
) -> ExportJob:
    """Ask for an export. Built now when small, else (or with ``background``) queued."""
    if lang not in LANGS:
        lang = "ar"
    stored, count = _check_and_count(actor, kind, params)
    purge_expired()
    days = getattr(settings, "FANOUS_EXPORT_DAYS", 7)
    job = ExportJob.objects.create(
        kind=kind,
        params=stored,
        lang=lang,
        requested_by=actor.user,
        identified=bool(stored.get("identified")),
        expires_at=timezone.now() + timedelta(days=days),
    )
    if background or count > getattr(settings, "FANOUS_EXPORT_SYNC_MAX_ROWS", 2000):
        from fanous.exports.tasks import run_export_job

        job_id = str(job.pk)
        transaction.on_commit(lambda: run_export_job.enqueue(job_id))
    else:
        run_export(job.pk)
        job.refresh_from_db()
    return job


def _set_progress(job_id: UUID, done: int, total: int) -> None:
    pct = 100 if total <= 0 else min(99, done * 100 // total)
    ExportJob.objects.filter(pk=job_id).update(progress=pct, rows=done)


def run_export(job_id: UUID) -> None:
    """Build the job's file (in the worker, or at once for a small export)."""
    job = ExportJob.objects.select_related("requested_by").filter(pk=job_id).first()
    if job is None or job.status != ExportJob.Status.QUEUED:
        return
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.RUNNING, started_at=timezone.now()
    )
    actor = Actor.of(job.requested_by)
    try:
        content, filename, content_type, rows, excluded, sop_version = _build(job, actor)
    except ServiceError as exc:
        from fanous.core.errors import error_payload

        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.FAILED,
            error=str(error_payload(exc)["message"])[:300],
            finished_at=timezone.now(),
        )
        return
    except Exception:
        log.exception("export %s failed", job.pk)
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.FAILED, error="internal error", finished_at=timezone.now()
        )
        raise
    with transaction.atomic():
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.DONE,
            progress=100,
            rows=rows,
            excluded=excluded,
            sop_version=sop_version,
            filename=filename,
            content_type=content_type,
            content=crypto.seal(base64.b64encode(content).decode("ascii")),
            finished_at=timezone.now(),
        )
        job.refresh_from_db()
        record(
            actor=actor.user,
            action=Event.Action.EXPORT,
            obj=job,
            changes={
                "kind": job.kind,
                "rows": rows,
                "excluded": excluded,
                "identified": job.identified,
                "params": {k: str(v) for k, v in job.params.items()},
            },
            summary=f"{job.kind}: {rows} rows" + (" (identified)" if job.identified else ""),
            sop_version=sop_version,
        )


def _build(job: ExportJob, actor: Actor) -> tuple[bytes, str, str, int, int, str]:
    if job.kind in CASE_LIST_KINDS:
        built = caselist.build_case_list(
            actor=actor,
            params=caselist.CaseListParams.from_json(job.params),
            fmt=CASE_LIST_KINDS[Kind(job.kind)],
            lang=job.lang,
            prefix=uuid.uuid4().hex[:4].upper(),  # the pseudonyms mean nothing outside this file
            progress=lambda done, total: _set_progress(job.pk, done, total),
        )
        return (
            built.content,
            built.filename,
            built.content_type,
            built.rows,
            built.excluded,
            built.sop_version,
        )
    from django.utils import translation

    from fanous.reports import interagency

    actor.require(Permission.REPORTS_AGGREGATE)
    params = _report_params(job.params)
    with translation.override(job.lang):
        report = interagency.interagency_report(actor=actor, params=params, lang=job.lang)
        rows = report.tables[0].counts.total if report.tables else 0
        if job.kind == Kind.INTERAGENCY_XLSX:
            content = interagency.report_xlsx(report)
            ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            name = interagency.report_filename(params, "xlsx")
        else:
            content = interagency.report_pdf(report)
            ctype = "application/pdf"
            name = interagency.report_filename(params, "pdf")
    # ``rows``: the cases counted, unless small enough to be suppressed itself.
    return content, name, ctype, rows or 0, 0, report.sop_version


def export_job_get(*, actor: Actor, job_id: UUID) -> ExportJob:
    """The job, for the person who asked for it only (anyone else: 404)."""
    job = ExportJob.objects.filter(pk=job_id, requested_by_id=actor.id).first()
    if job is None or job.expires_at <= timezone.now():
        raise NotFoundError("This export does not exist or has expired. Ask for a new one.")
    return job


def export_jobs_of(actor: Actor, limit: int = 20) -> list[ExportJob]:
    now = timezone.now()
    return list(
        ExportJob.objects.filter(requested_by_id=actor.id, expires_at__gt=now)
        .defer("content")
        .order_by("-created_at")[:limit]
    )


@dataclass(frozen=True)
class Download:
    content: bytes
    filename: str
    content_type: str


@transaction.atomic
def export_download(*, actor: Actor, job_id: UUID) -> Download:
    """The file of a finished job; the download is audited."""
    job = export_job_get(actor=actor, job_id=job_id)
    if job.status != ExportJob.Status.DONE or not job.content:
        raise NotFoundError("This export is not ready yet. Wait until its progress bar is full.")
    content = base64.b64decode(crypto.unseal(job.content))
    record(
        actor=actor.user,
        action=Event.Action.EXPORT,
        obj=job,
        changes={"downloaded": job.filename, "rows": job.rows, "identified": job.identified},
        summary=f"{job.kind} downloaded",
        sop_version=job.sop_version,
    )
    return Download(content=content, filename=job.filename, content_type=job.content_type)
