"""Bulk writing of plain rows, generic over ``Model._meta.concrete_fields``.

A row is a dict ``attname -> Python value``. Each value goes through the field's
``get_db_prep_value`` (so encrypted fields seal, JSON fields encode, UUIDs and dates take
the backend's form) except for the built-in field types whose Python value the driver
already adapts (psycopg COPY): those pass through as they are, which is most of the cost
saved. Missing attributes take the field's default. On PostgreSQL rows are streamed with
COPY (psycopg 3 ``cursor.copy()``); elsewhere they are inserted with ``executemany`` in
batches. No ORM object is built per row and nothing in the schema is touched.
"""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Callable, Iterable
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models

# Field classes whose Python values psycopg adapts exactly as Django would (exact types
# only: a subclass, e.g. an encrypted text field, always goes through get_db_prep_value).
_PASSTHROUGH: tuple[type[Any], ...] = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BigIntegerField,
    models.SmallIntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.PositiveBigIntegerField,
    models.BooleanField,
    models.DateField,
    models.DateTimeField,
    models.UUIDField,
    models.ForeignKey,
    models.OneToOneField,
    models.BigAutoField,
    models.AutoField,
    models.FloatField,
    models.GenericIPAddressField,
)

_MISSING = object()


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


class TableWriter:
    """Writes rows of one model; call :meth:`add` then :meth:`flush` (or use ``with``)."""

    def __init__(self, model: type[models.Model], *, batch: int = 5000) -> None:
        self.model = model
        self.batch = batch
        self.fields = list(model._meta.concrete_fields)
        self.columns = [f.column for f in self.fields]
        self.attnames = [f.attname for f in self.fields]
        self.rows: list[tuple[Any, ...]] = []
        self.count = 0
        pg = is_postgres()
        self._convert: list[Callable[[Any], Any] | None] = []
        self._defaults: list[Callable[[], Any]] = []
        for f in self.fields:
            self._defaults.append(f.get_default)  # "" for blank text, None for nullable...
            if pg and type(f) in _PASSTHROUGH:
                self._convert.append(None)
            elif pg and type(f) is models.JSONField:
                self._convert.append(_json_dumper(f.encoder or DjangoJSONEncoder))
            else:
                self._convert.append(_prepper(f))

    def add(self, row: dict[str, Any]) -> None:
        if not self.count and not self.rows:
            unknown = set(row) - set(self.attnames)
            if unknown:  # a model changed under the generator: fail loudly, never drop data
                raise ValueError(f"{self.model._meta.label} has no field {sorted(unknown)}")
        values = []
        for name, conv, default in zip(self.attnames, self._convert, self._defaults, strict=True):
            value = row.get(name, _MISSING)
            if value is _MISSING:
                value = default()
            values.append(value if conv is None else conv(value))
        self.rows.append(tuple(values))
        if len(self.rows) >= self.batch:
            self.flush()

    def add_many(self, rows: Iterable[dict[str, Any]]) -> None:
        for row in rows:
            self.add(row)

    def flush(self) -> None:
        if not self.rows:
            return
        table = connection.ops.quote_name(self.model._meta.db_table)
        cols = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        if is_postgres():
            copier().put(f"COPY {table} ({cols}) FROM STDIN", self.rows)
            self.count += len(self.rows)
            self.rows = []
            return
        marks = ", ".join(["%s"] * len(self.columns))
        with connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", self.rows)
        self.count += len(self.rows)
        self.rows = []


def _prepper(field: models.Field[Any, Any]) -> Callable[[Any], Any]:
    def prep(value: Any) -> Any:
        return field.get_db_prep_value(value, connection, prepared=False)

    return prep


def _json_dumper(encoder: type[json.JSONEncoder]) -> Callable[[Any], Any]:
    """json.dumps, remembering the text of values the generator reuses (same object)."""
    memo: dict[int, tuple[Any, str]] = {}

    def dump(value: Any) -> Any:
        if value is None:
            return None
        if not value:
            return "{}" if isinstance(value, dict) else "[]"
        hit = memo.get(id(value))
        if hit is not None and hit[0] is value:
            return hit[1]
        text = json.dumps(value, cls=encoder, ensure_ascii=False)
        if len(memo) < 10000:
            memo[id(value)] = (value, text)
        return text

    return dump


class Copier:
    """Streams COPY batches on the current transaction's connection from a second thread,
    so that PostgreSQL ingests one batch (on the other core) while Python builds the next.
    psycopg 3 connections may be used from several threads; the main thread does not use
    the connection until :meth:`join` returns."""

    def __init__(self) -> None:
        connection.ensure_connection()
        self.raw = connection.connection
        self.q: queue.Queue[tuple[str, list[tuple[Any, ...]]] | None] = queue.Queue(maxsize=4)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while True:
            item = self.q.get()
            if item is None:
                return
            if self.error is not None:
                continue
            sql, rows = item
            try:
                with self.raw.cursor() as cur, cur.copy(sql) as copy:
                    for values in rows:
                        copy.write_row(values)
            except BaseException as exc:  # noqa: BLE001 - re-raised in the main thread
                self.error = exc

    def put(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        if self.error is not None:
            raise self.error
        self.q.put((sql, rows))

    def join(self) -> None:
        self.q.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error


_copier: Copier | None = None


def copier() -> Copier:
    global _copier
    if _copier is None:
        _copier = Copier()
    return _copier


def finish() -> None:
    """Wait for the COPY thread to write every batch (call before leaving the transaction)."""
    global _copier
    if _copier is not None:
        current, _copier = _copier, None
        current.join()


def abort() -> None:
    """Stop the COPY thread after an error in the generator (the transaction rolls back)."""
    global _copier
    if _copier is not None:
        current, _copier = _copier, None
        current.q.put(None)
        current.thread.join()
