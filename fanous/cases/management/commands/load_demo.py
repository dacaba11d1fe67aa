"""`manage.py load_demo`: one area, three agencies, users of every role, ~50 children.

Cases are built through the same services the API uses, travelling back in time (with
time-machine, a development dependency) so that timestamps, deadlines, overdue follow-ups
and the audit history look like weeks of real work. Running it again does nothing.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Load the demo SOP, agencies, users and cases (idempotent)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            from fanous.cases.demo.loader import load_demo
        except ImportError as exc:  # time-machine missing: a production install
            raise CommandError(
                f"The demo needs the development dependencies ({exc}). Run `make install`."
            ) from exc
        created = load_demo(seed=options["seed"], out=self.stdout)
        if not created:
            self.stdout.write("Demo data already loaded; nothing to do.")
