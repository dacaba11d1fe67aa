"""Risk levels from the SOP's matrices, and their explanation (SPEC §4)."""

from __future__ import annotations

from typing import Any

import pytest

from fanous.domain.errors import DomainError
from fanous.domain.risk import Factor, effective_level, evaluate, evaluate_case
from fanous.domain.sop import Effect, RiskLevel
from fanous.domain.tests.support import default_sop

HIGH, MEDIUM, LOW, NONE = RiskLevel.HIGH, RiskLevel.MEDIUM, RiskLevel.LOW, RiskLevel.NONE

HOME_AND_SCHOOL = {"lives_with_caregivers": True, "attends_school": True}
ALL_PROTECTIVE = {**HOME_AND_SCHOOL, "family_meets_basic_needs": True, "supportive_adult": True}
WORKSHOP_13: dict[str, bool | int | str] = {
    "age": 13,
    "hours_per_week": 48,
    "work_type": "manufacturing",
    "hazard.chemicals": True,
    "hazard.poor_ventilation": True,
    "hazard.sharp_or_unguarded_tools": True,
}


def child_labour(facts: dict[str, Any]) -> RiskLevel:
    return evaluate(default_sop().concern("child_labour"), facts).level


# (description, facts, expected level)
CHILD_LABOUR_CASES: list[tuple[str, dict[str, Any], RiskLevel]] = [
    ("nothing known", {}, NONE),
    ("14, not working, no risk factor", {"age": 14, "hours_per_week": 0}, NONE),
    (
        "16, shop 30 h/week, in school, lives with parents",
        {"age": 16, "hours_per_week": 30, "work_type": "shops_services", **HOME_AND_SCHOOL},
        LOW,
    ),
    ("16, shop 30 h/week, no protective factor", {"age": 16, "hours_per_week": 30}, LOW),
    ("13, workshop 48 h/week, 3 hazards", WORKSHOP_13, HIGH),
    (
        "13, workshop 48 h/week, 3 hazards, in school with parents",
        {**WORKSHOP_13, **HOME_AND_SCHOOL},
        MEDIUM,
    ),
    (
        "trafficking, all protective factors",
        {"age": 17, "trafficking": True, **ALL_PROTECTIVE},
        HIGH,
    ),
    ("caafag, nothing else known", {"caafag": True}, HIGH),
    (
        "10, street vending 20 h/week",
        {"age": 10, "hours_per_week": 20, "work_type": "street_work"},
        HIGH,
    ),
    (
        "10, street vending 20 h/week, in school with parents",
        {"age": 10, "hours_per_week": 20, "work_type": "street_work", **HOME_AND_SCHOOL},
        MEDIUM,
    ),
    (
        "16, hazardous by nature, all protective factors",
        {"age": 16, "hours_per_week": 20, "hazardous_by_nature": True, **ALL_PROTECTIVE},
        MEDIUM,
    ),
    (
        "17, agriculture 40 h/week, sun exposure, lives with parents",
        {
            "age": 17,
            "hours_per_week": 40,
            "work_type": "agriculture",
            "hazard.weather_exposure": True,
            "lives_with_caregivers": True,
        },
        LOW,
    ),
    (
        "14, not working, separated from family",
        {"age": 14, "hours_per_week": 0, "separated_from_family": True},
        LOW,
    ),
    ("15, domestic work at night", {"age": 15, "hours_per_week": 30, "night_work": True}, MEDIUM),
    (
        "16, beaten at work",
        {"age": 16, "hours_per_week": 30, "hazard.corporal_punishment": True},
        HIGH,
    ),
    ("16, locked in", {"age": 16, "hours_per_week": 30, "hazard.locked_doors": True}, HIGH),
    (
        "16, works on a construction site",
        {"age": 16, "hours_per_week": 20, "work_type": "construction"},
        MEDIUM,
    ),
    ("16, works, has a disability", {"age": 16, "hours_per_week": 20, "disability": True}, MEDIUM),
    (
        "16, sexual abuse, all protective factors",
        {"age": 16, "sexual_abuse": True, **ALL_PROTECTIVE},
        HIGH,
    ),
]


