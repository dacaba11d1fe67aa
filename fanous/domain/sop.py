"""The SOP as data (SPEC §2): pydantic schemas of one endorsed SOP version.

An SOP version is agreed by the inter-agency coordination group of an area and
loaded from JSON (``fanous/sop/default_sop.json`` is the default). Every model is
frozen and refuses unknown keys, so a typo in a configuration file is an error,
not a silently ignored setting. The validators below are what make the risk
properties of SPEC §4 hold for *any* accepted configuration: see
:class:`ConcernConfig`.
"""

from __future__ import annotations

import json
import zoneinfo
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from enum import StrEnum
from fractions import Fraction
from typing import Annotated, Any, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from fanous.domain.dates import add_months
from fanous.domain.errors import DomainError, Reason
from fanous.domain.i18n import gettext_noop

__all__ = [
    "CATEGORIES",
    "AnyOf",
    "AtLeast",
    "Below",
    "Category",
    "Choice",
    "ClosureCriteria",
    "ClosureFlag",
    "ClosureReason",
    "ConcernConfig",
    "Condition",
    "ConsentPurpose",
    "CountAtLeast",
    "Direction",
    "Effect",
    "Eligibility",
    "EligibilityCriterion",
    "FactDef",
    "FactType",
    "Flag",
    "FollowUpPhase",
    "Frequency",
    "HazardGroup",
    "In",
    "Labels",
    "Lang",
    "LevelTimeframes",
    "RiskLevel",
    "RiskMatrix",
    "RiskRule",
    "Sop",
    "StaffingRatios",
    "Timeframes",
    "parse_sop",
    "parse_sop_json",
    "review_due_on",
    "review_overdue",
]

Lang = Literal["ar", "en", "fr"]
Code = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_.]*$", max_length=80)]
NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Category = Literal[
    "age", "work_type", "worst_form", "conditions", "hazard", "other_risk", "protective", "context"
]
CATEGORIES: tuple[str, ...] = (
    "age",
    "work_type",
    "worst_form",
    "conditions",
    "hazard",
    "other_risk",
    "protective",
    "context",
)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _duplicates(codes: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    dupes: list[str] = []
    for code in codes:
        if code in seen and code not in dupes:
            dupes.append(code)
        seen.add(code)
    return dupes


# --------------------------------------------------------------------------- labels


class Labels(_Frozen):
    """A text in the SOP's languages. Arabic is the users' first language: it is required."""

    ar: NonEmpty
    en: str
    fr: str | None = None

    def get(self, lang: str) -> str:
        """The text in ``lang`` (``"ar"``, ``"fr-FR"``...), else English, else Arabic."""
        code = lang.split("-")[0].split("_")[0].lower()
        requested = {"ar": self.ar, "en": self.en, "fr": self.fr}.get(code)
        return requested or self.en or self.ar


# --------------------------------------------------------------------------- risk levels


class RiskLevel(StrEnum):
    """The four risk levels of SPEC §4. Levels compare by severity, not alphabetically."""

    NONE = "none"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def rank(self) -> int:
        """0 for NONE up to 3 for HIGH."""
        return _RANKS[self]

    @property
    def label(self) -> str:
        """English msgid of the level's name."""
        return _LEVEL_LABELS[self]

    @classmethod
    def from_rank(cls, rank: int) -> RiskLevel:
        """The level of ``rank``, clamped to NONE..HIGH."""
        return _BY_RANK[max(0, min(rank, len(_BY_RANK) - 1))]

    @classmethod
    def highest(cls, levels: Iterable[RiskLevel]) -> RiskLevel:
        """The most severe of ``levels``; NONE if there are none."""
        return max(levels, key=lambda level: level.rank, default=cls.NONE)

    def step(self, n: int) -> RiskLevel:
        """``n`` steps up (negative: down), clamped to NONE..HIGH."""
        return RiskLevel.from_rank(self.rank + n)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, RiskLevel):
            return NotImplemented
        return self.rank < other.rank

    def __le__(self, other: object) -> bool:
        if not isinstance(other, RiskLevel):
            return NotImplemented
        return self.rank <= other.rank

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, RiskLevel):
            return NotImplemented
        return self.rank > other.rank

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, RiskLevel):
            return NotImplemented
        return self.rank >= other.rank


