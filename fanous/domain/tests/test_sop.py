"""The SOP as data: the default SOP and the schema's refusals (SPEC §2, §4, §6-§9)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from pydantic import BaseModel

from fanous.domain.errors import DomainError
from fanous.domain.sop import (
    Direction,
    FactType,
    Labels,
    RiskLevel,
    parse_sop,
    parse_sop_json,
    review_due_on,
    review_overdue,
)
from fanous.domain.tests.support import default_sop, default_sop_data

Mutation = Callable[[dict[str, Any]], None]


def _concern(data: dict[str, Any], code: str = "child_labour") -> dict[str, Any]:
    return next(c for c in data["concerns"] if c["code"] == code)


def _rule(data: dict[str, Any], code: str, concern: str = "child_labour") -> dict[str, Any]:
    return next(r for r in _concern(data, concern)["matrix"]["rules"] if r["code"] == code)


def _walk_labels(value: object) -> list[Labels]:
    if isinstance(value, Labels):
        return [value]
    if isinstance(value, BaseModel):
        return [
            lab for name in type(value).model_fields for lab in _walk_labels(getattr(value, name))
        ]
    if isinstance(value, tuple):
        return [lab for item in value for lab in _walk_labels(item)]
    return []


# --------------------------------------------------------------------------- the default SOP


def test_spec_2_default_sop_identifies_its_version_area_and_endorsers():
    sop = default_sop()
    assert sop.version == "1.0"
    assert sop.endorsed_on == date(2026, 7, 1)
    assert sop.area_code == "JO-AM"
    assert sop.endorsing_agencies == ("AGN-A", "AGN-B", "AGN-C")
    assert sop.timezone == "Asia/Amman"
    assert sop.review_interval_months == 6
    assert sop.primary_concern == "child_labour"


def test_spec_2_default_sop_covers_the_annexed_protection_concerns():
    codes = [c.code for c in default_sop().concerns]
    assert codes == [
        "child_labour",
        "child_marriage",
        "physical_abuse",
        "uasc",
        "caafag",
        "sexual_violence",
    ]


def test_spec_2_every_label_of_the_default_sop_is_in_arabic_english_and_french():
    all_labels = _walk_labels(default_sop())
    assert len(all_labels) > 200
    for lab in all_labels:
        assert all(text and text.strip() for text in (lab.ar, lab.en, lab.fr)), lab


def test_spec_3_only_consent_to_services_is_required_for_registration():
    sop = default_sop()
    assert [p.code for p in sop.consent_purposes] == ["services", "information_sharing"]
    assert sop.required_consents == frozenset({"services"})
    assert sop.assent_min_age == 7


def test_spec_12_default_sop_restricts_sexual_violence_caafag_trafficking_and_health():
    policy = default_sop().data_protection
    assert policy is not None
    assert [s.code for s in policy.sensitive_sections] == [
        "sexual_violence",
        "caafag",
        "trafficking",
        "health",
    ]
    # Every fact the SOP marks sensitive is restricted by a section.
    flagged = {f.code for c in default_sop().concerns for f in c.facts if f.sensitive}
    assert flagged <= policy.facts
    assert policy.section_of_fact("sv.within_72_hours") == "sexual_violence"
    assert policy.section_of_fact("hazard.heat_humidity") is None
    assert policy.concerns == {"sexual_violence", "caafag"}
    assert policy.registration_fields == {"health_wellbeing"}
    assert policy.break_glass_hours == 24
    assert policy.retention.closed_case_years == 5


def test_spec_2_default_staffing_ratios():
    assert default_sop().staffing.max_cases_per_caseworker == 25
    assert default_sop().staffing.max_caseworkers_per_supervisor == 6


def test_spec_6_the_workplace_hazard_checklist_has_its_six_groups():
    concern = default_sop().concern("child_labour")
    groups = {group.code: items for group, items in concern.hazards_by_group()}
    assert list(groups) == [
        "working_conditions",
        "closed_places",
        "open_places",
        "restrictions_abuse",
        "personal_care",
        "tools_machines",
    ]
    assert {code: len(items) for code, items in groups.items()} == {
        "working_conditions": 5,
        "closed_places": 13,
        "open_places": 9,
        "restrictions_abuse": 9,
        "personal_care": 6,
        "tools_machines": 7,
    }
    hazards = concern.facts_in("hazard")
    assert len(hazards) == 49
    assert all(f.code.startswith("hazard.") and f.type is FactType.BOOL for f in hazards)
    assert concern.fact("hazard.chemicals").label.ar == "كيماويات ومنظفات"


def test_spec_4_child_labour_facts_cover_the_matrix_dimensions():
    concern = default_sop().concern("child_labour")
    assert [f.code for f in concern.facts_in("worst_form")] == [
        "trafficking",
        "caafag",
        "commercial_sexual_exploitation",
        "illicit_activities",
        "forced_or_bonded_labour",
    ]
    assert concern.fact("age").direction is Direction.WORSE_WHEN_LOWER
    assert concern.fact("hours_per_week").direction is Direction.WORSE_WHEN_HIGHER
    assert concern.fact("work_type").type is FactType.CHOICE
    assert {f.code for f in concern.facts_in("protective")} == {
        "lives_with_caregivers",
        "attends_school",
        "family_meets_basic_needs",
        "supportive_adult",
    }
    assert concern.fact("trafficking").sensitive
    assert concern.fact("sexual_abuse").sensitive


def test_spec_9_default_closure_reasons():
    closure = default_sop().closure
    assert [r.code for r in closure.reasons] == [
        "plan_goals_achieved",
        "adolescent_sufficient_improvement",
        "above_minimum_working_age",
        "refuses_support",
        "best_interests_all_support_given",
        "reached_18",
        "transferred",
        "relocated_or_lost_contact",
        "death",
    ]
    refuses = default_sop().closure_reason("refuses_support")
    assert (refuses.min_age, refuses.max_age_exclusive) == (15, 18)
    assert refuses.requires_flags == ("refusal_recorded",)
    assert refuses.requires_approved_plan is False
    assert closure.supervisor_approval_required is True
    assert closure.transition_planning_months == 6


def test_spec_2_unknown_concern_and_closure_reason_are_domain_errors():
    with pytest.raises(DomainError) as concern_error:
        default_sop().concern("smuggling")
    assert concern_error.value.code == "concern_unknown"
    assert concern_error.value.params["concern"] == "smuggling"
    with pytest.raises(DomainError) as reason_error:
        default_sop().closure_reason("bored")
    assert reason_error.value.code == "closure_reason_unknown"


# --------------------------------------------------------------------------- refusals


def _set(path: str, value: object) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = data
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        target[last] = value

    return mutate


def _delete(path: str) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = data
        for part in parents:
            target = target[part]
        del target[last]

    return mutate


def _unlock_trafficking(data: dict[str, Any]) -> None:
    _rule(data, "worst_form.trafficking")["locked"] = False


def _trafficking_floor_medium(data: dict[str, Any]) -> None:
    _rule(data, "worst_form.trafficking")["level"] = "medium"


def _trafficking_with_second_condition(data: dict[str, Any]) -> None:
    _rule(data, "worst_form.trafficking")["when"].append(
        {"kind": "below", "fact": "age", "value": 18}
    )


def _add_rule(rule: dict[str, Any]) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        _concern(data)["matrix"]["rules"].append(
            {"code": "added", "label": {"ar": "قاعدة", "en": "rule"}, **rule}
        )

    return mutate


def _add_fact(fact: dict[str, Any], concern: str = "child_labour") -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        _concern(data, concern)["facts"].append({"label": {"ar": "واقعة", "en": "fact"}, **fact})

    return mutate


def _unknown_closure_flag(data: dict[str, Any]) -> None:
    data["closure"]["reasons"][0]["requires_flags"] = ["moon_is_full"]


def _duplicate_fact(data: dict[str, Any]) -> None:
    facts = _concern(data)["facts"]
    facts.append(dict(facts[0]))


# Each refusal: (what is wrong, the change, (the stable type code, params it names)).
INVALID: list[tuple[str, Mutation, tuple[str, dict[str, object]]]] = [
    (
        "worst form not locked",
        _unlock_trafficking,
        ("worst_form_not_locked_high", {"facts": "trafficking"}),
    ),
    (
        "worst form floored at medium",
        _trafficking_floor_medium,
        ("worst_form_not_locked_high", {"facts": "trafficking"}),
    ),
    (
        "worst form rule with a second condition",
        _trafficking_with_second_condition,
        ("worst_form_not_locked_high", {"facts": "trafficking"}),
    ),
    (
        "lower rule using a hazard",
        _add_rule({"effect": "lower", "when": [{"kind": "flag", "fact": "hazard.chemicals"}]}),
        ("condition_fact_direction", {"fact": "hazard.chemicals", "direction": "worse_when_true"}),
    ),
    (
        "lower rule on any hazard",
        _add_rule({"effect": "lower", "when": [{"kind": "any", "category": "hazard"}]}),
        ("condition_fact_direction", {"direction": "worse_when_true"}),
    ),
    (
        "lower rule for younger children",
        _add_rule({"effect": "lower", "when": [{"kind": "below", "fact": "age", "value": 10}]}),
        ("condition_fact_direction", {"fact": "age", "direction": "worse_when_lower"}),
    ),
    (
        "floor rule on a protective factor",
        _add_rule(
            {
                "effect": "floor",
                "level": "low",
                "when": [{"kind": "flag", "fact": "attends_school"}],
            }
        ),
        ("condition_fact_direction", {"fact": "attends_school"}),
    ),
    (
        "raise rule for fewer hours",
        _add_rule(
            {"effect": "raise", "when": [{"kind": "below", "fact": "hours_per_week", "value": 5}]}
        ),
        ("condition_fact_direction", {"fact": "hours_per_week"}),
    ),
    (
        "flag condition on a number",
        _add_rule({"effect": "raise", "when": [{"kind": "flag", "fact": "age"}]}),
        ("condition_fact_type", {"fact": "age", "fact_type": "int", "expected": "bool"}),
    ),
    (
        "rule naming an unknown fact",
        _add_rule({"effect": "raise", "when": [{"kind": "flag", "fact": "hazard.lava"}]}),
        ("condition_unknown_facts", {"facts": "hazard.lava"}),
    ),
    (
        "count that can never be reached",
        _add_rule(
            {
                "effect": "raise",
                "when": [{"kind": "count_at_least", "n": 3, "facts": ["night_work", "disability"]}],
            }
        ),
        ("condition_count_unreachable", {"n": 3, "listed": 2}),
    ),
    (
        "choice that does not exist",
        _add_rule(
            {"effect": "raise", "when": [{"kind": "in", "fact": "work_type", "values": ["piracy"]}]}
        ),
        ("condition_unknown_choices", {"values": "piracy"}),
    ),
    (
        "floor rule without a level",
        _add_rule({"effect": "floor", "when": [{"kind": "flag", "fact": "night_work"}]}),
        ("rule_floor_needs_level", {"rule": "added"}),
    ),
    (
        "raise rule with a level",
        _add_rule(
            {"effect": "raise", "level": "high", "when": [{"kind": "flag", "fact": "night_work"}]}
        ),
        ("rule_level_not_floor", {"rule": "added"}),
    ),
    (
        "locked lower rule",
        _add_rule(
            {
                "effect": "lower",
                "locked": True,
                "when": [{"kind": "flag", "fact": "attends_school"}],
            }
        ),
        ("rule_lock_not_floor", {"rule": "added"}),
    ),
    (
        "rule with no condition",
        _add_rule({"effect": "raise", "when": []}),
        ("too_short", {"min_length": 1}),
    ),
    (
        "bool fact that worsens when higher",
        _add_fact(
            {
                "code": "x",
                "type": "bool",
                "category": "other_risk",
                "direction": "worse_when_higher",
            }
        ),
        ("fact_direction_not_allowed", {"fact_type": "bool", "direction": "worse_when_higher"}),
    ),
    (
        "protective fact that worsens",
        _add_fact(
            {"code": "x", "type": "bool", "category": "protective", "direction": "worse_when_true"}
        ),
        ("fact_category_shape", {"category": "protective", "fact_type": "bool"}),
    ),
    (
        "hazard without its group",
        _add_fact(
            {
                "code": "hazard.x",
                "type": "bool",
                "category": "hazard",
                "direction": "worse_when_true",
            }
        ),
        ("hazard_fact_without_group", {"fact": "hazard.x"}),
    ),
    (
        "hazard in an unknown group",
        _add_fact(
            {
                "code": "hazard.x",
                "type": "bool",
                "category": "hazard",
                "direction": "worse_when_true",
                "group": "volcanoes",
            }
        ),
        ("fact_unknown_hazard_group", {"group": "volcanoes"}),
    ),
    ("duplicate fact code", _duplicate_fact, ("concern_duplicate_facts", {"codes": "age"})),
    (
        "a shared fact defined differently",
        _add_fact(
            {
                "code": "night_work",
                "type": "int",
                "category": "conditions",
                "direction": "worse_when_higher",
            },
            concern="child_marriage",
        ),
        ("fact_defined_differently", {"fact": "night_work"}),
    ),
    ("missing Arabic label", _delete("title.ar"), ("missing", {"location": "title.ar"})),
    (
        "empty Arabic label",
        _set("title.ar", "  "),
        ("string_too_short", {"location": "title.ar"}),
    ),
    (
        "medium plan deadline shorter than high's",
        _set("timeframes.medium.plan_due_days", 2),
        (
            "deadline_longer_than_lower_level",
            {"setting": "plan_due_days", "higher": "high", "days": 3, "lower_days": 2},
        ),
    ),
    (
        "high risk without a plan deadline while low has one",
        _delete("timeframes.high.plan_due_days"),
        (
            "timeframe_missing_for_higher_level",
            {"setting": "plan_due_days", "higher": "high", "lower": "medium"},
        ),
    ),
    (
        "low risk followed up more often than medium",
        _set("timeframes.low.follow_up_initial", {"times": 2, "period_days": 7}),
        (
            "follow_up_less_often_than_lower_level",
            {"setting": "follow_up_initial", "higher": "medium", "lower": "low"},
        ),
    ),
    (
        "zero visits",
        _set("timeframes.low.follow_up_stable", {"times": 0, "period_days": 30}),
        ("greater_than_equal", {"ge": 1, "location": "timeframes.low.follow_up_stable.times"}),
    ),
    (
        "closure reason with an unknown flag",
        _unknown_closure_flag,
        ("closure_unknown_flags", {"flags": "moon_is_full"}),
    ),
    (
        "supervisor approval of closure switched off",
        _set("closure.supervisor_approval_required", False),
        ("literal_error", {"location": "closure.supervisor_approval_required"}),
    ),
    (
        "primary concern not configured",
        _set("primary_concern", "smuggling"),
        ("primary_concern_unknown", {"concern": "smuggling"}),
    ),
    (
        "unknown key",
        _set("timeframes.high.notes", "as soon as possible"),
        ("extra_forbidden", {"location": "timeframes.high.notes"}),
    ),
    (
        "unknown time zone",
        _set("timezone", "Mars/Olympus"),
        ("timezone_unknown", {"timezone": "Mars/Olympus"}),
    ),
    (
        "eligibility nobody can meet",
        _set("eligibility.min_criteria", 9),
        ("eligibility_unreachable", {"min_criteria": 9}),
    ),
    (
        "sensitive section naming an unknown fact",
        _set("data_protection.sensitive_sections.0.facts", ["sv.unheard_of"]),
        ("sensitive_fact_unknown", {"codes": "sv.unheard_of"}),
    ),
    (
        "sensitive fact left in no section",
        _set("data_protection.sensitive_sections.2.facts", ["illicit_activities"]),
        ("sensitive_fact_unrestricted", {"codes": "trafficking"}),
    ),
    (
        "fact in two sensitive sections",
        _set("data_protection.sensitive_sections.3.facts", ["ill_health", "trafficking"]),
        ("sensitive_fact_in_two_sections", {"codes": "trafficking"}),
    ),
    (
        "sensitive section naming an unknown concern",
        _set("data_protection.sensitive_sections.1.concerns", ["militias"]),
        ("sensitive_concern_unknown", {"codes": "militias"}),
    ),
    (
        "registration field that cannot be restricted",
        _set("data_protection.sensitive_sections.3.registration_fields", ["work_type"]),
        ("sensitive_registration_field_unknown", {"fields": "work_type"}),
    ),
    (
        "export consent purpose not in the SOP",
        _set("data_protection.export_consent_purpose", "publicity"),
        ("export_consent_purpose_unknown", {"purpose": "publicity"}),
    ),
    (
        "break-glass longer than three days",
        _set("data_protection.break_glass_hours", 100),
        ("less_than_equal", {"location": "data_protection.break_glass_hours"}),
    ),
    (
        "endorsement date that is not a date",
        _set("endorsed_on", "soon"),
        ("date_from_datetime_parsing", {"location": "endorsed_on"}),
    ),
]


@pytest.mark.parametrize(
    ("mutation", "expected"), [(m, e) for _, m, e in INVALID], ids=[i for i, _, _ in INVALID]
)
def test_spec_2_and_4_an_invalid_sop_is_refused_with_a_readable_reason(mutation, expected):
    data = default_sop_data()
    mutation(data)
    with pytest.raises(DomainError) as refused:
        parse_sop(data)
    error = refused.value
    assert error.code == "sop_invalid"
    assert error.reasons, "each problem is listed"
    assert all(r.code == "sop_field_invalid" for r in error.reasons)
    kind, params = expected
    found = [dict(r.params) for r in error.reasons if r.params["type"] == kind]
    assert found, [(r.params["type"], r.text()) for r in error.reasons]
    assert any(params.items() <= p.items() for p in found), found


def test_spec_2_refusal_names_the_location_of_each_problem():
    data = default_sop_data()
    data["timeframes"]["medium"]["plan_due_days"] = 2
    data["title"]["ar"] = ""
    with pytest.raises(DomainError) as refused:
        parse_sop(data)
    locations = sorted(str(r.params["location"]) for r in refused.value.reasons)
    assert locations == ["timeframes", "title.ar"]
    assert refused.value.params["count"] == 2


def test_spec_2_sop_json_syntax_error_is_refused():
    with pytest.raises(DomainError) as refused:
        parse_sop_json('{"version": "1.0",')
    assert refused.value.code == "sop_invalid"
    with pytest.raises(DomainError):
        parse_sop_json("[1, 2]")


def test_spec_2_the_sop_is_frozen():
    with pytest.raises(ValueError, match="frozen"):
        default_sop().version = "2.0"  # type: ignore[misc]


# --------------------------------------------------------------------------- review


@pytest.mark.parametrize(
    ("endorsed", "months", "due"),
    [
        ("2026-07-01", 6, date(2027, 1, 1)),
        ("2026-08-31", 6, date(2027, 2, 28)),
        ("2027-08-31", 6, date(2028, 2, 29)),
        ("2026-12-15", 12, date(2027, 12, 15)),
        ("2026-03-31", 1, date(2026, 4, 30)),
    ],
)
def test_spec_2_review_is_due_after_the_review_interval(endorsed, months, due):
    data = default_sop_data()
    data["endorsed_on"] = endorsed
    data["review_interval_months"] = months
    assert review_due_on(parse_sop(data)) == due


@pytest.mark.parametrize(
    ("today", "overdue"),
    [(date(2026, 12, 31), False), (date(2027, 1, 1), False), (date(2027, 1, 2), True)],
)
def test_spec_2_review_is_overdue_only_after_the_due_date(today, overdue):
    assert review_overdue(default_sop(), today) is overdue


# --------------------------------------------------------------------------- values


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("ar", "عربي"),
        ("en", "English"),
        ("fr", "Français"),
        ("fr-FR", "Français"),
        ("de", "English"),
    ],
)
def test_spec_preamble_labels_are_shown_in_the_requested_language_else_english(lang, expected):
    """SPEC preamble: Arabic first, English and French follow."""
    assert Labels(ar="عربي", en="English", fr="Français").get(lang) == expected


def test_spec_preamble_labels_fall_back_to_english_then_arabic():
    assert Labels(ar="عربي", en="English").get("fr") == "English"
    assert Labels(ar="عربي", en="").get("fr") == "عربي"


def test_spec_4_risk_levels_compare_by_severity_not_alphabetically():
    assert [level.rank for level in RiskLevel] == [0, 1, 2, 3]
    assert RiskLevel.HIGH > RiskLevel.MEDIUM > RiskLevel.LOW > RiskLevel.NONE
    assert max([RiskLevel.MEDIUM, RiskLevel.HIGH, RiskLevel.LOW]) is RiskLevel.HIGH
    assert sorted(RiskLevel) == [RiskLevel.NONE, RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH]
    assert RiskLevel.highest([]) is RiskLevel.NONE
    assert RiskLevel.highest([RiskLevel.LOW, RiskLevel.MEDIUM]) is RiskLevel.MEDIUM


@pytest.mark.parametrize(
    ("level", "n", "expected"),
    [
        (RiskLevel.LOW, 1, RiskLevel.MEDIUM),
        (RiskLevel.HIGH, 1, RiskLevel.HIGH),
        (RiskLevel.LOW, -1, RiskLevel.NONE),
        (RiskLevel.NONE, -3, RiskLevel.NONE),
        (RiskLevel.NONE, 7, RiskLevel.HIGH),
    ],
)
def test_spec_4_risk_level_steps_are_clamped(level, n, expected):
    assert level.step(n) is expected


def test_spec_2_reasons_are_msgids_with_named_values_never_pydantic_english():
    """Every reason is a msgid the Django layer translates with its params (SPEC preamble)."""
    for _, mutation, _expected in INVALID:
        data = default_sop_data()
        mutation(data)
        with pytest.raises(DomainError) as refused:
            parse_sop(data)
        for reason in refused.value.reasons:
            assert "Input should" not in reason.text(), reason
            assert "Value error" not in reason.text(), reason
            assert reason.params["type"] != "value_error", reason
            assert "%(location)s" not in reason.message, "the location is shown beside it"
            assert "%(" not in reason.text(), reason


def test_spec_5_timeframe_refusal_reads_well_in_english():
    data = default_sop_data()
    data["timeframes"]["high"]["plan_due_days"] = 10
    with pytest.raises(DomainError) as refused:
        parse_sop(data)
    (reason,) = refused.value.reasons
    assert reason.text() == (
        "plan_due_days: “high” (10 days) must not be longer than “medium” (7 days)."
    )
    assert reason.params["location"] == "timeframes"
