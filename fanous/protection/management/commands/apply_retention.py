"""Anonymise ended cases past their SOP's retention period. Schedule it daily (cron/timer)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fanous.protection import retention


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--today must be a date as YYYY-MM-DD, not {value!r}") from exc


class Command(BaseCommand):
    help = (
        "Anonymise the cases closed (or not eligible, or referred out) longer than the "
        "retention period of their area's SOP, keeping de-identified statistics. Each case "
        "in its own transaction; safe to stop and run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be anonymised; change nothing."
        )
        parser.add_argument(
            "--today",
            type=_day,
            default=None,
            help="Count the periods up to this day (YYYY-MM-DD).",
        )
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Queue the work for the task worker (manage.py db_worker) instead of running it.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today: date | None = options["today"]
        if options["enqueue"]:
            from fanous.protection.tasks import apply_retention

            result = apply_retention.enqueue(
                today.isoformat() if today else None, bool(options["dry_run"])
            )
            self.stdout.write(f"queued: {result.id}")
            return
        run = retention.apply_retention(today=today, dry_run=options["dry_run"])
        verb = "would be anonymised" if run.dry_run else "anonymised"
        self.stdout.write(
            f"{len(run.due)} case(s) past retention, {len(run.anonymised)} {verb}, "
            f"{len(run.kept_for_sibling_or_other_case)} kept (the child or a sibling has a "
            "case still inside retention)"
        )
        for code in run.areas_without_sop:
            self.stderr.write(f"area {code}: no SOP in force, skipped")