_BY_RANK: tuple[RiskLevel, ...] = (RiskLevel.NONE, RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH)
_RANKS: dict[RiskLevel, int] = {level: rank for rank, level in enumerate(_BY_RANK)}
_LEVEL_LABELS: dict[RiskLevel, str] = {
    RiskLevel.NONE: gettext_noop("No risk"),
    RiskLevel.LOW: gettext_noop("Low risk"),
    RiskLevel.MEDIUM: gettext_noop("Medium risk"),
    RiskLevel.HIGH: gettext_noop("High risk"),
}


# --------------------------------------------------------------------------- facts


class FactType(StrEnum):
    BOOL = "bool"
    INT = "int"
    CHOICE = "choice"


class Direction(StrEnum):
    """Which way a fact moves the risk. This is what the monotonicity checks rely on."""

    WORSE_WHEN_TRUE = "worse_when_true"
    BETTER_WHEN_TRUE = "better_when_true"
    WORSE_WHEN_HIGHER = "worse_when_higher"
    WORSE_WHEN_LOWER = "worse_when_lower"
    NEUTRAL = "neutral"


_DIRECTIONS_BY_TYPE: dict[FactType, frozenset[Direction]] = {
    FactType.BOOL: frozenset(
        {Direction.WORSE_WHEN_TRUE, Direction.BETTER_WHEN_TRUE, Direction.NEUTRAL}
    ),
    FactType.INT: frozenset(
        {Direction.WORSE_WHEN_HIGHER, Direction.WORSE_WHEN_LOWER, Direction.NEUTRAL}
    ),
    FactType.CHOICE: frozenset({Direction.NEUTRAL}),
}

# Categories whose meaning fixes the fact's shape, so that "any hazard" or
# "any protective factor" is always meaningful in a rule.
_CATEGORY_SHAPE: dict[str, tuple[FactType, Direction]] = {
    "worst_form": (FactType.BOOL, Direction.WORSE_WHEN_TRUE),
    "hazard": (FactType.BOOL, Direction.WORSE_WHEN_TRUE),
    "protective": (FactType.BOOL, Direction.BETTER_WHEN_TRUE),
}


class Choice(_Frozen):
    code: Code
    label: Labels


class FactDef(_Frozen):
    """One fact the risk matrix may look at (a checklist item, a number, a choice)."""

    code: Code
    label: Labels
    type: FactType
    category: Category
    direction: Direction
    group: Code | None = None
    choices: tuple[Choice, ...] = ()
    min_value: int | None = None
    max_value: int | None = None
    sensitive: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        where = f"fact {self.code!r}"
        if self.direction not in _DIRECTIONS_BY_TYPE[self.type]:
            allowed = ", ".join(sorted(_DIRECTIONS_BY_TYPE[self.type]))
            raise ValueError(
                f"{where}: a {self.type} fact cannot have direction {self.direction}; "
                f"use one of: {allowed}"
            )
        shape = _CATEGORY_SHAPE.get(self.category)
        if shape is not None and (self.type, self.direction) != shape:
            raise ValueError(
                f"{where}: facts of category {self.category!r} must be "
                f"type {shape[0]} with direction {shape[1]}"
            )
        if self.type is FactType.CHOICE:
            if not self.choices:
                raise ValueError(f"{where}: a choice fact needs at least one choice")
            dupes = _duplicates(choice.code for choice in self.choices)
            if dupes:
                raise ValueError(f"{where}: duplicate choice codes {dupes}")
        elif self.choices:
            raise ValueError(f"{where}: only choice facts have choices")
        if self.type is not FactType.INT and (
            self.min_value is not None or self.max_value is not None
        ):
            raise ValueError(f"{where}: only int facts have min_value/max_value")
        if (
            self.min_value is not None
            and self.max_value is not None
            and self.min_value > self.max_value
        ):
            raise ValueError(f"{where}: min_value is greater than max_value")
        if self.group is not None and self.category != "hazard":
            raise ValueError(f"{where}: only hazard facts belong to a hazard group")
        return self

    @property
    def choice_codes(self) -> tuple[str, ...]:
        return tuple(choice.code for choice in self.choices)


class HazardGroup(_Frozen):
    """A group of the workplace hazard checklist (SPEC §6)."""

    code: Code
    label: Labels


# --------------------------------------------------------------------------- conditions


