"""The SOP as data (SPEC §2): pydantic schemas of one endorsed SOP version.

An SOP version is agreed by the inter-agency coordination group of an area and
loaded from JSON (``fanous/sop/default_sop.json`` is the default). Every model is
frozen and refuses unknown keys, so a typo in a configuration file is an error,
not a silently ignored setting. The validators of :class:`ConcernConfig`
(``matrix.py``) are what make the risk properties of SPEC §4 hold for *any*
accepted configuration.

Import everything from here (``from fanous.domain.sop import RiskLevel``); the
submodules only keep each part readable:

* ``base``: frozen models, codes, :class:`Labels`, :class:`RiskLevel`;
* ``facts``: fact definitions and the conditions rules put on them;
* ``matrix``: rules, matrices and :class:`ConcernConfig` with its safety checks;
* ``deadlines``: timeframes and follow-up frequencies per level;
* ``policies``: closure, eligibility, staffing and consent;
* this module: :class:`Sop` itself, parsing and the review date.
"""

from __future__ import annotations

import json
import zoneinfo
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Annotated, Any, Self

from pydantic import (
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from fanous.domain.dates import add_months
from fanous.domain.errors import DomainError, Reason
from fanous.domain.i18n import gettext_noop
from fanous.domain.sop.base import Code, Frozen, Labels, Lang, NonEmpty, RiskLevel, duplicates
from fanous.domain.sop.deadlines import FollowUpPhase, Frequency, LevelTimeframes, Timeframes
from fanous.domain.sop.facts import (
    CATEGORIES,
    AnyOf,
    AtLeast,
    Below,
    Category,
    Choice,
    Condition,
    CountAtLeast,
    Direction,
    FactDef,
    FactType,
    Flag,
    HazardGroup,
    In,
)
from fanous.domain.sop.matrix import ConcernConfig, Effect, RiskMatrix, RiskRule
from fanous.domain.sop.policies import (
    ClosureCriteria,
    ClosureFlag,
    ClosureReason,
    ConsentPurpose,
    Eligibility,
    EligibilityCriterion,
    StaffingRatios,
)

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


class Sop(Frozen):
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
            dupes = duplicates(codes)
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


# Public names live here: reprs, docs and Django migrations that serialise an
# enum default (``fanous.domain.sop.RiskLevel['NONE']``) use this path, not the
# submodule that happens to define the class.
for _name in __all__:
    _value = globals()[_name]
    if isinstance(_value, type):
        _value.__module__ = __name__
del _name, _value
