"""Case closure criteria (SPEC §9): what still blocks closing a case for a given reason.

Closure is always proposed by the caseworker and approved by the supervisor
(the APPROVE_CLOSURE action of the workflow); this module answers whether the
chosen reason's own conditions are met.
"""

from __future__ import annotations

from dataclasses import dataclass

from fanous.domain.errors import Reason
from fanous.domain.i18n import gettext_noop
from fanous.domain.sop import ClosureCriteria, RiskLevel

__all__ = ["ClosureFacts", "closure_blockers"]


@dataclass(frozen=True)
class ClosureFacts:
    age: int | None
    risk_level: RiskLevel
    flags: frozenset[str]  # closure checklist items ticked (e.g. "refusal_recorded")
    plan_approved: bool
    open_plan_actions: int
    turns_18_within_window: bool  # see timeframes.turns_18_within
    transition_plan_recorded: bool


def closure_blockers(
    reason_code: str, facts: ClosureFacts, criteria: ClosureCriteria
) -> list[Reason]:
    """Everything that prevents closing the case for ``reason_code``; empty means it may be
    proposed (and approved by the supervisor)."""
    reason = criteria.reason(reason_code)
    if reason is None:
        return [
            Reason(
                "closure_reason_unknown",
                gettext_noop("%(reason)s is not a closure reason of this SOP."),
                {"reason": reason_code},
            )
        ]
    blockers: list[Reason] = []
    has_age_condition = reason.min_age is not None or reason.max_age_exclusive is not None
    if facts.age is None:
        if has_age_condition:
            blockers.append(
                Reason(
                    "closure_age_unknown",
                    gettext_noop(
                        "This closure reason depends on the child's age: record the date of "
                        "birth (or an estimate) first."
                    ),
                )
            )
    else:
        if reason.min_age is not None and facts.age < reason.min_age:
            blockers.append(
                Reason(
                    "closure_age_too_low",
                    gettext_noop(
                        "This closure reason applies from age %(min_age)s; the child is %(age)s."
                    ),
                    {"min_age": reason.min_age, "age": facts.age},
                )
            )
        if reason.max_age_exclusive is not None and facts.age >= reason.max_age_exclusive:
            blockers.append(
                Reason(
                    "closure_age_too_high",
                    gettext_noop(
                        "This closure reason applies below age %(max_age)s; the child is %(age)s."
                    ),
                    {"max_age": reason.max_age_exclusive, "age": facts.age},
                )
            )
    for flag in reason.requires_flags:
        if flag not in facts.flags:
            blockers.append(
                Reason(
                    "closure_flag_missing",
                    gettext_noop("Confirm and record first: %(flag)s."),
                    {"flag": flag},
                )
            )
    if reason.max_risk_level is not None and facts.risk_level > reason.max_risk_level:
        blockers.append(
            Reason(
                "closure_risk_too_high",
                gettext_noop(
                    "The risk level is %(level)s; this closure reason needs %(max_level)s or lower."
                ),
                {"level": facts.risk_level.value, "max_level": reason.max_risk_level.value},
            )
        )
    if reason.requires_approved_plan and not facts.plan_approved:
        blockers.append(
            Reason(
                "closure_plan_not_approved",
                gettext_noop("This closure reason needs an approved case plan."),
            )
        )
    if reason.requires_plan_completed and facts.open_plan_actions > 0:
        blockers.append(
            Reason(
                "closure_plan_actions_open",
                gettext_noop(
                    "%(count)s case plan actions are still open: mark them done or cancelled."
                ),
                {"count": facts.open_plan_actions},
            )
        )
    if (
        reason.requires_transition_plan
        and facts.turns_18_within_window
        and not facts.transition_plan_recorded
    ):
        blockers.append(
            Reason(
                "closure_transition_plan_missing",
                gettext_noop(
                    "The child turns 18 within %(months)s months: record a transition plan so "
                    "support does not stop suddenly."
                ),
                {"months": criteria.transition_planning_months},
            )
        )
    return blockers
