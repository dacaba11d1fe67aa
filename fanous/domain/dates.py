"""Calendar arithmetic shared by the SOP review date and the age/transition rules."""

from __future__ import annotations

import calendar
from datetime import date

__all__ = ["add_months"]


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months, clamping the day to the month's end.

    31 August + 6 months is 28 (or 29) February, never 3 March.
    """
    index = day.year * 12 + (day.month - 1) + months
    year, month0 = divmod(index, 12)
    month = month0 + 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))
