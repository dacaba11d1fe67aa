"""Facts the risk matrix looks at, and the conditions rules put on them (SPEC §4, §6)."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import Field, model_validator

from fanous.domain.sop.base import Code, Frozen, Labels, duplicates

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
            dupes = duplicates(choice.code for choice in self.choices)
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
            raise ValueError("name at least one fact or a category")
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
