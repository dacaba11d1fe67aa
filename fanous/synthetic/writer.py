"""Bulk writing of plain rows, generic over ``Model._meta.concrete_fields``.

A row is a dict ``attname -> Python value``. Each value goes through the field's
``get_db_prep_value`` (so encrypted fields seal, JSON fields encode, UUIDs and dates take
the backend's form) except for the built-in field types whose Python value the driver
already adapts (psycopg COPY): those pass through as they are. Missing attributes take the
field's default. The dict-to-tuple conversion is compiled once per table (one expression,
no per-field Python loop). JSON texts of reused values (same object) are memoised, and so
are the sealed tokens of the encrypted JSON fields the caller names in ``memo`` (only for
repeated, non-identifying values: never names, phones or addresses).

On PostgreSQL rows are streamed with COPY (psycopg 3 ``cursor.copy()``) from a second
thread; elsewhere they are inserted with ``executemany`` in batches. No ORM object is
built per row and nothing in the schema is touched (see :mod:`fanous.synthetic.schema`).

:class:`EventLoader` writes audit events whose ``seq``, ``prev_hash`` and ``hash`` are only
known when the chain is computed: the rest of the row is prepared beforehand (as COPY text
on PostgreSQL) and the three chain columns are appended last.
"""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models

from fanous.core.fields import EncryptedJSONField

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
CHAIN_COLUMNS = ("seq", "prev_hash", "hash")


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _compile(
    fields: list[models.Field[Any, Any]],
    pg: bool,
    memo: frozenset[str],
) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    """One function ``row dict -> values tuple`` for ``fields`` (converted, defaults filled)."""
    env: dict[str, Any] = {"_M": _MISSING}
    parts = []
    for i, f in enumerate(fields):
        name = f.attname
        conv: Callable[[Any], Any] | None
        if pg and type(f) in _PASSTHROUGH:
            conv = None
        elif pg and type(f) is models.JSONField:
            conv = _json_dumper(f.encoder or DjangoJSONEncoder)
        elif name in memo and isinstance(f, EncryptedJSONField):
            conv = _memo_prepper(f)
        else:
            conv = _prepper(f)
        callable_default = f.has_default() and callable(f.default)
        if callable_default:
            env[f"d{i}"] = f.get_default
            value = f"(row[{name!r}] if {name!r} in row else d{i}())"
            parts.append(value if conv is None else f"c{i}({value})")
            if conv is not None:
                env[f"c{i}"] = conv
            continue
        default = f.get_default()  # "" for blank text, None for nullable...
        if conv is None:
            env[f"k{i}"] = default
            parts.append(f"g({name!r}, k{i})")
        else:
            env[f"c{i}"] = conv
            env[f"k{i}"] = conv(default)
            parts.append(f"(k{i} if (v := g({name!r}, _M)) is _M else c{i}(v))")
    src = "def build(row):\n    g = row.get\n    return (" + ", ".join(parts) + ",)\n"
    exec(src, env)  # noqa: S102 - generated from the model's field names only
    build: Callable[[dict[str, Any]], tuple[Any, ...]] = env["build"]
    return build


class TableWriter:
    """Writes rows of one model; call :meth:`add` then :meth:`flush` (or use ``with``)."""

    def __init__(
        self,
        model: type[models.Model],
        *,
        batch: int = 5000,
        exclude: Iterable[str] = (),
        memo: Iterable[str] = (),
    ) -> None:
        self.model = model
        self.batch = batch
        skip = set(exclude)
        self.fields = [f for f in model._meta.concrete_fields if f.attname not in skip]
        self.columns = [f.column for f in self.fields]
        self.attnames = [f.attname for f in self.fields]
        self.rows: list[tuple[Any, ...]] = []
        self.count = 0
        self.build = _compile(self.fields, is_postgres(), frozenset(memo))

    def check(self, row: dict[str, Any]) -> None:
        unknown = set(row) - set(self.attnames)
        if unknown:  # a model changed under the generator: fail loudly, never drop data
            raise ValueError(f"{self.model._meta.label} has no field {sorted(unknown)}")

    def add(self, row: dict[str, Any]) -> None:
        if not self.count and not self.rows:
            self.check(row)
        self.rows.append(self.build(row))
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


