"""Data-migration helpers: seal (encrypt) or unseal the rows of encrypted columns in place.

Used by the migrations that turn plain columns into fanous.core.fields encrypted ones.
Forward: every row is read through the (historical) model, whose encrypted field reads a
not-yet-sealed value as it is, and written back sealed. Backward: the plaintext is written
with plain SQL, so the column can go back to its former type. Batched over ``iterator()``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from itertools import islice
from typing import Any

from django.db import migrations, models

from fanous.core.fields import EncryptedJSONField

BATCH = 500

Apps = Any
SchemaEditor = Any


def _batches(model: type[models.Model], size: int = BATCH) -> Iterator[list[Any]]:
    pks = model._default_manager.order_by("pk").values_list("pk", flat=True).iterator(size)
    while batch := list(islice(pks, size)):
        yield batch


def seal_rows(label: str, names: Sequence[str]) -> Callable[[Apps, SchemaEditor], None]:
    def run(apps: Apps, schema_editor: SchemaEditor) -> None:
        model = apps.get_model(label)
        manager = model._default_manager.using(schema_editor.connection.alias)
        for batch in _batches(model):
            for row in manager.filter(pk__in=batch).values("pk", *names):
                pk = row.pop("pk")
                manager.filter(pk=pk).update(**row)

    return run


def unseal_rows(label: str, names: Sequence[str]) -> Callable[[Apps, SchemaEditor], None]:
    def run(apps: Apps, schema_editor: SchemaEditor) -> None:
        model = apps.get_model(label)
        connection = schema_editor.connection
        manager = model._default_manager.using(connection.alias)
        fields = [model._meta.get_field(n) for n in names]
        qn = connection.ops.quote_name
        sets = ", ".join(f"{qn(f.column)} = %s" for f in fields)
        sql = f"UPDATE {qn(model._meta.db_table)} SET {sets} WHERE {qn(model._meta.pk.column)} = %s"
        with connection.cursor() as cursor:
            for batch in _batches(model):
                params = []
                for row in manager.filter(pk__in=batch).values("pk", *names):
                    values = [_plain(f, row[f.name]) for f in fields]
                    pk = model._meta.pk.get_db_prep_value(row["pk"], connection)
                    params.append([*values, pk])
                cursor.executemany(sql, params)

    return run


def _plain(field: models.Field[Any, Any], value: Any) -> Any:
    if isinstance(field, EncryptedJSONField):
        # Back to JSON text (a JSON column's cast needs "{}", not the empty string).
        if value is None and field.null:
            return None
        return json.dumps(value if value is not None else field.get_default(), ensure_ascii=False)
    return value


class PostgresOnlySQL(migrations.RunSQL):
    """SQL that only PostgreSQL runs (a GIN index on an expression...); a no-op elsewhere.

    The embedded SQLite database does without: its searches are small by construction.
    """

    def database_forwards(
        self, app_label: str, schema_editor: SchemaEditor, from_state: Any, to_state: Any
    ) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(
        self, app_label: str, schema_editor: SchemaEditor, from_state: Any, to_state: Any
    ) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)
