"""Each KPI against a hand-computed value on the March 2026 fixture (SPEC §12).

Hand computations (period 1-31 March 2026, Asia/Amman; days are local calendar days):

KPI registration -> initial assessment (initial assessment dated in March)
  c1  1 Mar ->  1 Mar   0
  c2  3 Mar ->  5 Mar   2   (registered 01:30 local = 2 Mar UTC: 3 days in UTC, 2 locally)
  c3 20 Feb ->  2 Mar  10
  c4 25 Feb -> 10 Mar  13
  c5 20 Mar -> 31 Mar  11   (last day of the period: included)
  c6, c7: initial assessment 1 Apr / 28 Feb: outside
  sorted 0 2 10 11 13, n=5: median = x[2] = 10; p90 at 0.9*4=3.6 -> 11 + 0.6*(13-11) = 12.2

KPI comprehensive assessment -> plan submitted (plan submitted in March; deadlines of the
default SOP: high 3, medium 7, low 14 days)
  c1 high    2 Mar ->  4 Mar   2  within
  c2 high    5 Mar -> 10 Mar   5  late
  c3 medium  5 Mar -> 12 Mar   7  within (on the deadline day)
  c4 low     1 Mar -> 20 Mar  19  late
  c5 low    20 Mar -> 31 Mar  11  within (23:30 local on 31 March: included)
  c6 (1 Apr 00:10 local) and c7 (28 Feb 23:50 local) outside
  overall sorted 2 5 7 11 19: median 7; p90 at 3.6 -> 11 + 0.6*8 = 15.8
  high: n=2 within 1 (50 %), median 3.5, p90 2 + 0.9*3 = 4.7
  medium: n=1 within 1 (100 %), median 7, p90 7
  low: n=2 within 1 (50 %), median 15, p90 11 + 0.9*8 = 18.2
  all levels: 3 of 5 within (60 %)

KPI follow-ups on time (interval = ceil(period / times): high initial 2/7 -> 4 days,
medium initial 1/7 -> 7, low stable 1/30 -> 30)
  c1 high   start 5 Mar: 8 Mar (3, ok) 12 Mar (4, ok) 20 Mar (8, late)
  c3 medium start 20 Feb: 25 Feb outside the period; 5 Mar (8 after 25 Feb, late),
            12 Mar (7, ok)
  c4 low    start 10 Jan: 1 Mar (50, late), 31 Mar (30, ok)
  c6 has no follow-up start (no approved plan): not counted
  on time 4 of 7 = 57.1 %

KPI referrals completed (sent in March, revoked left out)
  c1 delivered (yes), c1 closed (yes), c2 sent, c3 revoked (left out), c3 declined,
  c4 delivered on 27 Feb (outside), c5 accepted on 31 Mar 21:00 local (inside)
  2 of 5 = 40 %

KPI average case duration (closed in March)
  c8 high  1 Jan -> 1 Mar (00:30 local, 28 Feb in UTC)  59 days
  c9 high  1 Feb -> 11 Mar                               38 days  -> high (59 + 38) / 2 = 48.5
  c10 low  1 Mar -> 31 Mar                               30 days  -> low 30
  c11 closed 1 April: outside; medium: none
"""

from __future__ import annotations

from datetime import date

import pytest

from fanous.accounts.access import Actor
from fanous.domain.kpi import Period
from fanous.domain.sop import RiskLevel
from fanous.reports.kpis import KPI_DEFINITIONS, kpis_for

from .conftest import MARCH, Fixture

pytestmark = pytest.mark.django_db


def test_registration_to_initial_assessment_median_and_p90_match_hand_computation(
    kpi_world: Fixture,
) -> None:
    k = kpis_for(Actor.of(kpi_world.world.users["bob"]), MARCH)
    assert k.registration_to_initial.count == 5
    assert k.registration_to_initial.median == pytest.approx(10)
    assert k.registration_to_initial.p90 == pytest.approx(12.2)


