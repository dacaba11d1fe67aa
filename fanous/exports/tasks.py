"""Background export jobs (django-tasks; a worker runs them: ``manage.py db_worker``)."""

from __future__ import annotations

from uuid import UUID

from django_tasks import task

from fanous.exports import services


@task()
def run_export_job(job_id: str) -> None:
    """Build one export file, updating its progress after every batch of cases."""
    services.run_export(UUID(job_id))


@task()
def purge_expired_exports() -> int:
    """Delete export files past their expiry (schedule daily, like notify_overdue)."""
    return services.purge_expired()
