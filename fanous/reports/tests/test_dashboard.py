"""Dashboard counts, scopes and query counts (SPEC §1, §12)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fanous.accounts.access import Actor
from fanous.conftest import World, local_today
from fanous.core.errors import PermissionDeniedError
from fanous.domain.kpi import Period
from fanous.reports.dashboard import dashboard_for
from fanous.reports.kpis import kpis_for
from fanous.reports.scope import Level

from .factories import at, make_case

pytestmark = pytest.mark.django_db


def _period(t: date) -> Period:
    return Period.last_days(t, 90, "Asia/Amman")


def test_supervisor_dashboard_counts_match_the_fixture(board: dict[str, Any]) -> None:
    bob = Actor.of(board["world"].users["bob"])
    d = dashboard_for(bob, _period(board["today"]))
    assert d.level == Level.TEAM
    # Open: o1..o6 (carol's and dave's are not bob's; x1, x2 are closed).
    assert {c.code: c.count for c in d.by_risk} == {"high": 2, "medium": 2, "low": 1, "none": 1}
    assert d.open_total == 6
    statuses = {c.code: c.count for c in d.by_status}
    assert statuses["implementation"] == 2
    assert statuses["plan_pending_approval"] == 1
    # o5's plan deadline passed but it waits for approval: not an overdue plan.
    assert {c.code: c.count for c in d.overdue} == {
        "overdue_assessment": 1,
        "overdue_plan": 1,
        "overdue_follow_up": 1,
    }
    assert d.turning_18 == 1
    assert d.approvals is not None
    assert (d.approvals.plans, d.approvals.closures) == (1, 0)
    # x2 closed 400 days ago: outside the 12 months.
    assert [(c.code, c.count) for c in d.closures] == [("death", 1)]
    this_month = d.new_cases[-1]
    assert this_month.by_source == {"helpline": 1, "outreach": 5}
    assert len(d.new_cases) == 12
    assert d.caseload is not None
    assert [(c.name, c.open_cases, c.high_risk, c.over_ratio) for c in d.caseload] == [
        ("Alice", 6, 2, False)
    ]
    assert d.max_cases == 25
    assert [(g.need, g.count) for g in d.gaps] == [("legal_aid", 1)]
    # Every bar links to the filtered caseload.
    assert [c.query for c in d.overdue][1] == "due=overdue_plan"
    assert {c.code: c.query for c in d.by_risk}["high"] == "risk=high"


def test_supervisor_caseworker_filter_narrows_to_one_member(board: dict[str, Any]) -> None:
    from fanous.reports.scope import Filters

    world = board["world"]
    bob = Actor.of(world.users["bob"])
    d = dashboard_for(bob, _period(board["today"]), Filters(caseworker_id=world.users["alice"].pk))
    assert d.open_total == 6
    assert {c.code: c.query for c in d.by_risk}["high"].startswith("risk=high&caseworker=")
    from fanous.core.errors import NotFoundError

    with pytest.raises(NotFoundError):  # carol is not in bob's team
        dashboard_for(bob, _period(board["today"]), Filters(caseworker_id=world.users["carol"].pk))


def test_another_team_and_another_agency_never_appear(board: dict[str, Any]) -> None:
    users = board["world"].users
    erin = dashboard_for(Actor.of(users["erin"]), _period(board["today"]))
    assert erin.open_total == 1  # carol's case only
    assert [c.name for c in erin.caseload or []] == ["Carol"]
    dora = dashboard_for(Actor.of(users["dora"]), _period(board["today"]))
    assert dora.open_total == 1
    assert [(g.need, g.count) for g in dora.gaps] == [("legal_aid", 1)]
    alice = dashboard_for(Actor.of(users["alice"]), _period(board["today"]))
    assert alice.level == Level.OWN
    assert alice.open_total == 6
    assert alice.approvals is None


def test_agency_admin_sees_the_agency_and_coordinator_sees_all_without_names(
    board: dict[str, Any],
) -> None:
    users = board["world"].users
    adam = dashboard_for(Actor.of(users["adam"]), _period(board["today"]))
    assert adam.level == Level.AGENCY
    assert adam.open_total == 7
    assert all(c.query == "" for c in adam.by_risk + adam.overdue)  # no case-list links
    cora = dashboard_for(Actor.of(users["cora"]), _period(board["today"]))
    assert cora.level == Level.AREA
    assert cora.open_total == 8
    assert cora.caseload is None  # no caseworker named
    assert all(c.query == "" for c in cora.by_risk + cora.by_status + cora.overdue)
    assert sum(g.count for g in cora.gaps) == 2


@pytest.mark.parametrize("name", ["sam", "hana"])
def test_roles_without_a_dashboard_are_refused(board: dict[str, Any], name: str) -> None:
    with pytest.raises(PermissionDeniedError):
        dashboard_for(Actor.of(board["world"].users[name]), _period(board["today"]))


def _queries(actor: Actor, period: Period) -> int:
    with CaptureQueriesContext(connection) as ctx:
        dashboard_for(actor, period)
        kpis_for(actor, period)
    return len(ctx.captured_queries)


@pytest.mark.parametrize("user", ["bob", "adam", "cora"])
def test_query_count_does_not_grow_with_the_number_of_cases(world: World, user: str) -> None:
    t = local_today()
    a, area, alice = world.agency_a, world.area, world.users["alice"]
    period = Period.last_days(t, 90, "Asia/Amman")

    def add(n: int) -> None:
        for i in range(n):
            make_case(
                agency=a,
                area=area,
                caseworker=alice,
                risk_level=("high", "medium", "low")[i % 3],
                status="implementation",
                registered_at=at(t - timedelta(days=10)),
                initial_assessed_on=t - timedelta(days=5),
                comprehensive_assessed_on=t - timedelta(days=4),
                plan_submitted_at=at(t - timedelta(days=2)),
                identified_at=at(t - timedelta(days=10)),
            )

    actor = Actor.of(world.users[user])
    add(5)
    _queries(actor, period)  # warm the SOP cache (one parse per SOP version and process)
    small = _queries(actor, period)
    add(45)
    large = _queries(actor, period)
    assert large == small
    assert small <= 40


def test_caseload_filters_behind_the_dashboard_links_match_its_counts(
    board: dict[str, Any],
) -> None:
    from fanous.cases.selectors import CaseloadFilter, case_list_for
    from fanous.domain.kpi import turning_18_cutoff
    from fanous.reports.dashboard import TURNING_18_MONTHS

    bob, t, c = Actor.of(board["world"].users["bob"]), board["today"], board["cases"]

    def ids(**f: Any) -> set[Any]:
        return {x.pk for x in case_list_for(actor=bob, filters=CaseloadFilter(**f), today=t)}

    assert ids(due="overdue_plan") == {c["o1"].pk}
    assert ids(due="overdue_follow_up") == {c["o2"].pk}
    assert ids(due="overdue_assessment") == {c["o3"].pk}
    assert ids(born_by=turning_18_cutoff(t, TURNING_18_MONTHS)) == {c["o6"].pk}


def test_caseload_page_accepts_the_dashboard_filters(board: dict[str, Any]) -> None:
    from django.test import Client

    client = Client()
    client.force_login(board["world"].users["bob"])
    c = board["cases"]
    html = client.get("/?due=overdue_plan").content.decode()
    assert str(c["o1"].pk) in html
    assert str(c["o2"].pk) not in html
    html = client.get("/?turning18=1").content.decode()
    assert str(c["o6"].pk) in html
    assert str(c["o1"].pk) not in html