class _FactSet(_Frozen):
    """Shared by conditions over several boolean facts: listed codes and/or a whole category."""

    facts: tuple[Code, ...] = ()
    category: Category | None = None

    @model_validator(mode="after")
    def _not_empty(self) -> Self:
        if not self.facts and self.category is None:
            raise ValueError("name at least one fact or a category")
        return self

    def referenced(self, defs: Sequence[FactDef]) -> tuple[str, ...]:
        """Listed facts, then the facts of the category, without repeats."""
        codes = list(self.facts)
        if self.category is not None:
            codes += [d.code for d in defs if d.category == self.category]
        return tuple(dict.fromkeys(codes))


class Flag(_Frozen):
    """The boolean fact is true."""

    kind: Literal["flag"] = "flag"
    fact: Code

    def referenced(self, defs: Sequence[FactDef]) -> tuple[str, ...]:
        return (self.fact,)


class AnyOf(_FactSet):
    """At least one of the facts (or of the category's facts) is true."""

    kind: Literal["any"] = "any"


class CountAtLeast(_FactSet):
    """At least ``n`` of the facts (or of the category's facts) are true."""

    kind: Literal["count_at_least"] = "count_at_least"
    n: int = Field(ge=1)


class Below(_Frozen):
    """The int fact is strictly below ``value``."""

    kind: Literal["below"] = "below"
    fact: Code
    value: int

    def referenced(self, defs: Sequence[FactDef]) -> tuple[str, ...]:
        return (self.fact,)


class AtLeast(_Frozen):
    """The int fact is ``value`` or more."""

    kind: Literal["at_least"] = "at_least"
    fact: Code
    value: int

    def referenced(self, defs: Sequence[FactDef]) -> tuple[str, ...]:
        return (self.fact,)


class In(_Frozen):
    """The choice fact is one of ``values``."""

    kind: Literal["in"] = "in"
    fact: Code
    values: tuple[Code, ...] = Field(min_length=1)

    def referenced(self, defs: Sequence[FactDef]) -> tuple[str, ...]:
        return (self.fact,)


Condition = Annotated[
    Flag | AnyOf | CountAtLeast | Below | AtLeast | In, Field(discriminator="kind")
]


# --------------------------------------------------------------------------- matrix


class Effect(StrEnum):
    FLOOR = "floor"  # the level becomes at least ``level``
    RAISE = "raise"  # one step up
    LOWER = "lower"  # one step down (protective factors), never below a locked floor


class RiskRule(_Frozen):
    """When every condition holds, the rule applies its effect."""

    code: Code
    label: Labels
    effect: Effect
    level: RiskLevel | None = None
    when: tuple[Condition, ...] = Field(min_length=1)
    locked: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        where = f"rule {self.code!r}"
        if self.effect is Effect.FLOOR and self.level is None:
            raise ValueError(f"{where}: a floor rule needs a level")
        if self.effect is not Effect.FLOOR and self.level is not None:
            raise ValueError(f"{where}: only floor rules have a level")
        if self.locked and self.effect is not Effect.FLOOR:
            raise ValueError(f"{where}: only floor rules can be locked")
        return self


class RiskMatrix(_Frozen):
    base: RiskLevel = RiskLevel.NONE
    rules: tuple[RiskRule, ...] = ()


# Which comparison of which kind of fact makes a situation worse (usable by FLOOR
# and RAISE rules) or better (usable by LOWER rules). Because every rule only
# looks at one side, making a fact worse can only switch floor/raise rules on and
# lower rules off: the level is monotone in every fact, whatever the SOP says.
_WORSE_SIDE: dict[str, Direction] = {
    "flag": Direction.WORSE_WHEN_TRUE,
    "any": Direction.WORSE_WHEN_TRUE,
    "count_at_least": Direction.WORSE_WHEN_TRUE,
    "below": Direction.WORSE_WHEN_LOWER,
    "at_least": Direction.WORSE_WHEN_HIGHER,
    "in": Direction.NEUTRAL,
}
_BETTER_SIDE: dict[str, Direction] = {
    "flag": Direction.BETTER_WHEN_TRUE,
    "any": Direction.BETTER_WHEN_TRUE,
    "count_at_least": Direction.BETTER_WHEN_TRUE,
    "below": Direction.WORSE_WHEN_HIGHER,
    "at_least": Direction.WORSE_WHEN_LOWER,
    "in": Direction.NEUTRAL,
}
_TYPE_OF_KIND: dict[str, FactType] = {
    "flag": FactType.BOOL,
    "any": FactType.BOOL,
    "count_at_least": FactType.BOOL,
    "below": FactType.INT,
    "at_least": FactType.INT,
    "in": FactType.CHOICE,
}


