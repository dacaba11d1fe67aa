"""Pure helpers of the monitoring figures (SPEC §12): periods, percentiles, ratios.

The figures themselves are computed in the database (fanous.reports.kpis); what is here
decides the arithmetic both database engines must agree on, so it is tested once, without
a database.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from fanous.domain.dates import add_months
from fanous.domain.errors import DomainError
from fanous.domain.i18n import gettext_noop

__all__ = [
    "MAX_PERIOD_DAYS",
    "Period",
    "interval_days",
    "month_starts",
    "percent",
    "percentile",
    "percentile_position",
    "turning_18_cutoff",
]

# A dashboard looks back at most ten years: longer ranges are a report, not a dashboard.
MAX_PERIOD_DAYS = 3660
MIN_YEAR, MAX_YEAR = 1900, 2200


@dataclass(frozen=True)
class Period:
    """A range of calendar days, inclusive of both ends, in the SOP's time zone."""

    start: date
    end: date
    timezone: str = "UTC"

    def __post_init__(self) -> None:
        if not (MIN_YEAR <= self.start.year <= MAX_YEAR and MIN_YEAR <= self.end.year <= MAX_YEAR):
            raise DomainError(
                "period_out_of_range",
                gettext_noop("Choose dates between the years %(first)s and %(last)s."),
                {"first": MIN_YEAR, "last": MAX_YEAR},
            )
        if self.end < self.start:
            raise DomainError(
                "period_inverted",
                gettext_noop("The start date %(start)s is after the end date %(end)s."),
                {"start": self.start.isoformat(), "end": self.end.isoformat()},
            )
        if (self.end - self.start).days > MAX_PERIOD_DAYS:
            raise DomainError(
                "period_too_long",
                gettext_noop("Choose a period of at most ten years."),
                {},
            )

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def bounds(self) -> tuple[datetime, datetime]:
        """The instants [from, before): midnight of ``start`` and midnight after ``end``,
        local time, so both end days count whole (SPEC §12: date filters are inclusive)."""
        zone = ZoneInfo(self.timezone)
        return (
            datetime.combine(self.start, time.min, tzinfo=zone),
            datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=zone),
        )

    @classmethod
    def last_days(cls, today: date, days: int, timezone: str = "UTC") -> Period:
        """The ``days`` calendar days ending with ``today``."""
        return cls(today - timedelta(days=days - 1), today, timezone)


def percentile_position(q: float, n: int) -> tuple[int, int, float]:
    """Where the ``q``-quantile lies among ``n`` sorted values, as PostgreSQL's
    ``percentile_cont`` places it: indexes of the two neighbours and the weight of the
    upper one (linear interpolation at ``q * (n - 1)``)."""
    if not 0 <= q <= 1:
        raise ValueError("q must be between 0 and 1")
    if n < 1:
        raise ValueError("n must be at least 1")
    pos = q * (n - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, n - 1)
    return lo, hi, pos - lo


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q``-quantile of sorted ``values`` (continuous, as ``percentile_cont``); None
    for no values."""
    if not values:
        return None
    lo, hi, weight = percentile_position(q, len(values))
    return values[lo] + (values[hi] - values[lo]) * weight


def percent(numerator: int, denominator: int) -> float | None:
    """numerator / denominator in percent, one decimal; None when nothing was counted
    (no figure is better than a misleading 0 %)."""
    if denominator <= 0:
        return None
    return round(100.0 * numerator / denominator, 1)


def interval_days(times: int, period_days: int) -> int:
    """The longest wait between two follow-ups of a frequency: ``times`` contacts every
    ``period_days`` days leave at most ceil(period / times) days between slots (SPEC §8;
    the schedule of fanous.domain.timeframes spreads slots evenly)."""
    if times < 1 or period_days < 1:
        raise ValueError("times and period_days must be at least 1")
    return -(-period_days // times)


def month_starts(end: date, months: int) -> list[date]:
    """The first days of the ``months`` calendar months ending with ``end``'s month, oldest
    first."""
    first = end.replace(day=1)
    return [add_months(first, -k) for k in range(months - 1, -1, -1)]


def turning_18_cutoff(today: date, months: int) -> date:
    """Children born on or before this day are 18 within ``months`` months of ``today``
    (or already are): the same test as ``timeframes.turns_18_within``, as a date bound the
    database can use."""
    limit = add_months(today, months)
    try:
        return limit.replace(year=limit.year - 18)
    except ValueError:  # 29 February: the birthday falls on 1 March in common years
        return date(limit.year - 18, 2, 28)
