"""Shared helpers of the domain tests: the default SOP and hypothesis strategies."""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from fanous.domain.risk import Facts
from fanous.domain.sop import (
    AnyOf,
    AtLeast,
    Below,
    ConcernConfig,
    Condition,
    CountAtLeast,
    Direction,
    Effect,
    FactDef,
    FactType,
    Flag,
    In,
    Labels,
    RiskLevel,
    RiskMatrix,
    RiskRule,
    Sop,
    parse_sop,
)

DEFAULT_SOP_PATH = Path(__file__).resolve().parents[2] / "sop" / "default_sop.json"

PROPERTY = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@cache
def _default_sop_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DEFAULT_SOP_PATH.read_text(encoding="utf-8"))
    return data


def default_sop_data() -> dict[str, Any]:
    """A fresh deep copy of the default SOP's JSON, safe to mutate in a test."""
    return copy.deepcopy(_default_sop_data())


@cache
def default_sop() -> Sop:
    return parse_sop(_default_sop_data())


def labels(text: str = "x") -> Labels:
    return Labels(ar="نص " + text, en=text)


# --------------------------------------------------------------------------- facts


def _int_bounds(fact: FactDef) -> tuple[int, int]:
    low = fact.min_value if fact.min_value is not None else 0
    high = fact.max_value if fact.max_value is not None else max(low, 0) + 25
    return low, high


def fact_values(fact: FactDef) -> st.SearchStrategy[bool | int | str | None]:
    """Any value the fact may take, including unanswered (None)."""
    if fact.type is FactType.BOOL:
        return st.none() | st.booleans()
    if fact.type is FactType.INT:
        low, high = _int_bounds(fact)
        return st.none() | st.integers(low, high)
    return st.none() | st.sampled_from(fact.choice_codes)


_TRI_STATE: tuple[bool | None, ...] = (None, False, True)


def facts_for(concern: ConcernConfig) -> st.SearchStrategy[Facts]:
    """A complete facts mapping for ``concern`` (some answers missing).

    Yes/no facts are drawn as one list of small integers: much faster than a
    dictionary of per-fact strategies, which matters with 70-odd facts.
    """
    bools = [f.code for f in concern.facts if f.type is FactType.BOOL]
    others = {f.code: fact_values(f) for f in concern.facts if f.type is not FactType.BOOL}
    states = st.lists(st.integers(0, 2), min_size=len(bools), max_size=len(bools))

    def combine(drawn: tuple[list[int], dict[str, bool | int | str | None]]) -> Facts:
        picks, rest = drawn
        return {**{code: _TRI_STATE[pick] for code, pick in zip(bools, picks, strict=True)}, **rest}

    return st.tuples(states, st.fixed_dictionaries(others)).map(combine)


def present_int(fact: FactDef) -> st.SearchStrategy[int]:
    return st.integers(*_int_bounds(fact))


# --------------------------------------------------------------------------- random matrices


def _fact(code: str, type_: FactType, category: str, direction: Direction, **extra: Any) -> FactDef:
    return FactDef.model_validate(
        {
            "code": code,
            "label": labels(code),
            "type": type_,
            "category": category,
            "direction": direction,
            **extra,
        }
    )


@cache
def _random_facts(
    n_worst: int, n_hazards: int, n_risks: int, n_protective: int
) -> tuple[FactDef, ...]:
    return (
        _fact("age", FactType.INT, "age", Direction.WORSE_WHEN_LOWER, min_value=0, max_value=17),
        _fact(
            "hours",
            FactType.INT,
            "conditions",
            Direction.WORSE_WHEN_HIGHER,
            min_value=0,
            max_value=80,
        ),
        _fact(
            "kind",
            FactType.CHOICE,
            "work_type",
            Direction.NEUTRAL,
            choices=[{"code": c, "label": labels(c)} for c in _KINDS],
        ),
        _fact("note", FactType.BOOL, "context", Direction.NEUTRAL),
        *(
            _fact(f"w{i}", FactType.BOOL, "worst_form", Direction.WORSE_WHEN_TRUE)
            for i in range(n_worst)
        ),
        *(
            _fact(f"h{i}", FactType.BOOL, "hazard", Direction.WORSE_WHEN_TRUE)
            for i in range(n_hazards)
        ),
        *(
            _fact(f"r{i}", FactType.BOOL, "other_risk", Direction.WORSE_WHEN_TRUE)
            for i in range(n_risks)
        ),
        *(
            _fact(f"p{i}", FactType.BOOL, "protective", Direction.BETTER_WHEN_TRUE)
            for i in range(n_protective)
        ),
    )