class ConcernConfig(_Frozen):
    """One protection concern (child labour, child marriage...) with its own facts and matrix.

    Validation guarantees, for any accepted configuration (SPEC §4):

    * a worse fact never lowers the level and a protective fact never raises it
      (each rule may only look at the "worse" side of a fact if it raises the
      level, or the "better" side if it lowers it);
    * every worst form of child labour is covered by a locked floor at HIGH
      whose only condition is that form, so a worst form is always HIGH.
    """

    code: Code
    label: Labels
    facts: tuple[FactDef, ...] = Field(min_length=1)
    matrix: RiskMatrix
    hazard_groups: tuple[HazardGroup, ...] = ()
    guidance: Labels | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        where = f"concern {self.code!r}"
        for what, codes in (
            ("fact", [f.code for f in self.facts]),
            ("rule", [r.code for r in self.matrix.rules]),
            ("hazard group", [g.code for g in self.hazard_groups]),
        ):
            dupes = _duplicates(codes)
            if dupes:
                raise ValueError(f"{where}: duplicate {what} codes {dupes}")
        groups = {g.code for g in self.hazard_groups}
        for fact in self.facts:
            if fact.group is not None and fact.group not in groups:
                raise ValueError(
                    f"{where}: fact {fact.code!r} names the unknown hazard group {fact.group!r}"
                )
            if groups and fact.category == "hazard" and fact.group is None:
                raise ValueError(f"{where}: hazard fact {fact.code!r} needs a hazard group")
        for rule in self.matrix.rules:
            for condition in rule.when:
                self._check_condition(rule, condition)
        self._check_worst_forms()
        return self

    def _check_condition(self, rule: RiskRule, condition: Condition) -> None:
        where = f"concern {self.code!r}, rule {rule.code!r} ({condition.kind})"
        by_code = {f.code: f for f in self.facts}
        if isinstance(condition, AnyOf | CountAtLeast) and condition.category is not None:
            if not any(f.category == condition.category for f in self.facts):
                raise ValueError(f"{where}: no fact has the category {condition.category!r}")
        referenced = condition.referenced(self.facts)
        unknown = [code for code in referenced if code not in by_code]
        if unknown:
            raise ValueError(f"{where}: unknown facts {unknown}")
        if isinstance(condition, CountAtLeast) and condition.n > len(referenced):
            raise ValueError(
                f"{where}: needs {condition.n} true facts but only {len(referenced)} are "
                "listed, so the rule can never apply"
            )
        side = _BETTER_SIDE if rule.effect is Effect.LOWER else _WORSE_SIDE
        expected_type = _TYPE_OF_KIND[condition.kind]
        expected_direction = side[condition.kind]
        for code in referenced:
            fact = by_code[code]
            if fact.type is not expected_type:
                raise ValueError(
                    f"{where}: fact {code!r} is {fact.type}, "
                    f"but this condition needs a fact of type {expected_type}"
                )
            if fact.direction is not expected_direction:
                purpose = (
                    "lower the level (protective side)"
                    if rule.effect is Effect.LOWER
                    else "raise the level (risk side)"
                )
                raise ValueError(
                    f"{where}: fact {code!r} has direction {fact.direction}; "
                    f"to {purpose} a {condition.kind!r} condition needs a fact with direction "
                    f"{expected_direction}. This keeps the matrix monotone (SPEC §4)."
                )
        if isinstance(condition, In):
            unknown_values = [
                v for v in condition.values if v not in by_code[condition.fact].choice_codes
            ]
            if unknown_values:
                raise ValueError(
                    f"{where}: {unknown_values} are not choices of fact {condition.fact!r}"
                )

    def _check_worst_forms(self) -> None:
        covered: set[str] = set()
        for rule in self.matrix.rules:
            if (
                rule.effect is Effect.FLOOR
                and rule.level is RiskLevel.HIGH
                and rule.locked
                and len(rule.when) == 1
                and isinstance(rule.when[0], Flag | AnyOf)
            ):
                covered.update(rule.when[0].referenced(self.facts))
        missing = [
            f.code for f in self.facts if f.category == "worst_form" and f.code not in covered
        ]
        if missing:
            raise ValueError(
                f"concern {self.code!r}: worst forms {missing} must each be covered by a locked "
                "floor rule at level high whose only condition is that form (a flag, or an "
                "'any' condition naming it): a worst form is always high risk (SPEC §4)"
            )

    # Look-ups used by the risk evaluation and the Django forms.

    def fact(self, code: str) -> FactDef:
        """The fact ``code``; DomainError ``fact_unknown`` if the concern has no such fact."""
        for fact in self.facts:
            if fact.code == code:
                return fact
        raise DomainError(
            "fact_unknown",
            gettext_noop("The protection concern %(concern)s has no fact %(fact)s."),
            {"concern": self.code, "fact": code},
        )

    def facts_in(self, category: str) -> tuple[FactDef, ...]:
        """The facts of ``category`` in configuration order."""
        return tuple(f for f in self.facts if f.category == category)

    def hazards_by_group(self) -> tuple[tuple[HazardGroup, tuple[FactDef, ...]], ...]:
        """The workplace hazard checklist (SPEC §6), group by group."""
        return tuple(
            (group, tuple(f for f in self.facts if f.group == group.code))
            for group in self.hazard_groups
        )


