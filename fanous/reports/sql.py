"""Portable SQL pieces for the figures: whole days between two dates, percentiles.

Both engines must give the same numbers on the same data (tests run on SQLite and
PostgreSQL): days are whole calendar days, and percentiles are the continuous ones of
PostgreSQL's ``percentile_cont`` (on SQLite: the two neighbouring rows fetched with
ORDER BY + OFFSET, interpolated by ``fanous.domain.kpi.percentile_position``).
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.db import connections
from django.db.models import (
    Aggregate,
    Count,
    Expression,
    F,
    FloatField,
    Func,
    IntegerField,
    QuerySet,
)
from django.db.models.functions import TruncDate

from fanous.domain.kpi import percentile_position


class DaysBetween(Func):
    """Whole days from the date ``start`` to the date ``end`` (end - start)."""

    output_field = IntegerField()
    arity = 2

    def __init__(self, end: Any, start: Any) -> None:
        super().__init__(end, start)

    def _pair(self, compiler: Any, connection: Any) -> tuple[str, str, list[Any]]:
        end_sql, end_params = compiler.compile(self.source_expressions[0])
        start_sql, start_params = compiler.compile(self.source_expressions[1])
        return end_sql, start_sql, [*end_params, *start_params]

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        end, start, params = self._pair(compiler, connection)
        return f"CAST(ROUND(julianday({end}) - julianday({start})) AS INTEGER)", params

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        end, start, params = self._pair(compiler, connection)
        return f"(({end})::date - ({start})::date)", params


def local_date(field: str, timezone: str) -> TruncDate:
    """The calendar day of an instant in the SOP's time zone."""
    return TruncDate(field, tzinfo=ZoneInfo(timezone))


class PercentileCont(Aggregate):
    """PostgreSQL's continuous percentile (no equivalent on SQLite: see ``percentiles``)."""

    function = "PERCENTILE_CONT"
    name = "PercentileCont"
    output_field = FloatField()
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression: Any, fraction: float, **extra: Any) -> None:
        super().__init__(expression, fraction=float(fraction), **extra)


def percentiles(
    qs: QuerySet[Any], field: str, fractions: tuple[float, ...] = (0.5, 0.9)
) -> tuple[int, list[float | None]]:
    """How many rows have ``field`` (an annotation of whole days) and its percentiles.

    One query on PostgreSQL; on other engines one count and one two-row query per fraction,
    whatever the number of rows.
    """
    qs = qs.filter(**{f"{field}__isnull": False}).order_by()
    if connections[qs.db].vendor == "postgresql":
        aggregates: dict[str, Expression] = {"n": Count("pk")}
        for i, q in enumerate(fractions):
            aggregates[f"p{i}"] = PercentileCont(F(field), q)
        row = qs.aggregate(**aggregates)
        values = [
            None if row[f"p{i}"] is None else float(row[f"p{i}"]) for i in range(len(fractions))
        ]
        return int(row["n"]), values
    n = qs.count()
    if n == 0:
        return 0, [None for _ in fractions]
    out: list[float | None] = []
    ordered = qs.order_by(field).values_list(field, flat=True)
    for q in fractions:
        lo, hi, weight = percentile_position(q, n)
        pair = [float(v) for v in ordered[lo : hi + 1]]
        upper = pair[-1]
        out.append(pair[0] + (upper - pair[0]) * weight)
    return n, out
