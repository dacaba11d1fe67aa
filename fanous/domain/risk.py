"""Risk level of a case from the SOP's risk matrix (SPEC §4).

The algorithm, for one concern:

1. start at the matrix ``base`` level;
2. every matched FLOOR rule lifts the level to at least its level;
3. every matched RAISE rule moves it one step up (never above HIGH);
4. every matched LOWER rule (protective factors) moves it one step down, never
   below NONE and never below the highest *locked* floor that matched.

A condition on a fact that is missing (or None) is false: an unanswered
question never raises nor lowers the level, and is reported in
``missing_facts`` so the caseworker can complete the assessment.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from fanous.domain.errors import DomainError
from fanous.domain.i18n import gettext_noop
from fanous.domain.sop import (
    AnyOf,
    AtLeast,
    Below,
    ConcernConfig,
    Condition,
    CountAtLeast,
    Effect,
    FactDef,
    FactType,
    Flag,
    In,
    Labels,
    RiskLevel,
    RiskRule,
    Sop,
)

__all__ = [
    "CaseRisk",
    "Factor",
    "Facts",
    "RiskResult",
    "effective_level",
    "evaluate",
    "evaluate_case",
]

Facts = Mapping[str, bool | int | str | None]


@dataclass(frozen=True)
class Factor:
    """A rule of the matrix that matched, and what it did."""

    rule_code: str
    effect: Effect
    level: RiskLevel | None
    label: Labels
    facts: tuple[str, ...]  # the facts the rule looked at
    # False when the rule matched but could not move the level (a floor already
    # exceeded, a raise at HIGH, a lower stopped by a locked floor or at NONE).
    changed: bool = True


@dataclass(frozen=True)
class RiskResult:
    """The level of one concern and why."""

    concern: str
    level: RiskLevel
    factors: tuple[Factor, ...]  # matched rules in the order applied
    locked_floor: RiskLevel
    missing_facts: tuple[str, ...]  # facts some rule referenced that were absent

    def why(self, lang: str) -> list[str]:
        """One line per matched rule, in the order applied: the rule's label in ``lang``."""
        return [factor.label.get(lang) for factor in self.factors]


@dataclass(frozen=True)
class CaseRisk:
    """The level of a case: the highest level across its concerns."""

    level: RiskLevel
    by_concern: tuple[RiskResult, ...]

    def result(self, concern: str) -> RiskResult | None:
        """The result of ``concern``, if it was evaluated."""
        return next((r for r in self.by_concern if r.concern == concern), None)


def _invalid(
    concern: ConcernConfig, fact: FactDef, value: object, message: str, **params: object
) -> DomainError:
    return DomainError(
        "fact_invalid",
        message,
        {"fact": fact.code, "concern": concern.code, "value": repr(value), **params},
    )


def _check_value(concern: ConcernConfig, fact: FactDef, value: bool | int | str) -> None:
    """Refuse values of the wrong type: a typo must not silently change a risk level."""
    if fact.type is FactType.BOOL:
        if not isinstance(value, bool):
            raise _invalid(
                concern, fact, value, gettext_noop("%(fact)s must be yes or no, not %(value)s.")
            )
    elif fact.type is FactType.INT:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _invalid(
                concern,
                fact,
                value,
                gettext_noop("%(fact)s must be a whole number, not %(value)s."),
            )
        too_low = fact.min_value is not None and value < fact.min_value
        too_high = fact.max_value is not None and value > fact.max_value
        if too_low or too_high:
            if fact.min_value is None:
                message = gettext_noop("%(fact)s must be at most %(max)s, not %(value)s.")
            elif fact.max_value is None:
                message = gettext_noop("%(fact)s must be at least %(min)s, not %(value)s.")
            else:
                message = gettext_noop(
                    "%(fact)s must be between %(min)s and %(max)s, not %(value)s."
                )
            raise _invalid(concern, fact, value, message, min=fact.min_value, max=fact.max_value)
    elif not isinstance(value, str) or value not in fact.choice_codes:
        raise _invalid(
            concern,
            fact,
            value,
            gettext_noop("%(fact)s must be one of %(choices)s, not %(value)s."),
            choices=", ".join(fact.choice_codes),
        )


def _holds(condition: Condition, referenced: tuple[str, ...], values: Facts) -> bool:
    """Whether ``condition`` holds; a missing or None fact makes a comparison false."""
    match condition:
        case Flag(fact=code):
            return values.get(code) is True
        case AnyOf():
            return any(values.get(code) is True for code in referenced)
        case CountAtLeast(n=n):
            return sum(values.get(code) is True for code in referenced) >= n
        case Below(fact=code, value=bound):
            value = values.get(code)
            return isinstance(value, int) and value < bound
        case AtLeast(fact=code, value=bound):
            value = values.get(code)
            return isinstance(value, int) and value >= bound
        case In(fact=code, values=choices):
            return values.get(code) in choices
    raise AssertionError(condition)  # pragma: no cover - the union is exhaustive


def evaluate(concern: ConcernConfig, facts: Facts) -> RiskResult:
    """The risk level of ``concern`` given ``facts`` (SPEC §4), with the factors behind it.

    ``facts`` maps fact codes to values; it may hold facts of other concerns
    (ignored) and always ``"age"`` in completed years when known. Values of the
    wrong type raise DomainError ``fact_invalid``.
    """
    defs = {fact.code: fact for fact in concern.facts}
    values: dict[str, bool | int | str] = {}
    for code, value in facts.items():
        fact = defs.get(code)
        if fact is None or value is None:
            continue
        _check_value(concern, fact, value)
        values[code] = value

    missing: dict[str, None] = {}
    matched: list[tuple[RiskRule, tuple[str, ...]]] = []
    for rule in concern.matrix.rules:
        looked_at: dict[str, None] = {}
        holds = True
        for condition in rule.when:
            referenced = condition.referenced(concern.facts)
            looked_at.update(dict.fromkeys(referenced))
            missing.update(dict.fromkeys(code for code in referenced if code not in values))
            holds = holds and _holds(condition, referenced, values)
        if holds:
            matched.append((rule, tuple(looked_at)))

    factors: list[Factor] = []
    level = concern.matrix.base
    locked = RiskLevel.NONE
    for effect in (Effect.FLOOR, Effect.RAISE, Effect.LOWER):
        for rule, rule_facts in matched:
            if rule.effect is not effect:
                continue
            before = level
            if effect is Effect.FLOOR:
                assert rule.level is not None  # enforced by RiskRule
                level = max(level, rule.level)
                if rule.locked:
                    locked = max(locked, rule.level)
            elif effect is Effect.RAISE:
                level = level.step(1)
            else:
                level = max(level.step(-1), locked)
            factors.append(
                Factor(rule.code, rule.effect, rule.level, rule.label, rule_facts, level != before)
            )

    return RiskResult(
        concern=concern.code,
        level=level,
        factors=tuple(factors),
        locked_floor=locked,
        missing_facts=tuple(missing),
    )


def evaluate_case(sop: Sop, concerns: Iterable[str], facts: Facts) -> CaseRisk:
    """Evaluate every concern of a case; the case level is the highest (SPEC §4).

    An unknown concern code raises DomainError ``concern_unknown``. A case with
    no concern is at NONE.
    """
    results = tuple(evaluate(sop.concern(code), facts) for code in dict.fromkeys(concerns))
    return CaseRisk(RiskLevel.highest(r.level for r in results), results)


def effective_level(computed: RiskLevel, override: RiskLevel | None) -> RiskLevel:
    """The level in force: a supervisor's recorded override wins over the computed level."""
    return computed if override is None else override