# --------------------------------------------------------------------------- timeframes


class Frequency(_Frozen):
    """``times`` contacts every ``period_days`` days (twice a week = 2 per 7)."""

    times: int = Field(ge=1)
    period_days: int = Field(ge=1)

    @property
    def rate(self) -> Fraction:
        """Contacts per day, exact (for comparing frequencies)."""
        return Fraction(self.times, self.period_days)


class LevelTimeframes(_Frozen):
    """Deadlines (days) and follow-up frequencies for one risk level (SPEC §5, §7, §8)."""

    assessment_due_days: int | None = Field(default=None, ge=0)
    plan_due_days: int | None = Field(default=None, ge=0)
    follow_up_initial: Frequency | None = None
    follow_up_stable: Frequency | None = None
    follow_up_visits_impossible: Frequency | None = None
    remote_note: Labels | None = None


class FollowUpPhase(StrEnum):
    INITIAL = "initial"
    STABLE = "stable"
    VISITS_IMPOSSIBLE = "visits_impossible"


_DEADLINES = ("assessment_due_days", "plan_due_days")
_FREQUENCIES = ("follow_up_initial", "follow_up_stable", "follow_up_visits_impossible")


class Timeframes(_Frozen):
    high: LevelTimeframes
    medium: LevelTimeframes
    low: LevelTimeframes

    def for_level(self, level: RiskLevel) -> LevelTimeframes | None:
        """The timeframes of ``level``; None for NONE (no case-management deadlines)."""
        return {
            RiskLevel.HIGH: self.high,
            RiskLevel.MEDIUM: self.medium,
            RiskLevel.LOW: self.low,
        }.get(level)

    @model_validator(mode="after")
    def _higher_is_never_slower(self) -> Self:
        pairs = (
            ("high", self.high, "medium", self.medium),
            ("medium", self.medium, "low", self.low),
        )
        for upper_name, upper, lower_name, lower in pairs:
            for name in _DEADLINES + _FREQUENCIES:
                up, low = getattr(upper, name), getattr(lower, name)
                if low is None:
                    continue
                if up is None:
                    raise ValueError(
                        f"{name}: {upper_name} risk needs a value, since {lower_name} risk has one"
                    )
                if isinstance(up, Frequency) and up.rate < low.rate:
                    raise ValueError(
                        f"{name}: {upper_name} risk must be followed up at least as often as "
                        f"{lower_name} risk"
                    )
                if isinstance(up, int) and up > low:
                    raise ValueError(
                        f"{name}: {upper_name} risk ({up} days) must not be longer than "
                        f"{lower_name} risk ({low} days)"
                    )
        return self


# --------------------------------------------------------------------------- closure


class ClosureFlag(_Frozen):
    """An item of the closure checklist the caseworker ticks (e.g. ``refusal_recorded``)."""

    code: Code
    label: Labels


