"""The monitoring fixture: cases of alice (team of bob) with explicit dates in March 2026.

Period: 1-31 March 2026, Asia/Amman (UTC+3). Hand computations are in test_kpis.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest

from fanous.cases.models import Case
from fanous.conftest import World, local_today
from fanous.domain.kpi import Period

from .factories import at, follow_up, gap, make_case, provider, referral

MARCH = Period(date(2026, 3, 1), date(2026, 3, 31), "Asia/Amman")
D = date


@dataclass
class Fixture:
    world: World
    cases: dict[str, Case]


@pytest.fixture
def kpi_world(world: World) -> Fixture:
    alice = world.users["alice"]
    a, area = world.agency_a, world.area

    def case(name: str, **fields: Any) -> Case:
        return make_case(agency=a, area=area, caseworker=alice, **fields)

    c: dict[str, Case] = {}
    # KPI 1 and 2: registration -> initial assessment; comprehensive assessment -> plan.
    c["c1"] = case(
        "c1",
        risk_level="high",
        registered_at=at(D(2026, 3, 1)),
        initial_assessed_on=D(2026, 3, 1),
        comprehensive_assessed_on=D(2026, 3, 2),
        plan_submitted_at=at(D(2026, 3, 4), 12),
        follow_up_started_on=D(2026, 3, 5),
        follow_up_phase="initial",
    )
    # Registered at 01:30 local on 3 March = 22:30 UTC on 2 March: local days count.
    c["c2"] = case(
        "c2",
        risk_level="high",
        registered_at=at(D(2026, 3, 3), 1, 30),
        initial_assessed_on=D(2026, 3, 5),
        comprehensive_assessed_on=D(2026, 3, 5),
        plan_submitted_at=at(D(2026, 3, 10)),
    )
    c["c3"] = case(
        "c3",
        risk_level="medium",
        registered_at=at(D(2026, 2, 20)),
        initial_assessed_on=D(2026, 3, 2),
        comprehensive_assessed_on=D(2026, 3, 5),
        plan_submitted_at=at(D(2026, 3, 12)),
        follow_up_started_on=D(2026, 2, 20),
        follow_up_phase="initial",
    )
    c["c4"] = case(
        "c4",
        risk_level="low",
        registered_at=at(D(2026, 2, 25)),
        initial_assessed_on=D(2026, 3, 10),
        comprehensive_assessed_on=D(2026, 3, 1),
        plan_submitted_at=at(D(2026, 3, 20)),
        follow_up_started_on=D(2026, 1, 10),
        follow_up_phase="stable",
    )
    # Last day of the period, 23:30 local (20:30 UTC): inside.
    c["c5"] = case(
        "c5",
        risk_level="low",
        registered_at=at(D(2026, 3, 20)),
        initial_assessed_on=D(2026, 3, 31),
        comprehensive_assessed_on=D(2026, 3, 20),
        plan_submitted_at=at(D(2026, 3, 31), 23, 30),
    )
    # Outside the period on either side.
    c["c6"] = case(
        "c6",
        registered_at=at(D(2026, 3, 25)),
        initial_assessed_on=D(2026, 4, 1),
        comprehensive_assessed_on=D(2026, 4, 1),
        plan_submitted_at=at(D(2026, 4, 1), 0, 10),
    )
    c["c7"] = case(
        "c7",
        registered_at=at(D(2026, 2, 27)),
        initial_assessed_on=D(2026, 2, 28),
        comprehensive_assessed_on=D(2026, 2, 20),
        plan_submitted_at=at(D(2026, 2, 28), 23, 50),
    )
    # KPI 5: closed cases. 00:30 local on 1 March is 21:30 UTC on 28 February: inside.
    closed = {"status": "closed", "closure_reason": "plan_goals_achieved"}
    c["c8"] = case(
        "c8",
        risk_level="high",
        registered_at=at(D(2026, 1, 1)),
        closed_at=at(D(2026, 3, 1), 0, 30),
        **closed,
    )
    c["c9"] = case(
        "c9",
        risk_level="high",
        registered_at=at(D(2026, 2, 1)),
        closed_at=at(D(2026, 3, 11)),
        **closed,
    )
    c["c10"] = case(
        "c10",
        risk_level="low",
        registered_at=at(D(2026, 3, 1)),
        closed_at=at(D(2026, 3, 31), 18),
        status="closed",
        closure_reason="death",
    )
    c["c11"] = case(
        "c11",
        risk_level="medium",
        registered_at=at(D(2026, 1, 1)),
        closed_at=at(D(2026, 4, 1), 8),
        **closed,
    )

    # KPI 3: follow-ups.
    for day in (D(2026, 3, 8), D(2026, 3, 12), D(2026, 3, 20)):
        follow_up(c["c1"], day, alice)
    for day in (D(2026, 2, 25), D(2026, 3, 5), D(2026, 3, 12)):
        follow_up(c["c3"], day, alice)
    for day in (D(2026, 3, 1), D(2026, 3, 31)):
        follow_up(c["c4"], day, alice)
    follow_up(c["c6"], D(2026, 3, 15), alice)  # no follow-up start: not counted

    # KPI 4: referrals.
    svc = provider(world.agency_b, area)
    referral(c["c1"], svc, alice, "delivered", at(D(2026, 3, 2)))
    referral(c["c1"], svc, alice, "closed", at(D(2026, 3, 3)))
    referral(c["c2"], svc, alice, "sent", at(D(2026, 3, 10)))
    referral(c["c3"], svc, alice, "revoked", at(D(2026, 3, 11)))
    referral(c["c3"], svc, alice, "declined", at(D(2026, 3, 15)), declined_at=at(D(2026, 3, 16)))
    referral(c["c4"], svc, alice, "delivered", at(D(2026, 2, 27)))
    referral(c["c5"], svc, alice, "accepted", at(D(2026, 3, 31), 21))

    # Another agency's case in the same period: never in agency A's figures.
    dave = world.users["dave"]
    c["b1"] = make_case(
        agency=world.agency_b,
        area=area,
        caseworker=dave,
        risk_level="high",
        registered_at=at(D(2026, 3, 1)),
        initial_assessed_on=D(2026, 3, 30),
        comprehensive_assessed_on=D(2026, 3, 1),
        plan_submitted_at=at(D(2026, 3, 30)),
    )
    referral(c["b1"], svc, dave, "sent", at(D(2026, 3, 5)))
    gap(c["b1"], world.agency_b, area, "legal_aid", dave)
    gap(c["c2"], a, area, "legal_aid", alice)
    return Fixture(world=world, cases=c)


def _eighteen_in(today: date, days: int) -> date:
    """A birth date that makes the child 18 ``days`` from ``today``."""
    day = today + timedelta(days=days)
    try:
        return day.replace(year=day.year - 18)
    except ValueError:
        return date(day.year - 18, 3, 1)


@pytest.fixture
def board(world: World) -> dict[str, Any]:
    """Open cases of alice (team of bob), one of carol (team of erin), one of dave
    (agency B). Hand counts for bob are in each test."""
    t = local_today()
    a, area, alice = world.agency_a, world.area, world.users["alice"]

    def case(**f: Any) -> Any:
        f.setdefault("identified_at", at(t, 9))
        return make_case(agency=a, area=area, caseworker=alice, **f)

    cases = {
        "o1": case(
            risk_level="high",
            status="comprehensive_assessment",
            plan_due_on=t - timedelta(days=2),
            next_due_on=t - timedelta(days=2),
        ),
        "o2": case(
            risk_level="high",
            status="implementation",
            next_follow_up_on=t - timedelta(days=1),
            next_due_on=t - timedelta(days=1),
        ),
        "o3": case(
            risk_level="medium",
            status="initial_assessment",
            assessment_due_on=t - timedelta(days=5),
            source="helpline",
        ),
        "o4": case(risk_level="low", status="implementation", next_follow_up_on=t),
        "o5": case(
            risk_level="medium", status="plan_pending_approval", plan_due_on=t - timedelta(days=9)
        ),
        "o6": case(risk_level="none", status="registered", birth_date=_eighteen_in(t, 60)),
        "x1": case(
            status="closed",
            closure_reason="death",
            closed_at=at(t - timedelta(days=60)),
            identified_at=at(date(2024, 1, 5)),
        ),
        "x2": case(
            status="closed",
            closure_reason="death",
            closed_at=at(t - timedelta(days=400)),
            identified_at=at(date(2024, 1, 5)),
        ),
        "carol": make_case(
            agency=a,
            area=area,
            caseworker=world.users["carol"],
            risk_level="high",
            status="implementation",
            next_follow_up_on=t - timedelta(days=3),
            identified_at=at(t, 9),
        ),
        "dave": make_case(
            agency=world.agency_b,
            area=area,
            caseworker=world.users["dave"],
            risk_level="high",
            status="implementation",
            identified_at=at(t, 9),
        ),
    }
    gap(cases["o1"], a, area, "legal_aid", alice, noted_on=t)
    gap(cases["dave"], world.agency_b, area, "legal_aid", world.users["dave"], noted_on=t)
    return {"world": world, "cases": cases, "today": t}
