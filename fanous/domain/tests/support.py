"""Shared helpers of the domain tests: the default SOP and hypothesis strategies."""

from __future__ import annotations

import copy
import json
import os
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

# Sized for the whole domain suite to run in under 5 seconds; raise it for a
# deeper search: FANOUS_PROPERTY_EXAMPLES=2000 pytest fanous/domain
PROPERTY = settings(
    max_examples=int(os.environ.get("FANOUS_PROPERTY_EXAMPLES", "50")),
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


class _Digits:
    """Reads small choices out of one big drawn integer (mixed-radix digits).

    Hypothesis pays a fixed price per draw; a random matrix needs about a
    hundred small choices, so they all come from a single integer. Zero decodes
    to the simplest matrix, so failures still shrink to small examples.
    """

    def __init__(self, value: int) -> None:
        self.value = value

    def take(self, n: int) -> int:
        """A choice in range(n)."""
        self.value, digit = divmod(self.value, n)
        return digit

    def between(self, low: int, high: int) -> int:
        return low + self.take(high - low + 1)

    def flag(self) -> bool:
        return self.take(2) == 1

    def pick(self, codes: Sequence[str]) -> str:
        return codes[self.take(len(codes))]

    def some(self, codes: Sequence[str]) -> tuple[str, ...]:
        chosen = tuple(code for code in codes if self.flag())
        return chosen or (self.pick(codes),)


def _from_bytes(raw: bytes) -> int:
    return int.from_bytes(raw, "little")


def facts_for(concern: ConcernConfig) -> st.SearchStrategy[Facts]:
    """A complete facts mapping for ``concern`` (some answers missing)."""
    # Building strategies is costly in hypothesis; concerns share fact lists.
    return _facts_strategy(concern.facts)


@cache
def _facts_strategy(facts: tuple[FactDef, ...]) -> st.SearchStrategy[Facts]:
    """See :func:`facts_for`.

    About ``density`` of the yes/no facts are true, the rest unanswered or
    false: realistic cases have a few risk factors, not half the checklist.
    The answers are decoded from ONE draw of bytes (see :class:`_Digits`):
    one draw instead of seventy keeps the property tests within their time
    budget, and it still shrinks towards "nothing answered".
    """
    bools = [f.code for f in facts if f.type is FactType.BOOL]
    others = {f.code: fact_values(f) for f in facts if f.type is not FactType.BOOL}

    def combine(drawn: tuple[int, int, dict[str, bool | int | str | None]]) -> Facts:
        density, seed, rest = drawn
        digits = _Digits(seed)
        answers: dict[str, bool | int | str | None] = {
            code: True
            if digits.take(len(bools)) >= len(bools) - density
            else (None, False)[digits.take(2)]
            for code in bools
        }
        return {**answers, **rest}

    return st.tuples(
        st.integers(0, min(len(bools), 8)),
        st.binary(min_size=len(bools) + 2, max_size=len(bools) + 2).map(_from_bytes),
        st.fixed_dictionaries(others),
    ).map(combine)


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


def _condition(digits: _Digits, bools: Sequence[str], category: str, worse: bool) -> Condition:
    """A condition on the worse side (for FLOOR/RAISE) or the better side (for LOWER)."""
    # Worse: younger (below an age) or more hours; better: older or fewer hours.
    number_below, number_at_least = ("age", "hours") if worse else ("hours", "age")
    kind = digits.take(7)
    if kind == 0:
        return Flag(fact=digits.pick(bools))
    if kind == 1:
        return AnyOf(facts=digits.some(bools))
    if kind == 2:
        return AnyOf.model_validate({"category": category})
    if kind == 3:
        listed = digits.some(bools)
        return CountAtLeast(facts=listed, n=digits.between(1, len(listed)))
    if kind == 4:
        return Below(fact=number_below, value=digits.between(0, 81))
    if kind == 5:
        return AtLeast(fact=number_at_least, value=digits.between(0, 81))
    return In(fact="kind", values=digits.some(_KINDS))


def _random_concern(seed: int) -> ConcernConfig:
    digits = _Digits(seed)
    counts = (
        digits.between(0, 2),
        digits.between(1, 4),
        digits.between(0, 3),
        digits.between(1, 3),
    )
    facts = _random_facts(*counts)
    worst = [f.code for f in facts if f.category == "worst_form"]
    worse_bools = [f.code for f in facts if f.direction is Direction.WORSE_WHEN_TRUE]
    worse_category = "other_risk" if counts[2] and digits.flag() else "hazard"
    protective = [f.code for f in facts if f.category == "protective"]
    rules: list[RiskRule] = []
    for index in range(digits.between(0, 8)):
        effect = _EFFECTS[digits.take(3)]
        lower = effect is Effect.LOWER
        when = tuple(
            _condition(digits, protective, "protective", worse=False)
            if lower
            else _condition(digits, worse_bools, worse_category, worse=True)
            for _ in range(digits.between(1, 3))
        )
        floor = effect is Effect.FLOOR
        rules.append(
            RiskRule(
                code=f"rule{index}",
                label=labels(),
                effect=effect,
                level=_LEVELS[digits.take(4)] if floor else None,
                when=when,
                locked=floor and digits.flag(),
            )
        )
    # The worst forms: covered one by one, or all at once by category.
    covering: list[tuple[Condition, ...]]
    if worst and digits.flag():
        covering = [(AnyOf.model_validate({"category": "worst_form"}),)]
    else:
        covering = [(Flag(fact=code),) for code in worst]
    for index, when in enumerate(covering):
        rules.insert(
            digits.take(len(rules) + 1),
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
        matrix=RiskMatrix(base=_LEVELS[digits.take(4)], rules=tuple(rules)),
    )


def concern_configs() -> st.SearchStrategy[ConcernConfig]:
    """A random *valid* concern: random facts of every kind and random rules that respect
    the monotonicity and worst-form rules. The validators must accept every one."""
    return st.binary(min_size=80, max_size=80).map(_from_bytes).map(_random_concern)


_EFFECTS = tuple(Effect)
_LEVELS = tuple(RiskLevel)