class EventLoader:
    """Audit events in two steps: :meth:`prefix` converts every column but the chain's
    (``seq``, ``prev_hash``, ``hash``), which :meth:`write` appends once they are known.

    On PostgreSQL a prefix is the COPY text of those columns, ending with a tab; elsewhere
    it is the tuple of their values. The columns come in the order of ``first``, then the
    model's other fields, then the chain's. When those other fields all have constant
    defaults, :attr:`rest` is their COPY text (ending with a tab), so that a caller may
    write the ``first`` columns' text itself and append it (see the generator)."""

    def __init__(self, model: type[models.Model], first: tuple[str, ...] = ()) -> None:
        self.model = model
        self.pg = is_postgres()
        self.head = TableWriter(model, exclude=CHAIN_COLUMNS)
        rank = {name: i for i, name in enumerate(first)}
        self.head.fields.sort(key=lambda f: rank.get(f.attname, len(rank)))
        self.head.columns = [f.column for f in self.head.fields]
        self.head.attnames = [f.attname for f in self.head.fields]
        self.head.build = _compile(self.head.fields, self.pg, frozenset())
        by_name = {f.attname: f.column for f in model._meta.concrete_fields}
        self.columns = self.head.columns + [by_name[name] for name in CHAIN_COLUMNS]
        self.count = 0
        self._checked = False
        others = [f for f in self.head.fields if f.attname not in rank]
        self.rest: str | None = None
        if self.pg and all(f.attname in rank for f in self.head.fields[: len(rank)]):
            if not any(f.has_default() and callable(f.default) for f in others):
                values = _compile(others, True, frozenset())({})
                self.rest = "".join(_copy_text(v) + "\t" for v in values)

    def prefix(self, row: dict[str, Any]) -> Any:
        if not self._checked:
            self.head.check(row)
            self._checked = True
        values = self.head.build(row)
        if self.pg:
            return "".join([_copy_text(v) + "\t" for v in values])
        return values

    def write(self, rows: list[Any]) -> None:
        """Complete rows: COPY text lines on PostgreSQL, value tuples elsewhere."""
        if not rows:
            return
        table = connection.ops.quote_name(self.model._meta.db_table)
        cols = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        self.count += len(rows)
        if self.pg:
            copier().put(f"COPY {table} ({cols}) FROM STDIN", "".join(rows))
            return
        marks = ", ".join(["%s"] * len(self.columns))
        with connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", rows)


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(value: Any) -> str:
    """``value`` (a str, int, bool, None, date, UUID...) in COPY's text format."""
    return _copy_text(value)


def _copy_text(value: Any) -> str:
    """``value`` in COPY's text format (the types a converted row holds)."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            return value.translate(_ESCAPES)
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, int | float):
        return str(value)
    return str(value).translate(_ESCAPES)  # UUID, Decimal...


def _prepper(field: models.Field[Any, Any]) -> Callable[[Any], Any]:
    def prep(value: Any) -> Any:
        return field.get_db_prep_value(value, connection, prepared=False)

    return prep


def _memo_prepper(field: models.Field[Any, Any]) -> Callable[[Any], Any]:
    """get_db_prep_value, remembering the sealed token of a reused value (same object)."""
    memo: dict[int, tuple[Any, Any]] = {}

    def prep(value: Any) -> Any:
        hit = memo.get(id(value))
        if hit is not None and hit[0] is value:
            return hit[1]
        token = field.get_db_prep_value(value, connection, prepared=False)
        if len(memo) < 10000:
            memo[id(value)] = (value, token)
        return token

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
    """Streams COPY batches on the current connection from a second thread, so that
    PostgreSQL ingests one batch (on the other core) while Python builds the next. A batch
    is a list of value tuples (``write_row``) or one COPY text (``write``). psycopg 3
    connections may be used from several threads; the main thread does not use the
    connection until :meth:`join` returns."""

    def __init__(self) -> None:
        connection.ensure_connection()
        self.raw = connection.connection
        self.q: queue.Queue[tuple[str, Any] | None] = queue.Queue(maxsize=4)
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
                    if isinstance(rows, str):
                        copy.write(rows)
                    else:
                        for values in rows:
                            copy.write_row(values)
            except BaseException as exc:  # noqa: BLE001 - re-raised in the main thread
                self.error = exc

    def put(self, sql: str, rows: Any) -> None:
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


def forget() -> None:
    """Drop the COPY thread inherited by a forked process (it does not run there)."""
    global _copier
    _copier = None
