"""The risk matrix of a protection concern and the checks that keep it safe (SPEC §4)."""

from __future__ import annotations

from enum import StrEnum
from typing import Self

from pydantic import Field, model_validator

from fanous.domain.errors import DomainError
from fanous.domain.i18n import gettext_noop
from fanous.domain.sop.base import Code, Frozen, Labels, RiskLevel, duplicates, invalid
from fanous.domain.sop.facts import (
    AnyOf,
    Condition,
    CountAtLeast,
    Direction,
    FactDef,
    FactType,
    Flag,
    HazardGroup,
    In,
)

__all__ = ["ConcernConfig", "Effect", "RiskMatrix", "RiskRule"]


class Effect(StrEnum):
    FLOOR = "floor"  # the level becomes at least ``level``
    RAISE = "raise"  # one step up
    LOWER = "lower"  # one step down (protective factors), never below a locked floor


class RiskRule(Frozen):
    """When every condition holds, the rule applies its effect."""

    code: Code
    label: Labels
    effect: Effect
    level: RiskLevel | None = None
    when: tuple[Condition, ...] = Field(min_length=1)
    locked: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.effect is Effect.FLOOR and self.level is None:
            raise invalid(
                "rule_floor_needs_level",
                gettext_noop(
                    "Rule %(rule)s: a floor rule needs a level. Choose the level it guarantees."
                ),
                rule=self.code,
            )
        if self.effect is not Effect.FLOOR and self.level is not None:
            raise invalid(
                "rule_level_not_floor",
                gettext_noop(
                    "Rule %(rule)s: only floor rules have a level. "
                    "Remove the level or make it a floor rule."
                ),
                rule=self.code,
            )
        if self.locked and self.effect is not Effect.FLOOR:
            raise invalid(
                "rule_lock_not_floor",
                gettext_noop(
                    "Rule %(rule)s: only floor rules can be locked. "
                    "Unlock it or make it a floor rule."
                ),
                rule=self.code,
            )
        return self


class RiskMatrix(Frozen):
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


