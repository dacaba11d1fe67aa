"""manage.py bench: `make bench` (fanous/synthetic/bench.py). Settings: config.settings.bench."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from fanous.synthetic import bench
from fanous.synthetic.models import SyntheticDataset


class Command(BaseCommand):
    help = "Measure the main pages on a generated PostgreSQL database; write BENCHMARKS.md."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cases", type=int, default=int(os.environ.get("BENCH_CASES", 100000)))
        parser.add_argument("--seed", type=int, default=int(os.environ.get("BENCH_SEED", 1)))
        parser.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_RUNS", 50)))
        parser.add_argument(
            "--seconds", type=float, default=float(os.environ.get("BENCH_SECONDS", 20))
        )
        parser.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_WORKERS", 0)))
        parser.add_argument("--threads", type=int, default=int(os.environ.get("BENCH_THREADS", 8)))
        parser.add_argument(
            "--label",
            default=os.environ.get("BENCH_LABEL", "quiet machine"),
            help="How the run was made, e.g. 'development run, machine shared'.",
        )
        parser.add_argument("--no-load", action="store_true", help="Skip the gunicorn part.")
        parser.add_argument("--plans", default="", help="Write the EXPLAIN plans to this file.")
        parser.add_argument("--no-write", action="store_true", help="Do not touch BENCHMARKS.md.")

    def handle(self, *args: Any, **o: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("make bench runs against PostgreSQL (DATABASE_URL).")
        gen_note = "reused"
        ds = SyntheticDataset.objects.order_by("-generated_at").first()
        if ds is None or ds.cases != o["cases"] or ds.seed != o["seed"]:
            self.stdout.write(f"Generating {o['cases']} cases (seed {o['seed']})...")
            t = time.monotonic()
            call_command(
                "generate_synthetic",
                cases=o["cases"],
                seed=o["seed"],
                truncate=True,
                stdout=self.stdout,
            )
            ds = SyntheticDataset.objects.order_by("-generated_at").get()
            gen_note = f"generated now in {time.monotonic() - t:.0f}s"
        rate = ds.cases / ds.seconds if ds.seconds else 0
        gen = {"note": f"{ds.seconds:.0f}s, {rate:,.0f} cases/s ({gen_note})"}
        subj = bench.pick_subjects()
        plans: dict[str, str] = {}
        rows = bench.run_inprocess(subj, o["runs"], plans)
        if not o["no_load"]:
            workers = o["workers"] or (os.cpu_count() or 1) * 2 + 1
            rows += bench.run_throughput(subj, o["seconds"], workers, o["threads"])
        text = bench.section(
            cases=o["cases"], seed=o["seed"], rows=rows, label=o["label"], gen=gen, subj=subj
        )
        self.stdout.write(text)
        if o["plans"]:
            Path(o["plans"]).write_text(
                "\n\n".join(f"== {k}\n{v}" for k, v in plans.items()), encoding="utf-8"
            )
        if not o["no_write"]:
            bench.write_section(Path(settings.BASE_DIR) / "BENCHMARKS.md", str(o["cases"]), text)
            self.stdout.write("BENCHMARKS.md updated.")
