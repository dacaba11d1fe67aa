"""Delete export files past their expiry (run daily from cron, like notify_overdue)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from fanous.exports.services import purge_expired


class Command(BaseCommand):
    help = "Delete export files older than FANOUS_EXPORT_DAYS."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{purge_expired()} expired export(s) deleted")