@pytest.mark.parametrize(
    ("facts", "expected"),
    [(facts, level) for _, facts, level in CHILD_LABOUR_CASES],
    ids=[name for name, _, _ in CHILD_LABOUR_CASES],
)
def test_spec_4_default_child_labour_matrix_places_realistic_cases(facts, expected):
    assert child_labour(facts) is expected


OTHER_CONCERN_CASES: list[tuple[str, dict[str, Any], RiskLevel]] = [
    ("child_marriage", {"age": 16, "marriage.planned": True}, MEDIUM),
    ("child_marriage", {"age": 13, "marriage.planned": True}, HIGH),
    (
        "child_marriage",
        {
            "age": 16,
            "marriage.married": True,
            "attends_school": True,
            "marriage.caregivers_oppose": True,
        },
        MEDIUM,
    ),
    (
        "child_marriage",
        {
            "age": 16,
            "marriage.violence": True,
            "attends_school": True,
            "marriage.caregivers_oppose": True,
        },
        HIGH,
    ),
    ("physical_abuse", {"age": 9, "abuse.past_incident": True}, LOW),
    (
        "physical_abuse",
        {"age": 9, "abuse.ongoing": True, "abuse.perpetrator_has_access": True},
        HIGH,
    ),
    ("physical_abuse", {"age": 4, "abuse.ongoing": True}, HIGH),
    ("uasc", {"age": 12, "uasc.unaccompanied": True}, HIGH),
    (
        "uasc",
        {
            "age": 12,
            "uasc.separated": True,
            "uasc.in_alternative_care": True,
            "uasc.in_contact_with_family": True,
        },
        LOW,
    ),
    (
        "caafag",
        {
            "age": 15,
            "caafag.currently_associated": True,
            "caafag.in_reintegration": True,
            "lives_with_caregivers": True,
        },
        HIGH,
    ),
    ("caafag", {"age": 15, "caafag.formerly_associated": True}, MEDIUM),
    (
        "sexual_violence",
        {
            "age": 14,
            "sv.incident_disclosed": True,
            "sv.safe_caregiver": True,
            "sv.receiving_care": True,
        },
        MEDIUM,
    ),
    (
        "sexual_violence",
        {"age": 14, "sv.incident_disclosed": True, "sv.within_72_hours": True},
        HIGH,
    ),
]


@pytest.mark.parametrize(("concern", "facts", "expected"), OTHER_CONCERN_CASES)
def test_spec_2_other_concerns_use_the_same_machinery_with_their_own_matrix(
    concern, facts, expected
):
    assert evaluate(default_sop().concern(concern), facts).level is expected


# --------------------------------------------------------------------------- explanation


def test_spec_4_factors_list_the_rules_that_raised_and_lowered_the_level():
    result = evaluate(default_sop().concern("child_labour"), {**WORKSHOP_13, **HOME_AND_SCHOOL})
    assert result.level is MEDIUM
    assert [(f.rule_code, f.effect, f.changed) for f in result.factors] == [
        ("works_at_all", Effect.FLOOR, True),
        ("long_hours", Effect.FLOOR, True),
        ("several_hazards", Effect.FLOOR, False),
        ("any_hazard", Effect.FLOOR, False),
        ("under_15_working", Effect.FLOOR, False),
        ("under_15_long_hours", Effect.RAISE, True),
        ("protective_home_and_school", Effect.LOWER, True),
    ]
    assert result.locked_floor is LOW
    several = next(f for f in result.factors if f.rule_code == "several_hazards")
    assert several.level is MEDIUM
    assert "hazard.chemicals" in several.facts
    assert "hazard.refrigerators" in several.facts
    assert result.why("en")[-1] == "Protective: lives with caregivers and attends school"
    assert result.why("ar")[0] == "الطفل يعمل: لا يكون مستوى الخطر أقل من متدنٍّ"
    assert result.why("fr")[1] == "43 heures de travail ou plus par semaine"


