"""The dashboard page, KPI definitions and API: who sees what (SPEC §1, §12)."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from fanous.conftest import World, ok

from .conftest import Fixture

pytestmark = pytest.mark.django_db

MARCH = "start=2026-03-01&end=2026-03-31"


def _client(world: World, name: str) -> Client:
    client = Client()
    client.force_login(world.users[name])
    return client


def test_supervisor_page_has_charts_tables_and_caseload_links(kpi_world: Fixture) -> None:
    page = _client(kpi_world.world, "bob").get(f"/dashboard/?{MARCH}")
    html = page.content.decode()
    assert page.status_code == 200
    for chart in (
        "chart-risk",
        "chart-status",
        "chart-overdue",
        "chart-closures",
        "chart-new",
        "chart-caseload",
    ):
        assert f'id="{chart}"' in html
    assert html.count('role="img"') >= 6
    assert 'id="chart-risk-table"' in html
    assert "<caption" in html
    assert 'href="/?risk=high"' in html
    assert 'href="/?due=overdue_plan"' in html
    # The KPI cards carry the hand-computed figures (test_kpis.py).
    assert 'data-kpi="follow_ups_on_time" data-num="4" data-den="7"' in html
    assert 'data-kpi="referrals_completed" data-num="2" data-den="5"' in html


def test_htmx_period_change_returns_only_the_body(kpi_world: Fixture) -> None:
    page = _client(kpi_world.world, "bob").get(
        f"/dashboard/?{MARCH}", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="dashboard-body"
    )
    html = page.content.decode()
    assert "<html" not in html
    assert 'id="dashboard-period" data-start="2026-03-01"' in html


def test_an_inverted_period_is_refused_next_to_the_field(kpi_world: Fixture) -> None:
    page = _client(kpi_world.world, "bob").get("/dashboard/?start=2026-03-31&end=2026-03-01")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'role="alert"' in html
    assert 'id="id_end-error"' in html


def test_coordinator_page_shows_no_names_or_case_numbers(kpi_world: Fixture) -> None:
    html = _client(kpi_world.world, "cora").get(f"/dashboard/?{MARCH}").content.decode()
    assert 'data-level="area"' in html
    assert not re.search(r"T-\d{5}", html)
    for name in ("Alice", "Dave", "Test Child"):
        assert name not in html
    assert 'href="/?' not in html  # no link to a case list
    assert 'id="chart-caseload"' not in html


def test_agency_admin_page_has_no_child_or_case_number(kpi_world: Fixture) -> None:
    html = _client(kpi_world.world, "adam").get(f"/dashboard/?{MARCH}").content.decode()
    assert 'data-level="agency"' in html
    assert not re.search(r"T-\d{5}", html)
    assert "Test Child" not in html
    assert 'href="/?' not in html


@pytest.mark.parametrize("name", ["sam", "hana"])
def test_roles_without_a_dashboard_get_404(kpi_world: Fixture, name: str) -> None:
    client = _client(kpi_world.world, name)
    assert client.get("/dashboard/").status_code == 404
    assert client.get("/dashboard/kpis/").status_code == 404


def test_kpi_definitions_page_lists_every_kpi(kpi_world: Fixture) -> None:
    html = _client(kpi_world.world, "bob").get("/dashboard/kpis/").content.decode()
    for code in (
        "registration_to_initial_assessment",
        "assessment_to_plan",
        "follow_ups_on_time",
        "referrals_completed",
        "case_duration",
    ):
        assert f'data-kpi="{code}"' in html


def test_menu_links_to_the_dashboard_for_the_four_roles(kpi_world: Fixture) -> None:
    for name in ("alice", "bob", "adam", "cora"):
        assert (
            'data-nav="dashboard"'
            in _client(kpi_world.world, name).get("/dashboard/kpis/").content.decode()
        )


def test_api_kpis_match_the_hand_computation(kpi_world: Fixture) -> None:
    body = ok(kpi_world.world.api("bob").get(f"/reports/kpis?{MARCH}"))
    assert body["registration_to_initial_assessment"] == {
        "count": 5,
        "median": 10.0,
        "p90": pytest.approx(12.2),
    }
    assert body["follow_ups_on_time"] == {"numerator": 4, "denominator": 7, "percent": 57.1}
    assert body["plans_within_deadline"]["percent"] == 60.0
    assert len(body["definitions"]) == 5


def test_api_dashboard_for_coordinator_is_de_identified(kpi_world: Fixture) -> None:
    res = kpi_world.world.api("cora").get(f"/reports/dashboard?{MARCH}")
    body = ok(res)
    assert body["level"] == "area"
    assert body["caseload"] is None
    text = res.content.decode()
    assert not re.search(r"T-\d{5}", text)
    assert "Alice" not in text
    assert "Test Child" not in text


def test_api_refuses_roles_without_dashboard_and_bad_periods(kpi_world: Fixture) -> None:
    assert kpi_world.world.api("sam").get("/reports/dashboard").status_code == 403
    res = kpi_world.world.api("bob").get("/reports/kpis?start=2026-03-31&end=2026-03-01")
    assert res.status_code == 422
    assert res.json()["code"] == "period_inverted"
    other = kpi_world.world.api("bob").get(
        f"/reports/dashboard?caseworker={kpi_world.world.users['dave'].pk}"
    )
    assert other.status_code == 404


def test_dashboard_page_queries_are_bounded(kpi_world: Fixture) -> None:
    client = _client(kpi_world.world, "bob")
    client.get(f"/dashboard/?{MARCH}")
    with CaptureQueriesContext(connection) as ctx:
        client.get(f"/dashboard/?{MARCH}")
    assert len(ctx.captured_queries) <= 60
