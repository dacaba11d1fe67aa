"""SPEC §1 and §12: sensitive disclosures (sexual violence, CAAFAG, trafficking, health)
are restricted further than the case itself. The redaction of a case read model and of its
history for a viewer without sensitive access."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fanous.domain.protection import (
    FALLBACK_SECTION,
    MASK,
    redact_case,
    redact_changes,
    redact_concerns,
    redact_facts,
    redact_risk_factors,
    restriction_for,
)
from fanous.domain.sop import parse_sop
from fanous.domain.tests.support import PROPERTY, default_sop, default_sop_data

R = restriction_for(default_sop())
ALL_FACTS = sorted({f.code for c in default_sop().concerns for f in c.facts})
SENSITIVE = sorted(R.facts)
PLAIN = sorted(set(ALL_FACTS) - R.facts)


def test_spec_12_the_default_sop_restricts_its_four_sections() -> None:
    assert R.codes == ["sexual_violence", "caafag", "trafficking", "health"]
    assert {"sexual_abuse", "caafag", "trafficking", "ill_health"} <= R.facts
    assert R.concerns == {"sexual_violence", "caafag"}
    assert R.registration_fields == {"health_wellbeing"}


@pytest.mark.parametrize(
    ("facts", "kept"),
    [
        ({"sexual_abuse": True, "hours_per_week": 50}, {"hours_per_week": 50}),
        ({"caafag.currently_associated": True}, {}),
        (
            {"trafficking": False, "ill_health": True, "out_of_school": True},
            {"out_of_school": True},
        ),
        ({}, {}),
    ],
    ids=["sexual-violence", "caafag", "trafficking-health", "empty"],
)
def test_spec_12_sensitive_facts_are_removed(facts: dict[str, Any], kept: dict[str, Any]) -> None:
    assert redact_facts(facts, R) == kept


@pytest.mark.parametrize(
    ("concerns", "kept"),
    [
        (["child_labour", "caafag"], ["child_labour"]),
        (["sexual_violence", "child_labour", "child_marriage"], ["child_labour", "child_marriage"]),
        (["child_labour"], ["child_labour"]),
    ],
)
def test_spec_12_sensitive_concerns_are_removed(concerns: list[str], kept: list[str]) -> None:
    assert redact_concerns(concerns, R) == kept


def test_spec_12_why_lines_naming_a_sensitive_fact_are_removed() -> None:
    factors = [
        {
            "concern": "child_labour",
            "level": "high",
            "factors": [
                {"rule": "worst_form.commercial_sexual_exploitation", "effect": "floor"},
                {"rule": "long_hours", "effect": "raise"},
            ],
        },
        {"concern": "caafag", "level": "high", "factors": [{"rule": "x", "effect": "floor"}]},
    ]
    assert redact_risk_factors(factors, R) == [
        {
            "concern": "child_labour",
            "level": "high",
            "factors": [{"rule": "long_hours", "effect": "raise"}],
        }
    ]


def test_spec_12_case_read_model_lists_every_restricted_section() -> None:
    model = {
        "concerns": ["child_labour", "caafag"],
        "risk": {"level": "high", "factors": []},
        "registration": {"health_wellbeing": "asthma", "work_type": "workshop"},
    }
    out = redact_case(model, R)
    assert out["concerns"] == ["child_labour"]
    assert out["registration"] == {"work_type": "workshop"}
    assert out["risk"]["level"] == "high"  # the level stays: it drives the deadlines
    # Every section, not only those with content: the notice must not disclose anything.
    assert out["restricted_sections"] == R.codes
    assert model["concerns"] == ["child_labour", "caafag"]  # the input is not changed


def test_spec_12_history_changes_are_masked() -> None:
    label = next(
        r.label.en
        for c in default_sop().concerns
        for r in c.matrix.rules
        if r.code == "worst_form.commercial_sexual_exploitation"
    )
    changes = {
        "concerns": [["child_labour"], ["child_labour", "sexual_violence"]],
        "health_wellbeing": ["", "asthma"],
        "registration.health_wellbeing": [None, "•changed•"],
        "facts": {"sexual_abuse": True, "hours_per_week": 40},
        "reason": [None, f"initial assessment: {label}"],
        "status": ["registered", "initial_assessment"],
    }
    assert redact_changes(changes, R) == {
        "concerns": [["child_labour"], ["child_labour"]],
        "facts": {"hours_per_week": 40},
        "reason": [None, MASK],
        "status": ["registered", "initial_assessment"],
    }


def test_spec_12_without_annex_the_facts_marked_sensitive_form_one_section() -> None:
    data = default_sop_data()
    del data["data_protection"]
    sop = parse_sop(data)
    r = restriction_for(sop)
    marked = {f.code for c in sop.concerns for f in c.facts if f.sensitive}
    assert marked
    assert r.codes == [FALLBACK_SECTION]
    assert r.facts == marked
    assert redact_facts(dict.fromkeys(marked, True), r) == {}


@PROPERTY
@given(
    st.dictionaries(
        st.sampled_from(ALL_FACTS) | st.text(min_size=1, max_size=12),
        st.booleans() | st.integers(0, 99) | st.none(),
    )
)
def test_spec_12_no_sensitive_fact_survives_and_others_are_untouched(
    facts: dict[str, Any],
) -> None:
    out = redact_facts(facts, R)
    assert not set(out) & R.facts
    assert out == {k: v for k, v in facts.items() if k not in R.facts}
    # The history uses the same rule, at any depth.
    nested = redact_changes({"facts": facts, "assessment": [None, {"facts": facts}]}, R)
    assert not set(nested["facts"]) & R.facts
    assert not set(nested["assessment"][1]["facts"]) & R.facts


@PROPERTY
@given(st.lists(st.sampled_from([c.code for c in default_sop().concerns]), unique=True))
def test_spec_12_no_sensitive_concern_survives(concerns: list[str]) -> None:
    out = redact_case({"concerns": concerns}, R)["concerns"]
    assert not set(out) & R.concerns
    assert out == [c for c in concerns if c not in R.concerns]
