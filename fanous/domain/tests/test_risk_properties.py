"""Properties of SPEC §4 that hold for the default matrices and for ANY valid matrix.

* a worst form is always high;
* a younger child is never at lower risk than an older one with the same facts;
* adding a hazard (or any fact that makes things worse) never lowers the level;
* adding a protective factor never raises it;
* the level is always one of the four levels, never below a matched locked floor.

Each example checks several facts at once: evaluating is cheap, generating is not.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fanous.domain.risk import Facts, evaluate
from fanous.domain.sop import ConcernConfig, Direction, Effect, FactDef, FactType, RiskLevel
from fanous.domain.tests.support import (
    PROPERTY,
    concern_configs,
    default_sop,
    facts_for,
    present_int,
)

DEFAULT_CONCERNS = tuple(c.code for c in default_sop().concerns)
SAMPLE = 12  # facts checked per example


def default_concerns() -> st.SearchStrategy[ConcernConfig]:
    return st.sampled_from(DEFAULT_CONCERNS).map(default_sop().concern)


SOURCES = {"default matrices": default_concerns(), "random valid matrices": concern_configs()}
concern_sources = pytest.mark.parametrize("concerns", list(SOURCES.values()), ids=list(SOURCES))


def _sample(data: st.DataObject, codes: Sequence[str]) -> Sequence[str]:
    """Up to SAMPLE of ``codes``, from a drawn starting point (one draw, wrapping round)."""
    if len(codes) <= SAMPLE:
        return codes
    start = data.draw(st.integers(0, len(codes) - 1))
    return [codes[(start + i) % len(codes)] for i in range(SAMPLE)]


def _bools(concern: ConcernConfig, direction: Direction) -> tuple[str, ...]:
    return tuple(
        f.code for f in concern.facts if f.type is FactType.BOOL and f.direction is direction
    )


def _draw(
    data: st.DataObject, concerns: st.SearchStrategy[ConcernConfig]
) -> tuple[ConcernConfig, Facts]:
    concern = data.draw(concerns, label="concern")
    return concern, data.draw(facts_for(concern), label="facts")


def _level(concern: ConcernConfig, facts: Facts, **changes: bool | int) -> RiskLevel:
    return evaluate(concern, {**facts, **changes}).level


@concern_sources
@PROPERTY
@given(data=st.data())
def test_spec_4_a_worst_form_is_always_high(concerns, data):
    concern, facts = _draw(data, concerns)
    for code in (f.code for f in concern.facts_in("worst_form")):
        result = evaluate(concern, {**facts, code: True})
        assert result.level is RiskLevel.HIGH, code
        assert result.locked_floor is RiskLevel.HIGH, code


@concern_sources
@PROPERTY
@given(data=st.data())
def test_spec_4_a_younger_child_is_never_at_lower_risk(concerns, data):
    concern, facts = _draw(data, concerns)
    age = concern.fact("age")
    assert age.direction is Direction.WORSE_WHEN_LOWER
    ages = sorted(data.draw(st.lists(present_int(age), min_size=2, max_size=6), label="ages"))
    levels = [_level(concern, facts, age=a) for a in ages]
    assert levels == sorted(levels, reverse=True), list(zip(ages, levels, strict=True))


@concern_sources
@PROPERTY
@given(data=st.data())
def test_spec_4_adding_a_hazard_or_any_worse_fact_never_lowers_the_level(concerns, data):
    concern, facts = _draw(data, concerns)
    before = _level(concern, facts)
    for code in _sample(data, _bools(concern, Direction.WORSE_WHEN_TRUE)):
        assert _level(concern, facts, **{code: True}) >= before, code


@concern_sources
@PROPERTY
@given(data=st.data())
def test_spec_4_worse_numbers_never_lower_the_level(concerns, data):
    concern, facts = _draw(data, concerns)
    numbers: list[FactDef] = [
        f for f in concern.facts if f.type is FactType.INT and f.direction is not Direction.NEUTRAL
    ]
    for fact in numbers:
        low, high = sorted((data.draw(present_int(fact)), data.draw(present_int(fact))))
        better, worse = (
            (low, high) if fact.direction is Direction.WORSE_WHEN_HIGHER else (high, low)
        )
        assert _level(concern, facts, **{fact.code: worse}) >= _level(
            concern, facts, **{fact.code: better}
        )


@concern_sources
@PROPERTY
@given(data=st.data())
def test_spec_4_adding_a_protective_factor_never_raises_the_level(concerns, data):
    concern, facts = _draw(data, concerns)
    before = _level(concern, facts)
    for code in _sample(data, _bools(concern, Direction.BETTER_WHEN_TRUE)):
        assert _level(concern, facts, **{code: True}) <= before, code


@concern_sources
@PROPERTY
@given(data=st.data())
def test_spec_4_the_level_is_one_of_four_and_never_below_a_locked_floor(concerns, data):
    concern, facts = _draw(data, concerns)
    result = evaluate(concern, facts)
    assert result.level in set(RiskLevel)
    assert result.level >= result.locked_floor
    if not result.factors:
        assert result.level is concern.matrix.base
    lowered = any(f.changed for f in result.factors if f.effect is Effect.LOWER)
    if not lowered:
        assert all(result.level >= f.level for f in result.factors if f.level is not None)
