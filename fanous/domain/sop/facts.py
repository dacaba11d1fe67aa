"""Facts the risk matrix looks at, and the conditions rules put on them (SPEC §4, §6)."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import Field, model_validator

from fanous.domain.i18n import gettext_noop
from fanous.domain.sop.base import Code, Frozen, Labels, duplicates, invalid

__all__ = [
    "CATEGORIES",
    "AnyOf",
    "AtLeast",
    "Below",
    "Category",
    "Choice",
    "Condition",
    "CountAtLeast",
    "Direction",
    "FactDef",
    "FactType",
    "Flag",
    "HazardGroup",
    "In",
]

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


class Choice(Frozen):
    code: Code
    label: Labels


class FactDef(Frozen):
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
        fact = self.code
        if self.direction not in _DIRECTIONS_BY_TYPE[self.type]:
            raise invalid(
                "fact_direction_not_allowed",
                gettext_noop(
                    "Fact %(fact)s: a %(fact_type)s fact cannot have direction %(direction)s; "
                    "use one of: %(allowed)s."
                ),
                fact=fact,
                fact_type=self.type,
                direction=self.direction,
                allowed=sorted(_DIRECTIONS_BY_TYPE[self.type]),
            )
        shape = _CATEGORY_SHAPE.get(self.category)
        if shape is not None and (self.type, self.direction) != shape:
            raise invalid(
                "fact_category_shape",
                gettext_noop(
                    "Fact %(fact)s: facts of category %(category)s must be type %(fact_type)s "
                    "with direction %(direction)s."
                ),
                fact=fact,
                category=self.category,
                fact_type=shape[0],
                direction=shape[1],
            )
        if self.type is FactType.CHOICE:
            if not self.choices:
                raise invalid(
                    "fact_choices_missing",
                    gettext_noop("Fact %(fact)s: a choice fact needs at least one choice."),
                    fact=fact,
                )
            dupes = duplicates(choice.code for choice in self.choices)
            if dupes:
                raise invalid(
                    "fact_duplicate_choices",
                    gettext_noop(
                        "Fact %(fact)s: the choice codes %(codes)s are used more than once."
                    ),
                    fact=fact,
                    codes=dupes,
                )
        elif self.choices:
            raise invalid(
                "fact_choices_not_allowed",
                gettext_noop("Fact %(fact)s: only choice facts have choices."),
                fact=fact,
            )
        if self.type is not FactType.INT and (
            self.min_value is not None or self.max_value is not None
        ):
            raise invalid(
                "fact_bounds_not_allowed",
                gettext_noop("Fact %(fact)s: only number facts have a minimum or maximum value."),
                fact=fact,
            )
        if (
            self.min_value is not None
            and self.max_value is not None
            and self.min_value > self.max_value
        ):
            raise invalid(
                "fact_bounds_inverted",
                gettext_noop(
                    "Fact %(fact)s: the minimum value (%(min_value)s) is greater than the "
                    "maximum value (%(max_value)s)."
                ),
                fact=fact,
                min_value=self.min_value,
                max_value=self.max_value,
            )
        if self.group is not None and self.category != "hazard":
            raise invalid(
                "fact_group_not_hazard",
                gettext_noop("Fact %(fact)s: only hazard facts belong to a hazard group."),
                fact=fact,
            )
        return self

    @property
    def choice_codes(self) -> tuple[str, ...]:
        return tuple(choice.code for choice in self.choices)


class HazardGroup(Frozen):
    """A group of the workplace hazard checklist (SPEC §6)."""

    code: Code
    label: Labels


# --------------------------------------------------------------------------- conditions


class _FactSet(Frozen):
    """Shared by conditions over several boolean facts: listed codes and/or a whole category."""

    facts: tuple[Code, ...] = ()
    category: Category | None = None

    @model_validator(mode="after")
    def _not_empty(self) -> Self:
        if not self.facts and self.category is None:
            raise invalid(
                "condition_without_facts",
                gettext_noop("Name at least one fact or a category for this condition."),
            )
        return self

    def referenced(self, defs: Sequence[FactDef]) -> tuple[str, ...]:
        """Listed facts, then the facts of the category, without repeats."""
        codes = list(self.facts)
        if self.category is not None:
            codes += [d.code for d in defs if d.category == self.category]
        return tuple(dict.fromkeys(codes))


class Flag(Frozen):
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


class Below(Frozen):
    """The int fact is strictly below ``value``."""

    kind: Literal["below"] = "below"
    fact: Code
    value: int

    def referenced(self, defs: Sequence[FactDef]) -> tuple[str, ...]:
        return (self.fact,)


class AtLeast(Frozen):
    """The int fact is ``value`` or more."""

    kind: Literal["at_least"] = "at_least"
    fact: Code
    value: int

    def referenced(self, defs: Sequence[FactDef]) -> tuple[str, ...]:
        return (self.fact,)


class In(Frozen):
    """The choice fact is one of ``values``."""

    kind: Literal["in"] = "in"
    fact: Code
    values: tuple[Code, ...] = Field(min_length=1)

    def referenced(self, defs: Sequence[FactDef]) -> tuple[str, ...]:
        return (self.fact,)


Condition = Annotated[
    Flag | AnyOf | CountAtLeast | Below | AtLeast | In, Field(discriminator="kind")
]