def test_spec_4_a_locked_worst_form_is_explained_and_protective_factors_do_not_move_it():
    result = evaluate(
        default_sop().concern("child_labour"), {"age": 16, "trafficking": True, **ALL_PROTECTIVE}
    )
    assert result.level is HIGH
    assert result.locked_floor is HIGH
    lowers = [f for f in result.factors if f.effect is Effect.LOWER]
    assert [f.rule_code for f in lowers] == [
        "protective_home_and_school",
        "protective_family_support",
    ]
    assert not any(f.changed for f in lowers)
    assert result.factors[0] == Factor(
        rule_code="worst_form.trafficking",
        effect=Effect.FLOOR,
        level=HIGH,
        label=result.factors[0].label,
        facts=("trafficking",),
        changed=True,
    )


def test_spec_3_missing_facts_tell_the_caseworker_what_to_ask():
    result = evaluate(default_sop().concern("child_labour"), {"age": 16, "hours_per_week": 30})
    assert "trafficking" in result.missing_facts
    assert "hazard.chemicals" in result.missing_facts
    assert "age" not in result.missing_facts
    assert "hours_per_week" not in result.missing_facts
    assert len(result.missing_facts) == len(set(result.missing_facts))
    explicitly_none = evaluate(default_sop().concern("child_labour"), {"age": None})
    assert "age" in explicitly_none.missing_facts


@pytest.mark.parametrize(
    ("facts", "fact"),
    [
        ({"trafficking": "yes"}, "trafficking"),
        ({"age": "12"}, "age"),
        ({"age": True}, "age"),
        ({"hours_per_week": 500}, "hours_per_week"),
        ({"hours_per_week": -1}, "hours_per_week"),
        ({"work_type": "piracy"}, "work_type"),
        ({"age": -2}, "age"),
    ],
)
def test_spec_4_a_fact_of_the_wrong_type_is_refused_rather_than_ignored(facts, fact):
    with pytest.raises(DomainError) as refused:
        evaluate(default_sop().concern("child_labour"), facts)
    assert refused.value.code == "fact_invalid"
    assert refused.value.params["fact"] == fact
    assert refused.value.text().startswith(f"{fact} must be ")


def test_spec_4_facts_of_other_concerns_are_ignored():
    result = evaluate(
        default_sop().concern("child_labour"), {"uasc.unaccompanied": True, "mystery": "x"}
    )
    assert result.level is NONE


# --------------------------------------------------------------------------- the case


def test_spec_4_the_case_level_is_the_highest_across_its_concerns():
    facts = {"age": 16, "hours_per_week": 30, **HOME_AND_SCHOOL, "uasc.unaccompanied": True}
    case = evaluate_case(default_sop(), ["child_labour", "uasc"], facts)
    assert case.level is HIGH
    assert [(r.concern, r.level) for r in case.by_concern] == [
        ("child_labour", LOW),
        ("uasc", HIGH),
    ]
    assert case.result("uasc") is case.by_concern[1]
    assert case.result("caafag") is None


def test_spec_4_a_case_without_concern_is_at_no_risk_and_repeats_are_evaluated_once():
    assert evaluate_case(default_sop(), [], {"trafficking": True}).level is NONE
    twice = evaluate_case(default_sop(), ["child_labour", "child_labour"], {"trafficking": True})
    assert len(twice.by_concern) == 1
    assert twice.level is HIGH


def test_spec_2_an_unknown_concern_is_refused():
    with pytest.raises(DomainError) as refused:
        evaluate_case(default_sop(), ["child_labour", "smuggling"], {})
    assert refused.value.code == "concern_unknown"


@pytest.mark.parametrize(
    ("computed", "override", "expected"),
    [(LOW, None, LOW), (LOW, HIGH, HIGH), (HIGH, LOW, LOW), (MEDIUM, NONE, NONE)],
)
def test_spec_4_a_supervisor_override_wins(computed, override, expected):
    assert effective_level(computed, override) is expected