def test_assessment_to_plan_against_deadline_per_risk_level(kpi_world: Fixture) -> None:
    k = kpis_for(Actor.of(kpi_world.world.users["bob"]), MARCH)
    assert k.assessment_to_plan.count == 5
    assert k.assessment_to_plan.median == pytest.approx(7)
    assert k.assessment_to_plan.p90 == pytest.approx(15.8)
    rows = {r.level: r for r in k.plan_by_level}
    high, medium, low = rows[RiskLevel.HIGH], rows[RiskLevel.MEDIUM], rows[RiskLevel.LOW]
    assert (high.deadline_days, high.count, high.within, high.percent_within) == (3, 2, 1, 50.0)
    assert high.median == pytest.approx(3.5)
    assert high.p90 == pytest.approx(4.7)
    assert (medium.deadline_days, medium.count, medium.within, medium.percent_within) == (
        7,
        1,
        1,
        100.0,
    )
    assert medium.median == pytest.approx(7)
    assert medium.p90 == pytest.approx(7)
    assert (low.deadline_days, low.count, low.within, low.percent_within) == (14, 2, 1, 50.0)
    assert low.median == pytest.approx(15)
    assert low.p90 == pytest.approx(18.2)
    assert (k.plan_within.numerator, k.plan_within.denominator, k.plan_within.percent) == (
        3,
        5,
        60.0,
    )


def test_follow_ups_on_time_match_hand_computation(kpi_world: Fixture) -> None:
    k = kpis_for(Actor.of(kpi_world.world.users["bob"]), MARCH)
    ratio = k.follow_ups_on_time
    assert (ratio.numerator, ratio.denominator, ratio.percent) == (4, 7, 57.1)


def test_referrals_completed_excludes_revoked(kpi_world: Fixture) -> None:
    k = kpis_for(Actor.of(kpi_world.world.users["bob"]), MARCH)
    ratio = k.referrals_completed
    assert (ratio.numerator, ratio.denominator, ratio.percent) == (2, 5, 40.0)


def test_average_case_duration_by_risk_level(kpi_world: Fixture) -> None:
    k = kpis_for(Actor.of(kpi_world.world.users["bob"]), MARCH)
    rows = {r.level: r for r in k.case_duration}
    assert (rows[RiskLevel.HIGH].count, rows[RiskLevel.HIGH].average_days) == (2, 48.5)
    assert (rows[RiskLevel.LOW].count, rows[RiskLevel.LOW].average_days) == (1, 30.0)
    assert (rows[RiskLevel.MEDIUM].count, rows[RiskLevel.MEDIUM].average_days) == (0, None)


def test_caseworker_kpis_are_their_own_cases_and_another_agency_never_counts(
    kpi_world: Fixture,
) -> None:
    users = kpi_world.world.users
    # alice holds every agency-A case of the fixture: her figures are bob's.
    assert kpis_for(Actor.of(users["alice"]), MARCH).registration_to_initial.count == 5
    # carol (same agency, another team) and erin (her supervisor) see none of them.
    assert kpis_for(Actor.of(users["carol"]), MARCH).registration_to_initial.count == 0
    assert kpis_for(Actor.of(users["erin"]), MARCH).registration_to_initial.count == 0
    # dora (agency B) sees only b1 (1 Mar -> 30 Mar = 29 days).
    other = kpis_for(Actor.of(users["dora"]), MARCH)
    assert (other.registration_to_initial.count, other.registration_to_initial.median) == (1, 29)
    assert other.referrals_completed.denominator == 1


def test_agency_admin_and_coordinator_get_aggregates_of_their_scope(kpi_world: Fixture) -> None:
    users = kpi_world.world.users
    assert kpis_for(Actor.of(users["adam"]), MARCH).registration_to_initial.count == 5
    # The coordinator: both agencies (5 + b1).
    assert kpis_for(Actor.of(users["cora"]), MARCH).registration_to_initial.count == 6


def test_period_is_inclusive_of_both_ends(kpi_world: Fixture) -> None:
    bob = Actor.of(kpi_world.world.users["bob"])
    # Only the last day: c5 (initial assessment on 31 March, plan at 23:30 local).
    last = kpis_for(bob, Period(date(2026, 3, 31), date(2026, 3, 31), "Asia/Amman"))
    assert last.registration_to_initial.count == 1
    assert last.assessment_to_plan.count == 1
    assert last.referrals_completed.denominator == 1  # c5's referral at 21:00 local
    # Only the first day: c1's initial assessment and c8's closure at 00:30 local.
    first = kpis_for(bob, Period(date(2026, 3, 1), date(2026, 3, 1), "Asia/Amman"))
    assert first.registration_to_initial.count == 1
    assert {r.level: r.count for r in first.case_duration}[RiskLevel.HIGH] == 1


def test_every_kpi_has_a_documented_definition() -> None:
    codes = [d.code for d in KPI_DEFINITIONS]
    assert codes == [
        "registration_to_initial_assessment",
        "assessment_to_plan",
        "follow_ups_on_time",
        "referrals_completed",
        "case_duration",
    ]
    for d in KPI_DEFINITIONS:
        assert str(d.definition)
        assert str(d.numerator)
        assert str(d.denominator)
        assert d.spec.startswith("SPEC §")
