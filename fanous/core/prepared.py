"""Prepared statements for the hottest read paths, on PostgreSQL (issue 6, BENCHMARKS.md).

Django binds query parameters on the client and never prepares statements, so PostgreSQL
plans every query again. The case query (the case, its child, household, registration,
caseworker, agency and area) costs about 3 ms to plan and 0.4 ms to run on the bench host:
planning is most of its time, and a case page is about a dozen such queries.

Inside :func:`prepared_statements`, the queries of the current connection are bound on the
server and psycopg prepares each one the second time it runs (``PREPARE_THRESHOLD``): the
next executions reuse the plan. Only the read paths wrapped in it are affected (the case
page and the caseload); Django's server-side binding is not switched on for the whole
project because the ORM writes some queries PostgreSQL cannot prepare (a parameter
repeated in ``GROUP BY``, Django ticket #20516), and the dashboards have those.

``FANOUS_PREPARED_STATEMENTS = False`` turns it off: needed behind a connection pooler in
transaction mode that does not track prepared statements (PgBouncer before 1.21, or
without ``max_prepared_statements``). SQLite: nothing changes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.db import connection

# The second execution of a query on a connection prepares it: a query run once (a search
# with a list of ids of its own length, say) never fills psycopg's cache of prepared
# statements (100 a connection, least recently used dropped).
PREPARE_THRESHOLD = 1

P = ParamSpec("P")
R = TypeVar("R")


def enabled() -> bool:
    return connection.vendor == "postgresql" and bool(
        getattr(settings, "FANOUS_PREPARED_STATEMENTS", True)
    )


@contextmanager
def prepared_statements() -> Iterator[None]:
    """Bind on the server and prepare the queries run inside, on this connection."""
    if not enabled():
        yield
        return
    from django.db.backends.postgresql.base import (  # type: ignore[attr-defined]
        ServerBindingCursor,
    )

    connection.ensure_connection()
    raw: Any = connection.connection
    before = raw.cursor_factory, raw.prepare_threshold
    if before[0] is ServerBindingCursor:  # already inside
        yield
        return
    raw.cursor_factory, raw.prepare_threshold = ServerBindingCursor, PREPARE_THRESHOLD
    try:
        yield
    finally:
        # The connection may have been closed (and replaced) inside: restore what ran.
        if connection.connection is raw:
            raw.cursor_factory, raw.prepare_threshold = before


def with_prepared_statements(view: Callable[P, R]) -> Callable[P, R]:
    """A view (or any function) whose queries run as :func:`prepared_statements`."""

    @wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with prepared_statements():
            return view(*args, **kwargs)

    return wrapper
