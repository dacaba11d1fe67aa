"""Create the bench database if it is missing (run before Django connects to it)."""

from __future__ import annotations

import os
import sys
from urllib.parse import urlparse

import psycopg

from config.settings.bench import BENCH_DATABASE_URL


def main() -> None:
    url = urlparse(os.environ.get("DATABASE_URL", BENCH_DATABASE_URL))
    if not url.scheme.startswith("postgres"):
        sys.exit("make bench needs a PostgreSQL DATABASE_URL")
    name = url.path.lstrip("/")
    admin = url._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return
        conn.execute(f'CREATE DATABASE "{name}"')
        print(f"created database {name}")  # noqa: T201


if __name__ == "__main__":
    main()