class ConcernConfig(Frozen):
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
        for code, message, codes in (
            (
                "concern_duplicate_facts",
                gettext_noop(
                    "Protection concern %(concern)s: the fact codes %(codes)s are used more "
                    "than once. Give each fact its own code."
                ),
                [f.code for f in self.facts],
            ),
            (
                "concern_duplicate_rules",
                gettext_noop(
                    "Protection concern %(concern)s: the rule codes %(codes)s are used more "
                    "than once. Give each rule its own code."
                ),
                [r.code for r in self.matrix.rules],
            ),
            (
                "concern_duplicate_hazard_groups",
                gettext_noop(
                    "Protection concern %(concern)s: the hazard group codes %(codes)s are used "
                    "more than once. Give each group its own code."
                ),
                [g.code for g in self.hazard_groups],
            ),
        ):
            dupes = duplicates(codes)
            if dupes:
                raise invalid(code, message, concern=self.code, codes=dupes)
        groups = {g.code for g in self.hazard_groups}
        for fact in self.facts:
            if fact.group is not None and fact.group not in groups:
                raise invalid(
                    "fact_unknown_hazard_group",
                    gettext_noop(
                        "Protection concern %(concern)s: fact %(fact)s names the unknown hazard "
                        "group %(group)s. Use one of the concern's hazard groups."
                    ),
                    concern=self.code,
                    fact=fact.code,
                    group=fact.group,
                )
            if groups and fact.category == "hazard" and fact.group is None:
                raise invalid(
                    "hazard_fact_without_group",
                    gettext_noop(
                        "Protection concern %(concern)s: hazard fact %(fact)s needs a hazard group."
                    ),
                    concern=self.code,
                    fact=fact.code,
                )
        for rule in self.matrix.rules:
            for condition in rule.when:
                self._check_condition(rule, condition)
        self._check_worst_forms()
        return self

    def _check_condition(self, rule: RiskRule, condition: Condition) -> None:
        where = {"concern": self.code, "rule": rule.code, "kind": condition.kind}
        by_code = {f.code: f for f in self.facts}
        if isinstance(condition, AnyOf | CountAtLeast) and condition.category is not None:
            if not any(f.category == condition.category for f in self.facts):
                raise invalid(
                    "condition_empty_category",
                    gettext_noop(
                        "Protection concern %(concern)s, rule %(rule)s (%(kind)s): no fact has "
                        "the category %(category)s."
                    ),
                    **where,
                    category=condition.category,
                )
        referenced = condition.referenced(self.facts)
        unknown = [code for code in referenced if code not in by_code]
        if unknown:
            raise invalid(
                "condition_unknown_facts",
                gettext_noop(
                    "Protection concern %(concern)s, rule %(rule)s (%(kind)s): unknown facts "
                    "%(facts)s. Use facts defined in this concern."
                ),
                **where,
                facts=unknown,
            )
        if isinstance(condition, CountAtLeast) and condition.n > len(referenced):
            raise invalid(
                "condition_count_unreachable",
                gettext_noop(
                    "Protection concern %(concern)s, rule %(rule)s (%(kind)s): needs %(n)s true "
                    "facts but only %(listed)s are listed, so the rule can never apply."
                ),
                **where,
                n=condition.n,
                listed=len(referenced),
            )
        side = _BETTER_SIDE if rule.effect is Effect.LOWER else _WORSE_SIDE
        expected_type = _TYPE_OF_KIND[condition.kind]
        expected_direction = side[condition.kind]
        for code in referenced:
            fact = by_code[code]
            if fact.type is not expected_type:
                raise invalid(
                    "condition_fact_type",
                    gettext_noop(
                        "Protection concern %(concern)s, rule %(rule)s (%(kind)s): fact %(fact)s "
                        "is %(fact_type)s, but this condition needs a fact of type %(expected)s."
                    ),
                    **where,
                    fact=code,
                    fact_type=fact.type,
                    expected=expected_type,
                )
            if fact.direction is not expected_direction:
                message = (
                    gettext_noop(
                        "Protection concern %(concern)s, rule %(rule)s (%(kind)s): fact "
                        "%(fact)s has direction %(direction)s; to lower the level (protective "
                        "side) this condition needs a fact with direction %(expected)s. This "
                        "keeps the matrix monotone (SPEC §4)."
                    )
                    if rule.effect is Effect.LOWER
                    else gettext_noop(
                        "Protection concern %(concern)s, rule %(rule)s (%(kind)s): fact "
                        "%(fact)s has direction %(direction)s; to raise the level (risk side) "
                        "this condition needs a fact with direction %(expected)s. This keeps "
                        "the matrix monotone (SPEC §4)."
                    )
                )
                raise invalid(
                    "condition_fact_direction",
                    message,
                    **where,
                    fact=code,
                    direction=fact.direction,
                    expected=expected_direction,
                )
        if isinstance(condition, In):
            unknown_values = [
                v for v in condition.values if v not in by_code[condition.fact].choice_codes
            ]
            if unknown_values:
                raise invalid(
                    "condition_unknown_choices",
                    gettext_noop(
                        "Protection concern %(concern)s, rule %(rule)s (%(kind)s): %(values)s "
                        "are not choices of fact %(fact)s."
                    ),
                    **where,
                    values=unknown_values,
                    fact=condition.fact,
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
            raise invalid(
                "worst_form_not_locked_high",
                gettext_noop(
                    "Protection concern %(concern)s: the worst forms %(facts)s must each be "
                    "covered by a locked floor rule at level high whose only condition is that "
                    "form (a flag, or an 'any' condition naming it): a worst form is always "
                    "high risk (SPEC §4). Set the rule's level to high and lock it."
                ),
                concern=self.code,
                facts=missing,
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
