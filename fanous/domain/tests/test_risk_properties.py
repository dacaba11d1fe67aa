"""Properties of SPEC §4 that hold for the default matrices and for ANY valid matrix.

* a worst form is always high;
* a younger child is never at lower risk than an older one with the same facts;
* adding a hazard (or any fact that makes things worse) never lowers the level;
* adding a protective factor never raises it;
* the level is always one of the four levels, never below a matched locked floor.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fanous.domain.risk import evaluate
from fanous.domain.sop import ConcernConfig, Direction, FactType, RiskLevel
from fanous.domain.tests.support import (
    PROPERTY,
    concern_configs,
    default_sop,
    facts_for,
    present_int,
)

DEFAULT_CONCERNS = [c.code for c in default_sop().concerns]


@st.composite
def default_concerns(draw: st.DrawFn) -> ConcernConfig:
    return default_sop().concern(draw(st.sampled_from(DEFAULT_CONCERNS)))


CONCERNS = {"default matrices": default_concerns(), "random valid matrices": concern_configs()}
concern_sources = pytest.mark.parametrize("concerns", list(CONCERNS.values()), ids=list(CONCERNS))


def _facts(concern: ConcernConfig, *, direction: Direction, type_: FactType) -> tuple[str, ...]:
    # Tuples, not lists: hypothesis reuses strategies built from hashable arguments.
    return tuple(f.code for f in concern.facts if f.direction is direction and f.type is type_)


@concern_sources
@PROPERTY
@given(data=st.data())
def test_spec_4_a_worst_form_is_always_high(concerns, data):
    concern = data.draw(concerns)
    worst = tuple(f.code for f in concern.facts_in("worst_form"))
    if not worst:
        return
    facts = dict(data.draw(facts_for(concern)))
    facts[data.draw(st.sampled_from(worst))] = True
    result = evaluate(concern, facts)
    assert result.level is RiskLevel.HIGH
    assert result.locked_floor is RiskLevel.HIGH


@concern_sources
@PROPERTY
@given(data=st.data())
def test_spec_4_a_younger_child_is_never_at_lower_risk(concerns, data):
    concern = data.draw(concerns)
    facts = dict(data.draw(facts_for(concern)))
    age = concern.fact("age")
    younger, older = sorted((data.draw(present_int(age)), data.draw(present_int(age))))
    assert (
        evaluate(concern, {**facts, "age": younger}).level
        >= evaluate(concern, {**facts, "age": older}).level
    )


@concern_sources
@PROPERTY
@given(data=st.data())
def test_spec_4_adding_a_hazard_or_any_worse_fact_never_lowers_the_level(concerns, data):
    concern = data.draw(concerns)
    facts = dict(data.draw(facts_for(concern)))
    worse = _facts(concern, direction=Direction.WORSE_WHEN_TRUE, type_=FactType.BOOL)
    code = data.draw(st.sampled_from(worse))
    before = evaluate(concern, facts).level
    after = evaluate(concern, {**facts, code: True}).level
    assert after >= before


@concern_sources
@PROPERTY
@given(data=st.data())
def test_spec_4_worse_numbers_never_lower_the_level(concerns, data):
    concern = data.draw(concerns)
    facts = dict(data.draw(facts_for(concern)))
    numbers = [
        f for f in concern.facts if f.type is FactType.INT and f.direction is not Direction.NEUTRAL
    ]
    fact = data.draw(st.sampled_from(numbers))
    low, high = sorted(data.draw(st.lists(present_int(fact), min_size=2, max_size=2)))
    better, worse = (low, high) if fact.direction is Direction.WORSE_WHEN_HIGHER else (high, low)
    assert (
        evaluate(concern, {**facts, fact.code: worse}).level
        >= evaluate(concern, {**facts, fact.code: better}).level
    )


@concern_sources
@PROPERTY
@given(data=st.data())
def test_spec_4_adding_a_protective_factor_never_raises_the_level(concerns, data):
    concern = data.draw(concerns)
    facts = dict(data.draw(facts_for(concern)))
    protective = _facts(concern, direction=Direction.BETTER_WHEN_TRUE, type_=FactType.BOOL)
    code = data.draw(st.sampled_from(protective))
    before = evaluate(concern, facts).level
    after = evaluate(concern, {**facts, code: True}).level
    assert after <= before


@concern_sources
@PROPERTY
@given(data=st.data())
def test_spec_4_the_level_is_one_of_four_and_never_below_a_locked_floor(concerns, data):
    concern = data.draw(concerns)
    result = evaluate(concern, data.draw(facts_for(concern)))
    assert result.level in set(RiskLevel)
    assert result.level >= result.locked_floor
    floors = [f.level for f in result.factors if f.level is not None]
    assert result.level >= concern.matrix.base or any(f.changed for f in result.factors)
    if not result.factors:
        assert result.level is concern.matrix.base
    assert all(level in set(RiskLevel) for level in floors)