class ClosureReason(_Frozen):
    """A reason for closing a case and the conditions it needs (SPEC §9)."""

    code: Code
    label: Labels
    min_age: int | None = Field(default=None, ge=0)
    max_age_exclusive: int | None = Field(default=None, ge=1)
    requires_flags: tuple[Code, ...] = ()
    max_risk_level: RiskLevel | None = None
    requires_plan_completed: bool = False
    requires_approved_plan: bool = True
    # Death, relocation or a transfer end the agency's work with the child in a
    # way transition planning cannot precede.
    requires_transition_plan: bool = True

    @model_validator(mode="after")
    def _ages(self) -> Self:
        if (
            self.min_age is not None
            and self.max_age_exclusive is not None
            and self.min_age >= self.max_age_exclusive
        ):
            raise ValueError(
                f"closure reason {self.code!r}: min_age must be below max_age_exclusive"
            )
        return self


class ClosureCriteria(_Frozen):
    reasons: tuple[ClosureReason, ...] = Field(min_length=1)
    flags: tuple[ClosureFlag, ...] = ()
    # SPEC §9: closure is always approved by the supervisor; not configurable.
    supervisor_approval_required: Literal[True] = True
    transition_planning_months: int = Field(default=6, ge=0)

    @model_validator(mode="after")
    def _known_flags(self) -> Self:
        for what, codes in (
            ("closure reason", [r.code for r in self.reasons]),
            ("closure flag", [f.code for f in self.flags]),
        ):
            dupes = _duplicates(codes)
            if dupes:
                raise ValueError(f"duplicate {what} codes {dupes}")
        known = {f.code for f in self.flags}
        for reason in self.reasons:
            unknown = [code for code in reason.requires_flags if code not in known]
            if unknown:
                raise ValueError(
                    f"closure reason {reason.code!r} requires unknown flags {unknown}; "
                    "declare them under closure.flags"
                )
        return self

    def reason(self, code: str) -> ClosureReason | None:
        """The closure reason ``code``, or None."""
        return next((r for r in self.reasons if r.code == code), None)


# --------------------------------------------------------------------------- the rest


class EligibilityCriterion(_Frozen):
    code: Code
    label: Labels


class Eligibility(_Frozen):
    """Who is eligible for case management (SPEC §2, §3)."""

    max_age_exclusive: int = Field(default=18, ge=1)
    criteria: tuple[EligibilityCriterion, ...] = Field(min_length=1)
    min_criteria: int = Field(default=1, ge=0)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        dupes = _duplicates(c.code for c in self.criteria)
        if dupes:
            raise ValueError(f"duplicate eligibility criterion codes {dupes}")
        if self.min_criteria > len(self.criteria):
            raise ValueError(
                f"min_criteria ({self.min_criteria}) is more than the number of criteria "
                f"({len(self.criteria)}): no child could ever be eligible"
            )
        return self


class StaffingRatios(_Frozen):
    max_cases_per_caseworker: int = Field(ge=1)
    max_caseworkers_per_supervisor: int = Field(ge=1)


class ConsentPurpose(_Frozen):
    """A purpose consent/assent is recorded for (SPEC §3, §12)."""

    code: Code
    label: Labels
    required_for_registration: bool


