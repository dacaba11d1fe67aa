"""Loading into a fresh PostgreSQL database without maintaining indexes row by row.

Before a ``--truncate`` load, :func:`drop` records the DDL (``pg_get_indexdef`` and
``pg_get_constraintdef`` from the catalog) of the indexes, the primary keys, the unique
constraints and the foreign keys of the tables about to be filled (and of the foreign keys
of other tables pointing at them), then drops them: COPY then only appends to the heaps.
:func:`restore` recreates them exactly: primary keys and unique constraints (their index
built by one sort each), indexes, then ``ALTER TABLE ... ADD CONSTRAINT`` for the foreign
keys, which checks every row once. Until then the DDL is kept in the table
``synthetic_pending_ddl``, so a run that died half-way (or was killed) is repaired by the
next ``--truncate`` (:func:`restore_pending`), and a failure the run catches restores it
at once.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import connection, transaction

PENDING = "synthetic_pending_ddl"

# Order of the restore: what a foreign key may depend on comes first.
_ORDER = {"unique": 0, "index": 1, "foreign": 2}


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def catalog() -> list[tuple[str, str, str]]:
    """(table, name, definition) of every index and constraint of the public schema."""
    with connection.cursor() as cur:
        cur.execute(
            """
            SELECT c.relname, i.relname, pg_get_indexdef(x.indexrelid)
              FROM pg_index x
              JOIN pg_class i ON i.oid = x.indexrelid
              JOIN pg_class c ON c.oid = x.indrelid
             WHERE c.relnamespace = 'public'::regnamespace
            UNION ALL
            SELECT c.relname, k.conname,
                   concat_ws(' ', k.contype::text, k.condeferrable::text,
                             k.condeferred::text, k.convalidated::text,
                             pg_get_constraintdef(k.oid))
              FROM pg_constraint k
              JOIN pg_class c ON c.oid = k.conrelid
             WHERE c.relnamespace = 'public'::regnamespace
            """
        )
        return sorted(cur.fetchall())


def _plan(tables: list[str]) -> list[tuple[str, str, str, str]]:
    """(kind, table, name, create DDL) of what :func:`drop` removes."""
    with connection.cursor() as cur:
        cur.execute(
            """
            SELECT CASE k.contype WHEN 'f' THEN 'foreign' ELSE 'unique' END,
                   c.relname, k.conname, pg_get_constraintdef(k.oid)
              FROM pg_constraint k
              JOIN pg_class c ON c.oid = k.conrelid
              LEFT JOIN pg_class r ON r.oid = k.confrelid
             WHERE c.relnamespace = 'public'::regnamespace
               AND (
                    (c.relname = ANY(%s) AND k.contype IN ('f', 'u', 'p'))
                 OR (r.relname = ANY(%s) AND k.contype = 'f')
               )
            UNION ALL
            SELECT 'index', c.relname, i.relname, pg_get_indexdef(x.indexrelid)
              FROM pg_index x
              JOIN pg_class i ON i.oid = x.indexrelid
              JOIN pg_class c ON c.oid = x.indrelid
             WHERE c.relname = ANY(%s) AND c.relnamespace = 'public'::regnamespace
               AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid)
            """,
            [tables, tables, tables],
        )
        rows = cur.fetchall()
    return sorted(rows, key=lambda r: (_ORDER[r[0]], r[1], r[2]))


def _partial_indexes() -> dict[tuple[str, str], str]:
    """(table, name) -> Django's CREATE INDEX of the models' partial indexes.

    PostgreSQL does not deparse every predicate to a fixed point (``status IN (...)``
    comes back from a re-created index as ``ARRAY[...]::text[]``), so these are recreated
    with the very SQL their migration ran, which gives back the same catalog."""
    out = {}
    with connection.schema_editor(collect_sql=True) as editor:
        for model in apps.get_models():
            for index in model._meta.indexes:
                if index.condition is not None and index.name:
                    sql = str(index.create_sql(model, editor))
                    out[(model._meta.db_table, index.name)] = sql
    return out


def _create_sql(
    kind: str, table: str, name: str, definition: str, partial: dict[tuple[str, str], str]
) -> str:
    if kind == "index":
        return partial.get((table, name), definition)
    return f"ALTER TABLE {_quote(table)} ADD CONSTRAINT {_quote(name)} {definition}"


def _drop_sql(kind: str, table: str, name: str) -> str:
    if kind == "index":
        return f"DROP INDEX {_quote(name)}"
    return f"ALTER TABLE {_quote(table)} DROP CONSTRAINT {_quote(name)}"


def drop(tables: list[str]) -> int:
    """Record, then drop, the indexes and constraints of ``tables`` (one transaction).
    Returns how many were dropped."""
    plan = _plan(tables)
    partial = _partial_indexes()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"CREATE TABLE {PENDING} (pos integer PRIMARY KEY, ddl text NOT NULL)")
        for pos, (kind, table, name, definition) in enumerate(plan):
            cur.execute(
                f"INSERT INTO {PENDING} (pos, ddl) VALUES (%s, %s)",
                [pos, _create_sql(kind, table, name, definition, partial)],
            )
        # Foreign keys first: a unique constraint may be what one of them points at.
        for kind, table, name, _ in sorted(plan, key=lambda r: -_ORDER[r[0]]):
            cur.execute(_drop_sql(kind, table, name))
    return len(plan)


def pending() -> bool:
    with connection.cursor() as cur:
        cur.execute("SELECT to_regclass(%s)", [PENDING])
        row = cur.fetchone()
    return row is not None and row[0] is not None


def restore(*, log: Any = None) -> None:
    """Recreate what :func:`drop` recorded (one transaction), then forget it."""
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL maintenance_work_mem = '1GB'")
        cur.execute(f"SELECT ddl FROM {PENDING} ORDER BY pos")
        for (ddl,) in cur.fetchall():
            cur.execute(ddl)
        cur.execute(f"DROP TABLE {PENDING}")
    if log:
        log("indexes and constraints restored")


def restore_pending(tables: list[str], *, log: Any = None) -> None:
    """Repair what a run that died half-way left: empty ``tables`` (the load was partial)
    and recreate the recorded indexes and constraints."""
    if not pending():
        return
    with connection.cursor() as cur:
        cur.execute("TRUNCATE " + ", ".join(_quote(t) for t in tables) + " CASCADE")
    restore(log=log)
