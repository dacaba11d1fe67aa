"""Remind whoever must answer an overdue referral or transfer. Schedule it hourly (cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from fanous.notifications import overdue


class Command(BaseCommand):
    help = (
        "Notify the sender, their supervisors and the receiving service of each overdue "
        "referral, once per referral and deadline. Safe to run as often as you like."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Queue the work for the task worker (manage.py db_worker) instead of running it.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            from fanous.notifications.tasks import notify_overdue

            result = notify_overdue.enqueue()
            self.stdout.write(f"queued: {result.id}")
            return
        now = timezone.now()
        run = overdue.notify_overdue_referrals(now=now)
        transfers = overdue.notify_overdue_transfers(now=now)
        self.stdout.write(
            f"{run.referrals} overdue referral(s), {transfers.referrals} overdue transfer(s), "
            f"{run.notifications + transfers.notifications} new notification(s)"
        )
