"""manage.py generate_synthetic --cases N --seed S: synthetic data at national scale.

With ``--truncate`` on PostgreSQL the load drops and rebuilds the bulk tables' secondary
indexes and constraints and runs in ``--workers`` processes (default 2); elsewhere it runs
in one process and one transaction. The data is the same either way.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from fanous.synthetic.generator import Generator
from fanous.synthetic.models import SyntheticDataset

# --truncate empties every table: only in a database whose name says it is disposable.
DISPOSABLE = ("bench", "synthetic", "test", ":memory:", "memorydb")


class Command(BaseCommand):
    help = "Generate realistic synthetic agencies, staff, children and cases (deterministic)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cases", type=int, required=True)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--agencies", type=int, default=6)
        parser.add_argument(
            "--today",
            type=date.fromisoformat,
            default=None,
            help="Reference date (YYYY-MM-DD) the dates are drawn around; default today.",
        )
        parser.add_argument(
            "--truncate",
            action="store_true",
            help="Empty the database first (only a bench/test/synthetic database).",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="Processes generating the cases (PostgreSQL with --truncate only; default 2).",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["cases"] < 1:
            raise CommandError("--cases must be at least 1.")
        if opts["truncate"]:
            name = str(settings.DATABASES["default"]["NAME"]).lower()
            if not any(word in name for word in DISPOSABLE):
                raise CommandError(
                    f"Refusing to truncate the database {name!r}: its name must contain one "
                    f"of {', '.join(DISPOSABLE)}."
                )
            call_command("flush", interactive=False, verbosity=0)
        elif SyntheticDataset.objects.filter(seed=opts["seed"]).exists():
            raise CommandError(
                f"This database already holds synthetic data of seed {opts['seed']}: "
                "use another seed or --truncate."
            )
        gen = Generator(
            cases=opts["cases"],
            seed=opts["seed"],
            agencies=opts["agencies"],
            today=opts["today"],
            log=lambda m: self.stdout.write(m),
            workers=opts["workers"] or (2 if connection.vendor == "postgresql" else 1),
            fresh=opts["truncate"],
        )
        res = gen.run()
        rate = res.cases / res.seconds if res.seconds else 0
        self.stdout.write(
            f"{res.cases} cases in {res.seconds:.1f}s ({rate:,.0f} cases/s) on "
            f"{connection.vendor}; audit events seq {res.first_seq}-{res.last_seq}."
        )
        if res.timings:
            self.stdout.write(
                "  seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in sorted(res.timings.items()))
            )
        for table, count in sorted(res.rows.items()):
            self.stdout.write(f"  {table}: {count}")
        self.stdout.write(
            "  risk in effect: "
            + ", ".join(
                f"{k} {v * 100 / max(1, res.cases):.1f}%" for k, v in sorted(res.risk.items())
            )
        )
