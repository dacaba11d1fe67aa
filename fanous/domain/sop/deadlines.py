"""Deadlines and follow-up frequencies per risk level (SPEC §5, §7, §8)."""

from __future__ import annotations

from enum import StrEnum
from fractions import Fraction
from typing import Self

from pydantic import Field, model_validator

from fanous.domain.i18n import gettext_noop
from fanous.domain.sop.base import Frozen, Labels, RiskLevel, invalid

__all__ = ["FollowUpPhase", "Frequency", "LevelTimeframes", "Timeframes"]


class Frequency(Frozen):
    """``times`` contacts every ``period_days`` days (twice a week = 2 per 7)."""

    times: int = Field(ge=1)
    period_days: int = Field(ge=1)

    @property
    def rate(self) -> Fraction:
        """Contacts per day, exact (for comparing frequencies)."""
        return Fraction(self.times, self.period_days)


class LevelTimeframes(Frozen):
    """Deadlines (days) and follow-up frequencies for one risk level (SPEC §5, §7, §8)."""

    assessment_due_days: int | None = Field(default=None, ge=0)
    plan_due_days: int | None = Field(default=None, ge=0)
    follow_up_initial: Frequency | None = None
    follow_up_stable: Frequency | None = None
    follow_up_visits_impossible: Frequency | None = None
    remote_note: Labels | None = None


class FollowUpPhase(StrEnum):
    INITIAL = "initial"
    STABLE = "stable"
    VISITS_IMPOSSIBLE = "visits_impossible"


_DEADLINES = ("assessment_due_days", "plan_due_days")
_FREQUENCIES = ("follow_up_initial", "follow_up_stable", "follow_up_visits_impossible")


class Timeframes(Frozen):
    high: LevelTimeframes
    medium: LevelTimeframes
    low: LevelTimeframes

    def for_level(self, level: RiskLevel) -> LevelTimeframes | None:
        """The timeframes of ``level``; None for NONE (no case-management deadlines)."""
        return {
            RiskLevel.HIGH: self.high,
            RiskLevel.MEDIUM: self.medium,
            RiskLevel.LOW: self.low,
        }.get(level)

    @model_validator(mode="after")
    def _higher_is_never_slower(self) -> Self:
        pairs = (
            ("high", self.high, "medium", self.medium),
            ("medium", self.medium, "low", self.low),
        )
        for upper_name, upper, lower_name, lower in pairs:
            for name in _DEADLINES + _FREQUENCIES:
                up, low = getattr(upper, name), getattr(lower, name)
                if low is None:
                    continue
                # ``setting``, ``higher`` and ``lower`` (codes) let a form show the refusal
                # next to its field, with the setting's and the levels' labels.
                where = {"setting": name, "higher": upper_name, "lower": lower_name}
                if up is None:
                    raise invalid(
                        "timeframe_missing_for_higher_level",
                        gettext_noop(
                            "%(setting)s: “%(higher)s” needs a value, since “%(lower)s” has one. "
                            "A higher risk level never waits longer than a lower one."
                        ),
                        **where,
                    )
                if isinstance(up, Frequency) and up.rate < low.rate:
                    raise invalid(
                        "follow_up_less_often_than_lower_level",
                        gettext_noop(
                            "%(setting)s: “%(higher)s” must be followed up at least as often "
                            "as “%(lower)s”."
                        ),
                        **where,
                    )
                if isinstance(up, int) and up > low:
                    raise invalid(
                        "deadline_longer_than_lower_level",
                        gettext_noop(
                            "%(setting)s: “%(higher)s” (%(days)s days) must not be longer than "
                            "“%(lower)s” (%(lower_days)s days)."
                        ),
                        **where,
                        days=up,
                        lower_days=low,
                    )
        return self
