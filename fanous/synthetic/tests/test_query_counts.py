"""The cost of a page must not grow with the data (issue 6): the number of SQL queries of
the caseload, the case page and the supervisor's dashboard is the same for a small and a
larger caseload or timeline. No timing here: only query counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from fanous.accounts.access import Actor
from fanous.audit.models import Event
from fanous.audit.services import record
from fanous.cases.models import Case
from fanous.conftest import child_payload, ok, registered_case

pytestmark = pytest.mark.django_db


def _queries(fn: Any) -> int:
    fn()  # warm caches that are filled once per process (SOP parsing...)
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def _identify(api: Any, n: int) -> None:
    for i in range(n):
        body = child_payload()
        body["child"]["given_name"] = f"طفل{i}"
        ok(api.post("/cases", body), 201)


def test_caseload_api_query_count_does_not_grow_with_the_caseload(world):
    api = world.api("alice")
    _identify(api, 5)
    small = _queries(lambda: ok(api.get("/cases?limit=50")))
    _identify(api, 35)
    assert len(ok(api.get("/cases?limit=50"))["items"]) == 40
    assert _queries(lambda: ok(api.get("/cases?limit=50"))) == small


def test_caseload_search_query_count_does_not_grow_with_the_caseload(world):
    api = world.api("alice")
    _identify(api, 5)
    small = _queries(lambda: ok(api.get("/cases?q=احمد")))
    _identify(api, 35)
    assert _queries(lambda: ok(api.get("/cases?q=احمد"))) == small


def _grow_timeline(case_id: str, user: Any, to: int) -> None:
    case = Case.objects.get(pk=case_id)
    while Event.objects.filter(case=case).exclude(action=Event.Action.READ).count() < to:
        record(actor=user, action=Event.Action.UPDATE, obj=case, case=case, summary="note")


def test_case_page_query_count_does_not_grow_with_the_timeline(world):
    alice = world.users["alice"]
    api = world.api("alice")
    cid = registered_case(api)["id"]
    web = Client()
    web.force_login(alice)

    def api_page() -> None:
        ok(api.get(f"/cases/{cid}"))
        ok(api.get(f"/cases/{cid}/history"))

    def web_page() -> None:
        res = web.get(f"/cases/{cid}/")
        assert res.status_code == 200

    _grow_timeline(cid, alice, 3)
    small_api, small_web = _queries(api_page), _queries(web_page)
    _grow_timeline(cid, alice, 30)
    assert len(ok(api.get(f"/cases/{cid}/history"))) >= 30
    assert _queries(api_page) == small_api
    assert _queries(web_page) == small_web


def test_dashboard_query_count_does_not_grow_with_the_cases(world):
    dashboard = pytest.importorskip("fanous.reports.dashboard")
    api = world.api("alice")
    bob = Actor.of(world.users["bob"])
    period = dashboard.default_period(bob)
    _identify(api, 5)
    small = _queries(lambda: dashboard.dashboard_for(bob, period))
    _identify(api, 35)
    assert _queries(lambda: dashboard.dashboard_for(bob, period)) == small
