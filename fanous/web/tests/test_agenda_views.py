"""My agenda (SPEC §4, §5, §7, §8): what is due, overdue first, high risk first, need to know."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from fanous.accounts.access import Actor
from fanous.cases.agenda import AgendaKind, agenda_for
from fanous.conftest import World

from .test_agenda_support import case_at, today

pytestmark = pytest.mark.django_db


def client_for(world: World, name: str) -> Client:
    client = Client()
    client.force_login(world.users[name])
    return client


def groups_of(world: World, name: str) -> dict[str, list[tuple[str, str, str]]]:
    """Group key -> [(kind, risk, child name)] as the selector returns them."""
    days = agenda_for(actor=Actor.of(world.users[name]), today=today())
    out: dict[str, list[tuple[str, str, str]]] = {}
    for g in days:
        key = g.key if g.key != "later" else g.day.isoformat()  # type: ignore[union-attr]
        out[key] = [(i.kind.value, i.case.risk_level, i.case.child.given_name) for i in g.items]
    return out


def test_overdue_follow_up_comes_first_then_today_high_risk_first(world: World) -> None:
    case_at(world, risk="medium", name="منى", days_ago=10)  # weekly: due 3 days ago
    case_at(world, risk="low", name="ليلى", days_ago=14)  # every two weeks: due today
    case_at(world, risk="high", name="يوسف", days_ago=3)  # twice a week: due today
    groups = groups_of(world, "alice")
    assert groups["overdue"] == [("follow_up", "medium", "منى")]
    assert groups["today"] == [("follow_up", "high", "يوسف"), ("follow_up", "low", "ليلى")]

    res = client_for(world, "alice").get("/agenda/")
    assert res.status_code == 200
    html = res.content.decode()
    assert html.index('data-group="overdue"') < html.index('data-group="today"')
    assert html.index("منى") < html.index("يوسف") < html.index("ليلى")
    # Where to go and what was done last time: the household address and the workplace.
    assert "جبل النزهة" in html
    assert "ورشة ميكانيك" in html


def test_assessment_plan_and_plan_actions_are_listed_on_their_day(world: World) -> None:
    case_at(world, risk="high", name="سامي", step="initial_assessment")  # due tomorrow
    case_at(world, risk="low", name="رنا", step="comprehensive_assessment", days_ago=10)
    case_at(world, risk="low", name="هادي", days_ago=1, action_in_days=3)
    groups = groups_of(world, "alice")
    tomorrow = (today() + timedelta(days=1)).isoformat()
    assert ("assessment", "high", "سامي") in groups[tomorrow]
    # Low risk: plan due 14 days after the comprehensive assessment, i.e. in 4 days.
    assert ("plan", "low", "رنا") in groups[(today() + timedelta(days=4)).isoformat()]
    assert ("plan_action", "low", "هادي") in groups[(today() + timedelta(days=2)).isoformat()]


def test_supervisor_sees_the_approvals_requested_of_their_team(world: World) -> None:
    case_at(world, risk="low", name="نادر", step="plan_pending_approval")
    bob = groups_of(world, "bob")
    assert ("plan_approval", "low", "نادر") in bob["today"]
    # The caseworker waits for the decision; it is not a task on her agenda.
    assert all(
        kind != AgendaKind.PLAN_APPROVAL for kind, _, _ in groups_of(world, "alice")["today"]
    )
    # Another team's supervisor is not asked.
    assert not any(g for g in groups_of(world, "erin").values())
    html = client_for(world, "bob").get("/agenda/").content.decode()
    assert 'data-kind="plan_approval"' in html


@pytest.mark.parametrize("outsider", ["carol", "erin", "dave", "dora"])
def test_agenda_never_lists_another_agencys_or_another_teams_case(
    world: World, outsider: str
) -> None:
    case_at(world, risk="medium", name="منى", days_ago=10)
    case_at(world, risk="low", name="نادر", step="plan_pending_approval")
    res = client_for(world, outsider).get("/agenda/")
    assert res.status_code == 200
    html = res.content.decode()
    assert "منى" not in html
    assert "نادر" not in html
    assert 'data-total="0"' in html


@pytest.mark.parametrize("name", ["cora", "sam", "adam"])
def test_roles_without_cases_get_no_agenda(world: World, name: str) -> None:
    case_at(world, risk="medium", name="منى", days_ago=10)
    res = client_for(world, name).get("/agenda/")
    assert res.status_code == 403
    assert "منى" not in res.content.decode()


def test_agenda_needs_a_login(world: World) -> None:
    res = Client().get("/agenda/")
    assert res.status_code == 302


def _queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/agenda/").status_code == 200
    return len(ctx.captured_queries)


def test_agenda_query_count_does_not_grow_with_the_number_of_cases(world: World) -> None:
    alice, bob = client_for(world, "alice"), client_for(world, "bob")
    case_at(world, risk="medium", name="منى", days_ago=10, action_in_days=12)
    case_at(world, risk="low", name="نادر", step="plan_pending_approval")
    _queries(alice), _queries(bob)  # warm: per-process caches (the time zone) filled
    small = (_queries(alice), _queries(bob))
    for n, days_ago in enumerate((3, 10, 14, 5)):
        case_at(world, risk="high" if n % 2 else "low", name=f"طفل{n}", days_ago=days_ago)
    case_at(world, risk="high", name="سامي", step="initial_assessment")
    case_at(world, risk="low", name="رنا", step="plan_pending_approval")
    big = (_queries(alice), _queries(bob))
    assert big == small
    assert len(groups_of(world, "alice")["overdue"]) >= 2


def test_agenda_page_is_translated_and_marks_the_nav(world: World, settings: Any) -> None:
    world.users["alice"].language = "ar"
    world.users["alice"].save()
    html = client_for(world, "alice").get("/agenda/").content.decode()
    assert 'dir="rtl"' in html
    assert 'data-nav="agenda"' in html
    assert 'aria-current="page"' in html
