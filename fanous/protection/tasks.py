"""Background work of data protection (django-tasks; a worker runs it: ``manage.py db_worker``).

Task arguments are plain JSON values: the database queue stores them.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django_tasks import task

from fanous.protection import retention


@task()
def apply_retention(today: str | None = None, dry_run: bool = False) -> dict[str, Any]:
    """Anonymise the ended cases past their SOP's retention period (``today``: YYYY-MM-DD)."""
    run = retention.apply_retention(
        today=date.fromisoformat(today) if today else None, dry_run=dry_run
    )
    return run.as_dict()
