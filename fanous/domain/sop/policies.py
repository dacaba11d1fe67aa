"""Closure, eligibility, staffing and consent settings of an SOP (SPEC §2, §3, §9, §12)."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field, model_validator

from fanous.domain.i18n import gettext_noop
from fanous.domain.sop.base import Code, Frozen, Labels, RiskLevel, duplicates, invalid

__all__ = [
    "ClosureCriteria",
    "ClosureFlag",
    "ClosureReason",
    "ConsentPurpose",
    "Eligibility",
    "EligibilityCriterion",
    "StaffingRatios",
]

# --------------------------------------------------------------------------- closure


class ClosureFlag(Frozen):
    """An item of the closure checklist the caseworker ticks (e.g. ``refusal_recorded``)."""

    code: Code
    label: Labels


class ClosureReason(Frozen):
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
            raise invalid(
                "closure_ages_inverted",
                gettext_noop(
                    "Closure reason %(reason)s: the minimum age (%(min_age)s) must be below "
                    "the age limit (%(max_age)s)."
                ),
                reason=self.code,
                min_age=self.min_age,
                max_age=self.max_age_exclusive,
            )
        return self


class ClosureCriteria(Frozen):
    reasons: tuple[ClosureReason, ...] = Field(min_length=1)
    flags: tuple[ClosureFlag, ...] = ()
    # SPEC §9: closure is always approved by the supervisor; not configurable.
    supervisor_approval_required: Literal[True] = True
    transition_planning_months: int = Field(default=6, ge=0)

    @model_validator(mode="after")
    def _known_flags(self) -> Self:
        for code, message, codes in (
            (
                "closure_duplicate_reasons",
                gettext_noop(
                    "The closure reason codes %(codes)s are used more than once. "
                    "Give each reason its own code."
                ),
                [r.code for r in self.reasons],
            ),
            (
                "closure_duplicate_flags",
                gettext_noop(
                    "The closure checklist codes %(codes)s are used more than once. "
                    "Give each item its own code."
                ),
                [f.code for f in self.flags],
            ),
        ):
            dupes = duplicates(codes)
            if dupes:
                raise invalid(code, message, codes=dupes)
        known = {f.code for f in self.flags}
        for reason in self.reasons:
            unknown = [code for code in reason.requires_flags if code not in known]
            if unknown:
                raise invalid(
                    "closure_unknown_flags",
                    gettext_noop(
                        "Closure reason %(reason)s requires unknown checklist items %(flags)s. "
                        "Declare them under closure.flags."
                    ),
                    reason=reason.code,
                    flags=unknown,
                )
        return self

    def reason(self, code: str) -> ClosureReason | None:
        """The closure reason ``code``, or None."""
        return next((r for r in self.reasons if r.code == code), None)


# ---------------------------------------------------------- eligibility, staffing, consent


class EligibilityCriterion(Frozen):
    code: Code
    label: Labels


class Eligibility(Frozen):
    """Who is eligible for case management (SPEC §2, §3)."""

    max_age_exclusive: int = Field(default=18, ge=1)
    criteria: tuple[EligibilityCriterion, ...] = Field(min_length=1)
    min_criteria: int = Field(default=1, ge=0)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        dupes = duplicates(c.code for c in self.criteria)
        if dupes:
            raise invalid(
                "eligibility_duplicate_criteria",
                gettext_noop(
                    "The eligibility criterion codes %(codes)s are used more than once. "
                    "Give each criterion its own code."
                ),
                codes=dupes,
            )
        if self.min_criteria > len(self.criteria):
            raise invalid(
                "eligibility_unreachable",
                gettext_noop(
                    "The minimum number of criteria (%(min_criteria)s) is more than the number "
                    "of criteria (%(criteria)s): no child could ever be eligible."
                ),
                min_criteria=self.min_criteria,
                criteria=len(self.criteria),
            )
        return self


class StaffingRatios(Frozen):
    max_cases_per_caseworker: int = Field(ge=1)
    max_caseworkers_per_supervisor: int = Field(ge=1)


class ConsentPurpose(Frozen):
    """A purpose consent/assent is recorded for (SPEC §3, §12)."""

    code: Code
    label: Labels
    required_for_registration: bool
