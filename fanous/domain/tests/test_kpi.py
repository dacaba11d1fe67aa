"""Arithmetic of the monitoring figures (SPEC §12): no database."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from fanous.domain.errors import DomainError
from fanous.domain.kpi import (
    Period,
    interval_days,
    month_starts,
    percent,
    percentile,
    percentile_position,
    turning_18_cutoff,
)
from fanous.domain.timeframes import turns_18_within


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [
        ([], 0.5, None),
        ([7.0], 0.5, 7.0),
        ([7.0], 0.9, 7.0),
        ([2.0, 5.0], 0.5, 3.5),
        ([2.0, 5.0], 0.9, 4.7),
        ([0.0, 2.0, 10.0, 11.0, 13.0], 0.5, 10.0),
        ([0.0, 2.0, 10.0, 11.0, 13.0], 0.9, 12.2),
        ([2.0, 5.0, 7.0, 11.0, 19.0], 0.9, 15.8),
        ([1.0, 2.0, 3.0, 4.0], 0.5, 2.5),
        ([1.0, 2.0, 3.0, 4.0], 0.0, 1.0),
        ([1.0, 2.0, 3.0, 4.0], 1.0, 4.0),
    ],
)
def test_percentile_is_continuous_as_percentile_cont(
    values: list[float], q: float, expected: float | None
) -> None:
    """SPEC §12: the median and 90th percentile of the KPIs, the same on every engine."""
    got = percentile(values, q)
    assert got == (None if expected is None else pytest.approx(expected))


@pytest.mark.parametrize(
    ("q", "n", "expected"),
    [(0.5, 5, (2, 3, 0.0)), (0.9, 5, (3, 4, 0.6)), (0.5, 1, (0, 0, 0.0)), (1.0, 3, (2, 2, 0.0))],
)
def test_percentile_position(q: float, n: int, expected: tuple[int, int, float]) -> None:
    lo, hi, w = percentile_position(q, n)
    assert (lo, hi) == expected[:2]
    assert w == pytest.approx(expected[2])


@pytest.mark.parametrize(("q", "n"), [(-0.1, 3), (1.1, 3), (0.5, 0)])
def test_percentile_position_refuses_nonsense(q: float, n: int) -> None:
    with pytest.raises(ValueError, match="must be"):
        percentile_position(q, n)


@pytest.mark.parametrize(
    ("num", "den", "expected"),
    [(4, 7, 57.1), (2, 5, 40.0), (0, 3, 0.0), (0, 0, None), (3, 3, 100.0)],
)
def test_percent_is_none_without_a_denominator(num: int, den: int, expected: float | None) -> None:
    assert percent(num, den) == expected


@pytest.mark.parametrize(
    ("times", "period", "expected"), [(2, 7, 4), (1, 7, 7), (1, 14, 14), (3, 7, 3), (1, 30, 30)]
)
def test_follow_up_interval_is_the_longest_gap_of_the_schedule(
    times: int, period: int, expected: int
) -> None:
    """SPEC §8: twice a week leaves at most 4 days between two visits."""
    assert interval_days(times, period) == expected


def test_period_bounds_are_local_midnights_and_include_both_ends() -> None:
    """SPEC §12: date filters are inclusive of both ends, in the SOP's time zone."""
    start, before = Period(date(2026, 3, 1), date(2026, 3, 31), "Asia/Amman").bounds()
    assert start.astimezone(UTC) == datetime(2026, 2, 28, 21, 0, tzinfo=UTC)
    assert before.astimezone(UTC) == datetime(2026, 3, 31, 21, 0, tzinfo=UTC)
    assert Period(date(2026, 3, 1), date(2026, 3, 1)).days == 1


@pytest.mark.parametrize(
    ("start", "end", "code"),
    [
        (date(2026, 3, 2), date(2026, 3, 1), "period_inverted"),
        (date(2000, 1, 1), date(2026, 1, 1), "period_too_long"),
        (date(9999, 12, 1), date(9999, 12, 31), "period_out_of_range"),
        (date(1, 1, 1), date(1, 1, 2), "period_out_of_range"),
    ],
)
def test_period_refuses_inverted_or_too_long_ranges(start: date, end: date, code: str) -> None:
    with pytest.raises(DomainError) as err:
        Period(start, end)
    assert err.value.code == code


def test_month_starts_are_twelve_calendar_months_oldest_first() -> None:
    months = month_starts(date(2026, 3, 31), 12)
    assert months[0] == date(2025, 4, 1)
    assert months[-1] == date(2026, 3, 1)
    assert len(months) == 12


@pytest.mark.parametrize(
    ("birth", "today", "months"),
    [
        (date(2008, 6, 1), date(2026, 3, 1), 3),
        (date(2008, 6, 2), date(2026, 3, 1), 3),
        (date(2008, 5, 31), date(2026, 2, 28), 3),
        (date(2010, 2, 28), date(2027, 11, 29), 3),
        (date(2010, 3, 1), date(2027, 11, 29), 3),
        (date(2008, 2, 29), date(2025, 11, 30), 3),
    ],
)
def test_turning_18_cutoff_agrees_with_the_timeframes_rule(
    birth: date, today: date, months: int
) -> None:
    """SPEC §9: the database bound says what turns_18_within says, birthday by birthday."""
    assert (birth <= turning_18_cutoff(today, months)) == turns_18_within(birth, today, months)
