"""Closure criteria of the default SOP (SPEC §9)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from fanous.domain.closure import ClosureFacts, closure_blockers
from fanous.domain.sop import RiskLevel
from fanous.domain.tests.support import default_sop

CRITERIA = default_sop().closure
ALL_FLAGS = frozenset(flag.code for flag in CRITERIA.flags)


def case(**changes: object) -> ClosureFacts:
    facts = ClosureFacts(
        age=16,
        risk_level=RiskLevel.LOW,
        flags=ALL_FLAGS,
        plan_approved=True,
        open_plan_actions=0,
        turns_18_within_window=False,
        transition_plan_recorded=False,
    )
    return replace(facts, **changes)  # type: ignore[arg-type]


def blockers(reason: str, **changes: object) -> list[str]:
    return [b.code for b in closure_blockers(reason, case(**changes), CRITERIA)]


@pytest.mark.parametrize(
    ("reason", "changes", "expected"),
    [
        # A child aged 15-18 refuses further support.
        ("refuses_support", {"age": 14}, ["closure_age_too_low"]),
        ("refuses_support", {"age": 15}, []),
        ("refuses_support", {"age": 16}, []),
        ("refuses_support", {"age": 17, "plan_approved": False}, []),
        (
            "refuses_support",
            {"age": 18, "turns_18_within_window": True, "transition_plan_recorded": True},
            ["closure_age_too_high"],
        ),
        ("refuses_support", {"flags": frozenset()}, ["closure_flag_missing"]),
        ("refuses_support", {"age": None}, ["closure_age_unknown"]),
        # Above the minimum working age (15), all harm-reduction options tried.
        ("above_minimum_working_age", {"age": 14}, ["closure_age_too_low"]),
        ("above_minimum_working_age", {"age": 15}, []),
        (
            "above_minimum_working_age",
            {"flags": frozenset({"refusal_recorded"})},
            ["closure_flag_missing"],
        ),
        # Adolescents: enough improvement even if still working.
        ("adolescent_sufficient_improvement", {"risk_level": RiskLevel.MEDIUM}, []),
        (
            "adolescent_sufficient_improvement",
            {"risk_level": RiskLevel.HIGH},
            ["closure_risk_too_high"],
        ),
        (
            "adolescent_sufficient_improvement",
            {"age": 13, "risk_level": RiskLevel.HIGH},
            ["closure_age_too_low", "closure_risk_too_high"],
        ),
        # The plan succeeded.
        ("plan_goals_achieved", {}, []),
        ("plan_goals_achieved", {"open_plan_actions": 2}, ["closure_plan_actions_open"]),
        ("plan_goals_achieved", {"plan_approved": False}, ["closure_plan_not_approved"]),
        ("plan_goals_achieved", {"age": None}, []),
        ("best_interests_all_support_given", {"flags": frozenset()}, ["closure_flag_missing"]),
        # Operational reasons.
        ("reached_18", {"age": 17}, ["closure_age_too_low"]),
        (
            "reached_18",
            {
                "age": 18,
                "plan_approved": False,
                "turns_18_within_window": True,
                "transition_plan_recorded": True,
            },
            [],
        ),
        ("relocated_or_lost_contact", {"plan_approved": False, "turns_18_within_window": True}, []),
        ("relocated_or_lost_contact", {"flags": frozenset()}, ["closure_flag_missing"]),
        ("transferred", {"plan_approved": False}, []),
        (
            "death",
            {
                "age": None,
                "plan_approved": False,
                "flags": frozenset(),
                "risk_level": RiskLevel.HIGH,
            },
            [],
        ),
        # Transition planning for adolescents approaching 18.
        (
            "plan_goals_achieved",
            {"age": 17, "turns_18_within_window": True},
            ["closure_transition_plan_missing"],
        ),
        (
            "plan_goals_achieved",
            {"age": 17, "turns_18_within_window": True, "transition_plan_recorded": True},
            [],
        ),
        ("unknown_reason", {}, ["closure_reason_unknown"]),
    ],
)
def test_spec_9_closure_reasons_and_their_conditions(reason, changes, expected):
    assert blockers(reason, **changes) == expected


def test_spec_9_blockers_explain_themselves():
    [too_young] = closure_blockers("refuses_support", case(age=14), CRITERIA)
    assert too_young.params == {"min_age": 15, "age": 14}
    assert too_young.text() == "This closure reason applies from age 15; the child is 14."
    [missing] = closure_blockers("refuses_support", case(flags=frozenset()), CRITERIA)
    assert missing.params == {"flag": "refusal_recorded"}
    [transition] = closure_blockers(
        "plan_goals_achieved", case(turns_18_within_window=True), CRITERIA
    )
    assert transition.params == {"months": 6}
