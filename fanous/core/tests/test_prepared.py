"""Prepared statements on the hottest read paths (fanous.core.prepared, issue 6): inside the
block PostgreSQL keeps the plan of a query run twice; outside, the connection is as Django
made it; the setting turns it off; SQLite is untouched."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import override_settings

from fanous.accounts.models import User
from fanous.conftest import World, ok, registered_case
from fanous.core.prepared import prepared_statements

pytestmark = pytest.mark.django_db

PG_ONLY = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"
)


def _prepared_on_server() -> set[str]:
    with connection.cursor() as cur:
        cur.execute("SELECT statement FROM pg_prepared_statements")
        return {row[0] for row in cur.fetchall()}


def _users_query(world: World) -> None:
    list(User.objects.filter(username=world.users["alice"].username))


@PG_ONLY
def test_a_query_run_twice_inside_is_prepared_once_and_reused(world: World) -> None:
    before = _prepared_on_server()
    with prepared_statements():
        _users_query(world)
        _users_query(world)
        _users_query(world)
    new = _prepared_on_server() - before
    assert len([s for s in new if '"accounts_user"' in s]) == 1, new


@PG_ONLY
def test_outside_the_block_nothing_is_prepared(world: World) -> None:
    before = _prepared_on_server()
    for _ in range(3):
        _users_query(world)
    assert _prepared_on_server() == before


@PG_ONLY
def test_the_connection_is_restored_after_an_error(world: World) -> None:
    raw = connection.connection
    factory, threshold = raw.cursor_factory, raw.prepare_threshold
    seen: list[object] = []

    def fails() -> None:
        with prepared_statements():
            seen.append(raw.prepare_threshold)
            raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        fails()
    assert seen == [1]
    assert (raw.cursor_factory, raw.prepare_threshold) == (factory, threshold)


@PG_ONLY
@override_settings(FANOUS_PREPARED_STATEMENTS=False)
def test_the_setting_turns_it_off(world: World) -> None:
    before = _prepared_on_server()
    with prepared_statements():
        for _ in range(3):
            _users_query(world)
    assert _prepared_on_server() == before


@PG_ONLY
def test_the_case_page_prepares_its_queries_and_answers_the_same(world: World) -> None:
    api = world.api("alice")
    cid = registered_case(api)["id"]
    first = ok(api.get(f"/cases/{cid}"))
    again = ok(api.get(f"/cases/{cid}"))
    prepared = _prepared_on_server()
    for table in ("cases_case", "cases_consent", "cases_householdmember", "cases_assessment"):
        assert any(f'FROM "{table}"' in s for s in prepared), table
    assert first == again


def test_sqlite_is_left_alone(world: World) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite side of it")
    with prepared_statements():
        _users_query(world)
    assert not hasattr(connection.connection, "prepare_threshold")
