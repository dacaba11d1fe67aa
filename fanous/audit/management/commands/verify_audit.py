"""manage.py verify_audit: check the audit log's hash chain; exit 1 at the first broken link."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from fanous.audit.verify import verify_chain


class Command(BaseCommand):
    help = "Check that no audit event was altered, deleted or reordered (exit 1 if so)."

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_chain()
        if report.broken is not None:
            raise CommandError(
                f"Audit chain BROKEN at {report.broken}. "
                f"{report.checked} event(s) before it are intact "
                f"(main chain up to seq {report.last_seq}).",
                returncode=1,
            )
        self.stdout.write(
            f"Audit chain intact: {report.checked} event(s) in {report.chains} chain(s); "
            f"main chain last seq {report.last_seq}, head hash {report.last_hash or '-'}."
        )