_KINDS = ("a", "b", "c")


def _pick(draw: st.DrawFn, codes: Sequence[str]) -> str:
    return codes[draw(st.integers(0, len(codes) - 1))]


def _some(draw: st.DrawFn, codes: Sequence[str]) -> tuple[str, ...]:
    chosen = tuple(code for code in codes if draw(st.booleans()))
    return chosen or (_pick(draw, codes),)


def _condition(draw: st.DrawFn, bools: Sequence[str], category: str, worse: bool) -> Condition:
    """A condition on the worse side (for FLOOR/RAISE) or the better side (for LOWER)."""
    # Worse: younger (below an age) or more hours; better: older or fewer hours.
    number_worse_below, number_worse_at_least = ("age", "hours") if worse else ("hours", "age")
    value = draw(st.integers(0, 81))
    kind = draw(st.integers(0, 6))
    if kind == 0:
        return Flag(fact=_pick(draw, bools))
    if kind == 1:
        return AnyOf(facts=_some(draw, bools))
    if kind == 2:
        return AnyOf.model_validate({"category": category})
    if kind == 3:
        listed = _some(draw, bools)
        return CountAtLeast(facts=listed, n=draw(st.integers(1, len(listed))))
    if kind == 4:
        return Below(fact=number_worse_below, value=value)
    if kind == 5:
        return AtLeast(fact=number_worse_at_least, value=value)
    return In(fact="kind", values=_some(draw, _KINDS))


@st.composite
def concern_configs(draw: st.DrawFn) -> ConcernConfig:
    """A random *valid* concern: random facts of every kind and random rules that respect
    the monotonicity and worst-form rules. The validators must accept every one."""
    counts = (
        draw(st.integers(0, 2)),
        draw(st.integers(1, 4)),
        draw(st.integers(0, 3)),
        draw(st.integers(1, 3)),
    )
    facts = _random_facts(*counts)
    worst = [f.code for f in facts if f.category == "worst_form"]
    worse_bools = [f.code for f in facts if f.direction is Direction.WORSE_WHEN_TRUE]
    worse_category = "hazard" if draw(st.booleans()) else "other_risk" if counts[2] else "hazard"
    protective = [f.code for f in facts if f.category == "protective"]
    rules: list[RiskRule] = []
    for index in range(draw(st.integers(0, 8))):
        effect = _EFFECTS[draw(st.integers(0, 2))]
        lower = effect is Effect.LOWER
        when = tuple(
            _condition(draw, protective, "protective", worse=False)
            if lower
            else _condition(draw, worse_bools, worse_category, worse=True)
            for _ in range(draw(st.integers(1, 3)))
        )
        floor = effect is Effect.FLOOR
        rules.append(
            RiskRule(
                code=f"rule{index}",
                label=labels(),
                effect=effect,
                level=_LEVELS[draw(st.integers(0, 3))] if floor else None,
                when=when,
                locked=floor and draw(st.booleans()),
            )
        )
    # The worst forms: covered one by one, or all at once by category.
    if worst and draw(st.booleans()):
        covering = [(AnyOf.model_validate({"category": "worst_form"}),)]
    else:
        covering = [(Flag(fact=code),) for code in worst]
    for index, when in enumerate(covering):
        rules.insert(
            draw(st.integers(0, len(rules))),
            RiskRule(
                code=f"worst{index}",
                label=labels(),
                effect=Effect.FLOOR,
                level=RiskLevel.HIGH,
                locked=True,
                when=when,
            ),
        )
    return ConcernConfig(
        code="random",
        label=labels(),
        facts=facts,
        matrix=RiskMatrix(base=_LEVELS[draw(st.integers(0, 3))], rules=tuple(rules)),
    )


_EFFECTS = tuple(Effect)
_LEVELS = tuple(RiskLevel)
