"""Deadlines and follow-up schedules of the default SOP (SPEC §5, §7, §8, §9)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fanous.domain.errors import DomainError
from fanous.domain.sop import FollowUpPhase, Frequency, LevelTimeframes, RiskLevel, Timeframes
from fanous.domain.tests.support import PROPERTY, default_sop
from fanous.domain.timeframes import (
    age_on,
    assessment_due,
    follow_up_frequency,
    follow_up_schedule,
    is_overdue,
    next_follow_up_due,
    plan_due,
    turns_18_within,
)

HIGH, MEDIUM, LOW, NONE = RiskLevel.HIGH, RiskLevel.MEDIUM, RiskLevel.LOW, RiskLevel.NONE
INITIAL, STABLE, IMPOSSIBLE = (
    FollowUpPhase.INITIAL,
    FollowUpPhase.STABLE,
    FollowUpPhase.VISITS_IMPOSSIBLE,
)
TF = default_sop().timeframes
ASSESSED = date(2027, 1, 1)


@pytest.mark.parametrize(
    ("level", "due"),
    [(HIGH, date(2027, 1, 4)), (MEDIUM, date(2027, 1, 8)), (LOW, date(2027, 1, 15)), (NONE, None)],
)
def test_spec_7_plan_is_due_3_days_1_week_2_weeks_after_the_comprehensive_assessment(level, due):
    assert plan_due(level, ASSESSED, TF) == due


@pytest.mark.parametrize(
    ("level", "days"),
    [(HIGH, 1), (MEDIUM, 7), (LOW, 14), (NONE, None)],
)
def test_spec_3_and_5_comprehensive_assessment_deadline_follows_the_risk_level(level, days):
    expected = None if days is None else ASSESSED + timedelta(days=days)
    assert assessment_due(level, ASSESSED, TF) == expected


def test_spec_7_a_level_without_a_deadline_has_no_due_date():
    open_ended = LevelTimeframes()
    tf = Timeframes(high=open_ended, medium=open_ended, low=open_ended)
    assert plan_due(HIGH, ASSESSED, tf) is None
    assert assessment_due(LOW, ASSESSED, tf) is None
    assert follow_up_schedule(HIGH, INITIAL, ASSESSED, tf, count=3) == []
    assert next_follow_up_due(HIGH, INITIAL, ASSESSED, None, tf) is None


@pytest.mark.parametrize(
    ("level", "phase", "times", "period_days"),
    [
        (HIGH, INITIAL, 2, 7),
        (HIGH, STABLE, 1, 7),
        (HIGH, IMPOSSIBLE, 1, 7),
        (MEDIUM, INITIAL, 1, 7),
        (MEDIUM, STABLE, 1, 14),
        (MEDIUM, IMPOSSIBLE, 1, 14),
        (LOW, INITIAL, 1, 14),
        (LOW, STABLE, 1, 30),
        (LOW, IMPOSSIBLE, 1, 30),
    ],
)
def test_spec_8_follow_up_frequencies_of_the_global_minimum_standards(
    level, phase, times, period_days
):
    assert follow_up_frequency(level, phase, TF) == Frequency(times=times, period_days=period_days)


@pytest.mark.parametrize("phase", list(FollowUpPhase))
def test_spec_8_no_risk_has_no_follow_up(phase):
    assert follow_up_frequency(NONE, phase, TF) is None
    assert follow_up_schedule(NONE, phase, ASSESSED, TF, count=4) == []


@pytest.mark.parametrize("level", [HIGH, MEDIUM, LOW])
def test_spec_8_visits_impossible_comes_with_a_remote_monitoring_note(level):
    note = TF.for_level(level).remote_note  # type: ignore[union-attr]
    assert note is not None
    assert note.ar
    assert note.en
    assert note.fr


def _offsets(level: RiskLevel, phase: FollowUpPhase, count: int) -> list[int]:
    return [
        (day - ASSESSED).days for day in follow_up_schedule(level, phase, ASSESSED, TF, count=count)
    ]


@pytest.mark.parametrize(
    ("level", "phase", "offsets"),
    [
        (HIGH, INITIAL, [3, 7, 10, 14, 17, 21]),
        (HIGH, STABLE, [7, 14, 21, 28, 35, 42]),
        (MEDIUM, STABLE, [14, 28, 42, 56, 70, 84]),
        (LOW, STABLE, [30, 60, 90, 120, 150, 180]),
    ],
)
def test_spec_8_schedule_spreads_visits_evenly(level, phase, offsets):
    assert _offsets(level, phase, 6) == offsets


@pytest.mark.parametrize(
    ("level", "phase", "window", "per_window"),
    [
        (HIGH, INITIAL, 7, 2),  # twice a week
        (HIGH, STABLE, 7, 1),  # weekly
        (MEDIUM, STABLE, 14, 1),  # every two weeks
        (LOW, STABLE, 30, 1),  # monthly
    ],
)
def test_spec_8_every_consecutive_window_holds_exactly_the_required_visits(
    level, phase, window, per_window
):
    offsets = _offsets(level, phase, 52 * per_window)
    for first_day in range(1, offsets[-1] - window + 2):
        in_window = [o for o in offsets if first_day <= o < first_day + window]
        assert len(in_window) == per_window, (first_day, in_window)


@PROPERTY
@given(
    period=st.integers(1, 60),
    data=st.data(),
    start=st.dates(date(2020, 1, 1), date(2030, 12, 31)),
)
def test_spec_8_any_frequency_gives_exactly_its_visits_per_period(period, data, start):
    times = data.draw(st.integers(1, period))
    rate = Frequency(times=times, period_days=period)
    level_tf = LevelTimeframes(follow_up_initial=rate)
    tf = Timeframes(high=level_tf, medium=LevelTimeframes(), low=LevelTimeframes())
    visits = follow_up_schedule(HIGH, INITIAL, start, tf, count=times * 4)
    assert visits == sorted(set(visits)), "one visit a day at most, in order"
    for j in range(4):
        window = [
            v
            for v in visits
            if start + timedelta(days=j * period) < v <= start + timedelta(days=(j + 1) * period)
        ]
        assert len(window) == times
    # The next due date is always a slot of the schedule, after the anchor.
    last_done = data.draw(st.none() | st.dates(start - timedelta(days=5), visits[-2]))
    due = next_follow_up_due(HIGH, INITIAL, start, last_done, tf)
    anchor = max(start, last_done or start)
    assert due in visits
    assert due > anchor
    assert all(v <= anchor for v in visits if v < due)


START = date(2027, 1, 1)  # a Friday


@pytest.mark.parametrize(
    ("case", "last_done", "expected"),
    [
        ("nothing done yet: the first slot", None, date(2027, 1, 4)),
        ("visit done on time: the next slot", date(2027, 1, 4), date(2027, 1, 8)),
        ("visit done early: the same slot is still next", date(2027, 1, 2), date(2027, 1, 4)),
        ("visit done late: the next slot after it", date(2027, 1, 20), date(2027, 1, 22)),
        ("visit done before the phase began: ignored", date(2026, 12, 20), date(2027, 1, 4)),
    ],
)
def test_spec_8_next_follow_up_due_twice_a_week(case, last_done, expected):
    assert next_follow_up_due(HIGH, INITIAL, START, last_done, TF) == expected


def test_spec_8_a_missed_follow_up_stays_due_and_overdue_until_one_is_done():
    first = next_follow_up_due(MEDIUM, INITIAL, START, None, TF)
    assert first == date(2027, 1, 8)
    for today in (date(2027, 1, 9), date(2027, 1, 20), date(2027, 3, 1)):
        assert next_follow_up_due(MEDIUM, INITIAL, START, None, TF) == first
        assert is_overdue(first, today)
    after_visit = next_follow_up_due(MEDIUM, INITIAL, START, date(2027, 3, 1), TF)
    assert after_visit == date(2027, 3, 5)
    assert not is_overdue(after_visit, date(2027, 3, 1))


@pytest.mark.parametrize(
    ("due", "today", "overdue"),
    [
        (date(2027, 1, 4), date(2027, 1, 3), False),
        (date(2027, 1, 4), date(2027, 1, 4), False),
        (date(2027, 1, 4), date(2027, 1, 5), True),
        (None, date(2027, 1, 5), False),
    ],
)
def test_spec_7_and_8_a_deadline_is_overdue_only_after_its_day(due, today, overdue):
    assert is_overdue(due, today) is overdue


def test_spec_8_follow_up_schedule_refuses_a_negative_count():
    with pytest.raises(ValueError, match="count"):
        follow_up_schedule(HIGH, INITIAL, START, TF, count=-1)


@pytest.mark.parametrize(
    ("birth", "on", "age"),
    [
        (date(2010, 5, 20), date(2027, 5, 19), 16),
        (date(2010, 5, 20), date(2027, 5, 20), 17),
        (date(2012, 2, 29), date(2027, 2, 28), 14),
        (date(2012, 2, 29), date(2027, 3, 1), 15),
        (date(2012, 2, 29), date(2028, 2, 29), 16),
        (date(2027, 1, 1), date(2027, 1, 1), 0),
    ],
)
def test_spec_9_age_in_completed_years(birth, on, age):
    assert age_on(birth, on) == age


def test_spec_9_a_birth_date_in_the_future_is_refused():
    with pytest.raises(DomainError) as refused:
        age_on(date(2028, 1, 1), date(2027, 1, 1))
    assert refused.value.code == "birth_date_in_future"


@pytest.mark.parametrize(
    ("birth", "today", "within"),
    [
        (date(2010, 1, 1), date(2027, 6, 30), False),  # 18 in 6 months and 1 day
        (date(2010, 1, 1), date(2027, 7, 1), True),  # 18 in exactly 6 months
        (date(2010, 1, 1), date(2027, 12, 31), True),
        (date(2009, 1, 1), date(2027, 7, 1), True),  # already 18: the plan is still owed
        (date(2015, 1, 1), date(2027, 7, 1), False),
    ],
)
def test_spec_9_transition_planning_window_before_18(birth, today, within):
    assert turns_18_within(birth, today, 6) is within