class Sop(_Frozen):
    """One endorsed SOP version of an area (SPEC §2)."""

    version: Annotated[
        str, StringConstraints(pattern=r"^[0-9A-Za-z][0-9A-Za-z.\-]*$", max_length=20)
    ]
    endorsed_on: date
    area_code: NonEmpty
    title: Labels
    endorsing_agencies: tuple[NonEmpty, ...] = Field(min_length=1)
    timezone: str = "Asia/Amman"
    review_interval_months: int = Field(default=6, ge=1)
    primary_concern: Code = "child_labour"
    concerns: tuple[ConcernConfig, ...] = Field(min_length=1)
    timeframes: Timeframes
    closure: ClosureCriteria
    eligibility: Eligibility
    staffing: StaffingRatios
    consent_purposes: tuple[ConsentPurpose, ...] = Field(min_length=1)
    assent_min_age: int = Field(default=7, ge=0)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        for what, codes in (
            ("concern", [c.code for c in self.concerns]),
            ("consent purpose", [p.code for p in self.consent_purposes]),
            ("endorsing agency", list(self.endorsing_agencies)),
        ):
            dupes = _duplicates(codes)
            if dupes:
                raise ValueError(f"duplicate {what} codes {dupes}")
        shared: dict[str, FactDef] = {}
        for concern in self.concerns:
            for fact in concern.facts:
                first = shared.setdefault(fact.code, fact)
                # One facts mapping feeds every concern of a case (evaluate_case),
                # so a code must mean the same kind of value everywhere.
                if (first.type, first.direction, first.choice_codes) != (
                    fact.type,
                    fact.direction,
                    fact.choice_codes,
                ):
                    raise ValueError(
                        f"fact {fact.code!r} is defined differently in two concerns; "
                        "a fact code shared by concerns needs the same type, direction "
                        "and choices"
                    )
        if self.primary_concern not in {c.code for c in self.concerns}:
            raise ValueError(f"the primary concern {self.primary_concern!r} is not configured")
        try:
            zoneinfo.ZoneInfo(self.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            # Without any tz database (a bare container) the name cannot be checked.
            if zoneinfo.available_timezones():
                raise ValueError(f"unknown time zone {self.timezone!r}") from exc
        return self

    def concern(self, code: str) -> ConcernConfig:
        """The concern ``code``; DomainError ``concern_unknown`` if this SOP does not cover it."""
        for concern in self.concerns:
            if concern.code == code:
                return concern
        raise DomainError(
            "concern_unknown",
            gettext_noop(
                "The SOP version %(version)s has no protection concern %(concern)s. "
                "Choose one of the concerns it covers."
            ),
            {"version": self.version, "concern": code},
        )

    def closure_reason(self, code: str) -> ClosureReason:
        """The closure reason ``code``; DomainError ``closure_reason_unknown`` otherwise."""
        reason = self.closure.reason(code)
        if reason is None:
            raise DomainError(
                "closure_reason_unknown",
                gettext_noop(
                    "The SOP version %(version)s has no closure reason %(reason)s. "
                    "Choose one of the reasons it lists."
                ),
                {"version": self.version, "reason": code},
            )
        return reason

    @property
    def required_consents(self) -> frozenset[str]:
        """Consent purposes that must be given before registration (SPEC §3)."""
        return frozenset(p.code for p in self.consent_purposes if p.required_for_registration)


# --------------------------------------------------------------------------- functions


def _location(loc: Sequence[int | str]) -> str:
    return ".".join(str(part) for part in loc) or "(root)"


def parse_sop(data: Mapping[str, Any]) -> Sop:
    """Validate ``data`` (decoded JSON) into a frozen :class:`Sop`.

    Raises DomainError ``sop_invalid`` with one :class:`Reason` (code
    ``sop_field_invalid``) per problem, each naming where it is.
    """
    try:
        return Sop.model_validate(data)
    except ValidationError as exc:
        reasons = [
            Reason(
                "sop_field_invalid",
                gettext_noop("%(location)s: %(error)s"),
                {
                    "location": _location(error["loc"]),
                    "error": error["msg"].removeprefix("Value error, "),
                },
            )
            for error in exc.errors(include_url=False)
        ]
        raise DomainError(
            "sop_invalid",
            gettext_noop(
                "The SOP configuration is not valid (%(count)s problems). "
                "Correct each problem listed and load it again."
            ),
            {"count": len(reasons)},
            reasons=reasons,
        ) from exc


def parse_sop_json(text: str | bytes) -> Sop:
    """Parse an SOP from JSON text; a JSON syntax error is a DomainError ``sop_invalid`` too."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DomainError(
            "sop_invalid",
            gettext_noop("The SOP file is not valid JSON (line %(line)s, column %(column)s)."),
            {"line": exc.lineno, "column": exc.colno},
        ) from exc
    if not isinstance(data, dict):
        raise DomainError("sop_invalid", gettext_noop("The SOP file must hold a JSON object."))
    return parse_sop(data)


def review_due_on(sop: Sop) -> date:
    """When the SOP must next be reviewed: endorsement + the review interval (SPEC §2)."""
    return add_months(sop.endorsed_on, sop.review_interval_months)


def review_overdue(sop: Sop, today: date) -> bool:
    """True once the review date has passed without a new version."""
    return review_due_on(sop) < today
