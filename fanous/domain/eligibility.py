"""Eligibility for case management (SPEC §2, §3)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from fanous.domain.errors import DomainError, Reason
from fanous.domain.i18n import gettext_noop
from fanous.domain.sop import Eligibility

__all__ = ["EligibilityResult", "evaluate_eligibility"]


@dataclass(frozen=True)
class EligibilityResult:
    eligible: bool
    reasons: tuple[Reason, ...]  # why not eligible; empty when eligible


def evaluate_eligibility(
    rules: Eligibility, age: int | None, met_criteria: Iterable[str]
) -> EligibilityResult:
    """Whether a child is eligible for case management under the SOP's criteria.

    An unknown age does not make a child ineligible: in humanitarian settings
    many children have no documents, and a person who may be a child is treated
    as one. Unknown criterion codes raise DomainError ``eligibility_criterion_unknown``.
    """
    met = frozenset(met_criteria)
    known = {criterion.code for criterion in rules.criteria}
    unknown = sorted(met - known)
    if unknown:
        raise DomainError(
            "eligibility_criterion_unknown",
            gettext_noop("Unknown eligibility criteria: %(codes)s."),
            {"codes": ", ".join(unknown)},
        )
    reasons: list[Reason] = []
    if age is not None and age >= rules.max_age_exclusive:
        reasons.append(
            Reason(
                "eligibility_age",
                gettext_noop(
                    "Case management is for children under %(max_age)s; this person is %(age)s."
                ),
                {"max_age": rules.max_age_exclusive, "age": age},
            )
        )
    if len(met) < rules.min_criteria:
        reasons.append(
            Reason(
                "eligibility_criteria_not_met",
                gettext_noop(
                    "At least %(min_criteria)s eligibility criteria must be met; %(met)s are."
                ),
                {"min_criteria": rules.min_criteria, "met": len(met)},
            )
        )
    return EligibilityResult(eligible=not reasons, reasons=tuple(reasons))
