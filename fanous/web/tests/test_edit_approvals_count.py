"""The count of pending approvals on the supervisor's menu (SPEC §7, §9).

The badge counts what the approvals queue lists, for supervisors only, with one query
whatever the number of cases waiting.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from fanous.conftest import World
from fanous.web.context_processors import approvals_pending, supervision

from .followup_support import closure_requested, plan_pending

pytestmark = pytest.mark.django_db


def client_for(world: World, name: str, lang: str = "en") -> Client:
    user = world.users[name]
    user.language = lang
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    return client


def badge(html: str) -> int | None:
    found = re.search(r'id="approvals-count" data-count="(\d+)"', html)
    return int(found.group(1)) if found else None


def test_supervisor_sees_the_number_of_decisions_waiting(world: World) -> None:
    bob = client_for(world, "bob")
    assert badge(bob.get("/").content.decode()) is None, "no badge when nothing waits"
    plan_pending(world, name="الأول")
    closure_requested(world, name="الثاني")
    plan_pending(world, worker="carol", supervisor="erin", name="كارول")  # another team
    html = bob.get("/").content.decode()
    assert badge(html) == 2
    assert "(2 pending)" in html, "screen readers hear the count"
    queue = bob.get("/supervision/").content.decode()
    assert len(set(re.findall(r'data-case="([0-9a-f-]{36})"', queue))) == 2, "badge = queue"
    assert badge(client_for(world, "erin").get("/").content.decode()) == 1
    assert badge(client_for(world, "dora").get("/").content.decode()) is None


def test_the_count_uses_the_users_digits(world: World) -> None:
    plan_pending(world)
    bob = world.users["bob"]
    bob.arabic_digits = True
    bob.save(update_fields=["arabic_digits"])
    html = client_for(world, "bob", lang="ar").get("/").content.decode()
    assert re.search(r'id="approvals-count" data-count="1" aria-hidden="true">١<', html)


@pytest.mark.parametrize("who", ["alice", "carol", "cora", "sam", "hana"])
def test_no_count_for_users_who_approve_nothing(world: World, who: str) -> None:
    plan_pending(world)
    html = client_for(world, who).get("/").content.decode()
    assert 'id="approvals-count"' not in html
    assert "pending)" not in html


def caseload_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/").status_code == 200
    return len(ctx.captured_queries)


def test_the_count_is_one_query_whatever_the_number_waiting(
    world: World, django_assert_max_num_queries: Any
) -> None:
    bob = client_for(world, "bob")
    plan_pending(world, name="الأول")
    one_waiting = caseload_queries(bob)
    plan_pending(world, name="الثاني")
    closure_requested(world, name="الثالث")
    with django_assert_max_num_queries(one_waiting):
        html = bob.get("/").content.decode()
    assert badge(html) == 3


def test_the_count_is_a_few_aggregate_queries_made_once_a_request(world: World) -> None:
    plan_pending(world, name="الأول")
    plan_pending(world, name="الثاني")
    request = RequestFactory().get("/")
    request.user = world.users["bob"]
    with CaptureQueriesContext(connection) as ctx:
        assert approvals_pending(request) == 2
        first = len(ctx.captured_queries)
        assert approvals_pending(request) == 2
    # One count for the plan/closure queue, and one for each of the referral overrides,
    # transfers (incoming and outgoing) and emergency cash decisions (one count each, the
    # cash one over its own scope), plus the look-up of the supervisor's live grants for
    # each of the two scopes (access.cases_visible_to) and of their team's members, once
    # for all the badges (access.team_member_ids); none the second time.
    assert first == len(ctx.captured_queries) <= 9
    # Aggregates only, besides the look-ups of the supervisor's team members and grants.
    others = [q["sql"] for q in ctx.captured_queries if "COUNT(" not in q["sql"].upper()]
    assert len(others) <= 3, others
    request.user = world.users["alice"]
    assert supervision(request) == {}
