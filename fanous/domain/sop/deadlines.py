"""Deadlines and follow-up frequencies per risk level (SPEC §5, §7, §8)."""

from __future__ import annotations

from enum import StrEnum
from fractions import Fraction
from typing import Self

from pydantic import Field, model_validator

from fanous.domain.sop.base import Frozen, Labels, RiskLevel

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
                if up is None:
                    raise ValueError(
                        f"{name}: {upper_name} risk needs a value, since {lower_name} risk has one"
                    )
                if isinstance(up, Frequency) and up.rate < low.rate:
                    raise ValueError(
                        f"{name}: {upper_name} risk must be followed up at least as often as "
                        f"{lower_name} risk"
                    )
                if isinstance(up, int) and up > low:
                    raise ValueError(
                        f"{name}: {upper_name} risk ({up} days) must not be longer than "
                        f"{lower_name} risk ({low} days)"
                    )
        return self
