"""Eligibility for case management (SPEC §2, §3)."""

from __future__ import annotations

import pytest

from fanous.domain.eligibility import evaluate_eligibility
from fanous.domain.errors import DomainError
from fanous.domain.tests.support import default_sop

RULES = default_sop().eligibility


@pytest.mark.parametrize(
    ("age", "met", "eligible", "codes"),
    [
        (12, ["in_child_labour"], True, []),
        (17, ["worst_form", "hazardous_work"], True, []),
        (9, ["at_risk_of_child_labour"], True, []),
        (None, ["in_child_labour"], True, []),
        (18, ["in_child_labour"], False, ["eligibility_age"]),
        (12, [], False, ["eligibility_criteria_not_met"]),
        (19, [], False, ["eligibility_age", "eligibility_criteria_not_met"]),
        (12, ["in_child_labour", "in_child_labour"], True, []),
    ],
)
def test_spec_3_eligibility_for_case_management(age, met, eligible, codes):
    result = evaluate_eligibility(RULES, age, met)
    assert result.eligible is eligible
    assert [r.code for r in result.reasons] == codes


def test_spec_3_an_unknown_criterion_is_an_error_not_a_silent_no():
    with pytest.raises(DomainError) as refused:
        evaluate_eligibility(RULES, 12, ["in_child_labour", "likes_football"])
    assert refused.value.code == "eligibility_criterion_unknown"
    assert refused.value.params["codes"] == "likes_football"


def test_spec_3_not_eligible_reasons_say_why():
    result = evaluate_eligibility(RULES, 18, [])
    assert [r.text() for r in result.reasons] == [
        "Case management is for children under 18; this person is 18.",
        "At least 1 eligibility criteria must be met; 0 are.",
    ]
