"""Deadlines and follow-up schedules from the SOP's timeframes (SPEC §5, §7, §8).

No clock inside: every function takes the dates it needs, and callers pass
``today`` in the SOP's time zone.
"""

from __future__ import annotations

from datetime import date, timedelta

from fanous.domain.dates import add_months
from fanous.domain.errors import DomainError
from fanous.domain.i18n import gettext_noop
from fanous.domain.sop import FollowUpPhase, Frequency, RiskLevel, Timeframes

__all__ = [
    "age_on",
    "assessment_due",
    "follow_up_frequency",
    "follow_up_schedule",
    "is_overdue",
    "next_follow_up_due",
    "plan_due",
    "turns_18_within",
]


def _after(start: date, days: int | None) -> date | None:
    return None if days is None else start + timedelta(days=days)


def assessment_due(level: RiskLevel, initial_assessed_on: date, tf: Timeframes) -> date | None:
    """When the comprehensive assessment is due after the initial assessment (SPEC §3, §5).

    None for NONE or when the SOP sets no deadline for the level.
    """
    timeframes = tf.for_level(level)
    return (
        None if timeframes is None else _after(initial_assessed_on, timeframes.assessment_due_days)
    )


def plan_due(level: RiskLevel, comprehensive_assessed_on: date, tf: Timeframes) -> date | None:
    """When the case plan is due after the comprehensive assessment (SPEC §7).

    With the global standards: high 3 days, medium 7, low 14; None for NONE.
    """
    timeframes = tf.for_level(level)
    return (
        None if timeframes is None else _after(comprehensive_assessed_on, timeframes.plan_due_days)
    )


def follow_up_frequency(level: RiskLevel, phase: FollowUpPhase, tf: Timeframes) -> Frequency | None:
    """The follow-up frequency for ``level`` in ``phase`` (SPEC §8); None for NONE."""
    timeframes = tf.for_level(level)
    if timeframes is None:
        return None
    return {
        FollowUpPhase.INITIAL: timeframes.follow_up_initial,
        FollowUpPhase.STABLE: timeframes.follow_up_stable,
        FollowUpPhase.VISITS_IMPOSSIBLE: timeframes.follow_up_visits_impossible,
    }[phase]


def _slot_offset(frequency: Frequency, k: int) -> int:
    # Spreading k visits evenly: twice a week gives days 3, 7, 10, 14... so any
    # 7 consecutive days hold exactly two visits.
    return k * frequency.period_days // frequency.times


def follow_up_schedule(
    level: RiskLevel, phase: FollowUpPhase, start: date, tf: Timeframes, *, count: int
) -> list[date]:
    """The first ``count`` follow-up due dates after ``start`` (SPEC §8).

    The k-th visit (k = 1..count) is due on ``start + floor(k * period_days / times)``.
    Empty when the level has no follow-up frequency (NONE).
    """
    if count < 0:
        raise ValueError("count must not be negative")
    frequency = follow_up_frequency(level, phase, tf)
    if frequency is None:
        return []
    return [start + timedelta(days=_slot_offset(frequency, k)) for k in range(1, count + 1)]


def next_follow_up_due(
    level: RiskLevel,
    phase: FollowUpPhase,
    start: date,
    last_done: date | None,
    tf: Timeframes,
) -> date | None:
    """The next follow-up due date: the first slot of the schedule strictly after the later
    of ``start`` and ``last_done`` (SPEC §8).

    A missed slot stays the next due (and overdue) until a follow-up is done;
    ``start`` is when the current phase (and level) began.
    """
    frequency = follow_up_frequency(level, phase, tf)
    if frequency is None:
        return None
    anchor = start if last_done is None or last_done < start else last_done
    elapsed = (anchor - start).days
    # Smallest k >= 1 with floor(k * period / times) > elapsed, i.e.
    # k * period >= (elapsed + 1) * times.
    k = max(1, -(-(elapsed + 1) * frequency.times // frequency.period_days))
    return start + timedelta(days=_slot_offset(frequency, k))


def is_overdue(due: date | None, today: date) -> bool:
    """True when ``due`` has passed: on the due date itself the task is due, not overdue."""
    return due is not None and due < today


def age_on(birth_date: date, on: date) -> int:
    """Completed years on ``on`` (a child born on 29 February has a birthday on 1 March)."""
    if on < birth_date:
        raise DomainError(
            "birth_date_in_future",
            gettext_noop("The date of birth %(birth_date)s is after %(on)s."),
            {"birth_date": birth_date.isoformat(), "on": on.isoformat()},
        )
    before_birthday = (on.month, on.day) < (birth_date.month, birth_date.day)
    return on.year - birth_date.year - int(before_birthday)


def turns_18_within(birth_date: date, today: date, months: int) -> bool:
    """True when the child reaches 18 within ``months`` calendar months of ``today``
    (or already has): transition planning is due so support does not stop suddenly (SPEC §9).
    """
    return age_on(birth_date, add_months(today, months)) >= 18
