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
from typing import Annotated, Any, Self, get_args

from pydantic import (
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)
from pydantic_core import ErrorDetails
from pydantic_core.core_schema import ErrorType

from fanous.domain.dates import add_months
from fanous.domain.errors import DomainError, Reason
from fanous.domain.i18n import gettext_noop
from fanous.domain.sop.base import (
    Code,
    Frozen,
    Labels,
    Lang,
    NonEmpty,
    RiskLevel,
    duplicates,
    invalid,
    plain,
)
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
from fanous.domain.sop.protection import (
    DataProtection,
    DpiaSection,
    Retention,
    SensitiveSection,
)
from fanous.domain.sop.referrals import (
    CashPurpose,
    EmergencyCash,
    FactMatch,
    Need,
    ReferralPolicy,
    ReferralTimeframe,
    ReferralType,
    Sector,
    ServiceType,
    ShareSection,
)

__all__ = [
    "CATEGORIES",
    "AnyOf",
    "CashPurpose",
    "DataProtection",
    "DpiaSection",
    "Retention",
    "SensitiveSection",
    "EmergencyCash",
    "FactMatch",
    "Need",
    "ReferralPolicy",
    "ReferralTimeframe",
    "ReferralType",
    "Sector",
    "ServiceType",
    "ShareSection",
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
    # Annexes: referral pathways, information-sharing protocol, emergency cash (§2, §8).
    referrals: ReferralPolicy | None = None
    # Annex: sensitive sections, break-glass, retention, impact assessment (§1, §12).
    data_protection: DataProtection | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        for code, message, codes in (
            (
                "sop_duplicate_concerns",
                gettext_noop(
                    "The protection concern codes %(codes)s are used more than once. "
                    "Give each concern its own code."
                ),
                [c.code for c in self.concerns],
            ),
            (
                "sop_duplicate_consent_purposes",
                gettext_noop(
                    "The consent purpose codes %(codes)s are used more than once. "
                    "Give each purpose its own code."
                ),
                [p.code for p in self.consent_purposes],
            ),
            (
                "sop_duplicate_agencies",
                gettext_noop("The endorsing agencies %(codes)s are listed more than once."),
                list(self.endorsing_agencies),
            ),
        ):
            dupes = duplicates(codes)
            if dupes:
                raise invalid(code, message, codes=dupes)
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
                    raise invalid(
                        "fact_defined_differently",
                        gettext_noop(
                            "The fact %(fact)s is defined differently in two protection "
                            "concerns; a fact code shared by concerns needs the same type, "
                            "direction and choices."
                        ),
                        fact=fact.code,
                    )
        if self.referrals is not None:
            self._check_referrals(self.referrals, shared)
        if self.data_protection is not None:
            self._check_protection(self.data_protection, shared)
        if self.primary_concern not in {c.code for c in self.concerns}:
            raise invalid(
                "primary_concern_unknown",
                gettext_noop(
                    "The primary protection concern %(concern)s is not configured. "
                    "Add it under concerns or choose a configured one."
                ),
                concern=self.primary_concern,
            )
        try:
            zoneinfo.ZoneInfo(self.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            # Without any tz database (a bare container) the name cannot be checked.
            if zoneinfo.available_timezones():
                raise invalid(
                    "timezone_unknown",
                    gettext_noop("Unknown time zone %(timezone)s. Use a name like Asia/Amman."),
                    timezone=self.timezone,
                ) from exc
        return self

    def _check_referrals(self, policy: ReferralPolicy, facts: Mapping[str, FactDef]) -> None:
        if policy.consent_purpose not in {p.code for p in self.consent_purposes}:
            raise invalid(
                "referral_consent_purpose_unknown",
                gettext_noop(
                    "The consent purpose of referrals, %(purpose)s, is not one of the SOP's "
                    "consent purposes."
                ),
                purpose=policy.consent_purpose,
            )
        for need in policy.needs:
            for match in need.shown_by:
                if match.fact not in facts:
                    raise invalid(
                        "need_unknown_fact",
                        gettext_noop("Need %(need)s: unknown fact %(fact)s."),
                        need=need.code,
                        fact=match.fact,
                    )

    def _check_protection(self, policy: DataProtection, facts: Mapping[str, FactDef]) -> None:
        unknown = sorted(policy.facts - facts.keys())
        if unknown:
            raise invalid(
                "sensitive_fact_unknown",
                gettext_noop("The sensitive sections name unknown facts: %(codes)s."),
                codes=unknown,
            )
        unknown = sorted(policy.concerns - {c.code for c in self.concerns})
        if unknown:
            raise invalid(
                "sensitive_concern_unknown",
                gettext_noop("The sensitive sections name unknown protection concerns: %(codes)s."),
                codes=unknown,
            )
        # A fact the SOP marks sensitive must be restricted somewhere, or it would show.
        loose = sorted(c for c, f in facts.items() if f.sensitive and c not in policy.facts)
        if loose:
            raise invalid(
                "sensitive_fact_unrestricted",
                gettext_noop(
                    "The facts %(codes)s are marked sensitive but are in no sensitive section."
                ),
                codes=loose,
            )
        if policy.export_consent_purpose not in {p.code for p in self.consent_purposes}:
            raise invalid(
                "export_consent_purpose_unknown",
                gettext_noop(
                    "The consent purpose of exports, %(purpose)s, is not one of the SOP's "
                    "consent purposes."
                ),
                purpose=policy.export_consent_purpose,
            )

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


# English msgids for pydantic's own error types that an SOP (or a form building one) can
# produce. The msgids shared with the API's request validation (config/api.py) are the
# same strings, so they share their translations.
_PYDANTIC_MESSAGES: dict[str, str] = {
    "missing": gettext_noop("This field is required."),
    "extra_forbidden": gettext_noop("This setting is not known. Check its spelling or remove it."),
    "int_parsing": gettext_noop("Enter a whole number."),
    "int_type": gettext_noop("Enter a whole number."),
    "int_from_float": gettext_noop("Enter a whole number."),
    "float_parsing": gettext_noop("Enter a number."),
    "float_type": gettext_noop("Enter a number."),
    "decimal_parsing": gettext_noop("Enter a number."),
    "decimal_type": gettext_noop("Enter a number."),
    "greater_than_equal": gettext_noop("The value must be at least %(ge)s."),
    "less_than_equal": gettext_noop("The value must be at most %(le)s."),
    "greater_than": gettext_noop("The value must be more than %(gt)s."),
    "less_than": gettext_noop("The value must be less than %(lt)s."),
    "string_too_short": gettext_noop("This field cannot be empty."),
    "string_too_long": gettext_noop("This text is too long (at most %(max_length)s characters)."),
    "string_pattern_mismatch": gettext_noop("This code is not valid."),
    "string_type": gettext_noop("Expected text."),
    "too_short": gettext_noop("Too few items (at least %(min_length)s)."),
    "too_long": gettext_noop("Too many items (at most %(max_length)s)."),
    "literal_error": gettext_noop("Unknown value. Allowed: %(expected)s."),
    "enum": gettext_noop("Unknown value. Allowed: %(expected)s."),
    "union_tag_invalid": gettext_noop("Unknown kind %(tag)s. Allowed: %(expected_tags)s."),
    "union_tag_not_found": gettext_noop("Give the kind of this item (%(discriminator)s)."),
    "bool_parsing": gettext_noop("Enter true or false."),
    "bool_type": gettext_noop("Enter true or false."),
    "date_parsing": gettext_noop("Enter a date as YYYY-MM-DD."),
    "date_from_datetime_parsing": gettext_noop("Enter a date as YYYY-MM-DD."),
    "date_from_datetime_inexact": gettext_noop("Enter a date as YYYY-MM-DD."),
    "date_type": gettext_noop("Enter a date as YYYY-MM-DD."),
    "dict_type": gettext_noop("Expected an object."),
    "model_type": gettext_noop("Expected an object."),
    "model_attributes_type": gettext_noop("Expected an object."),
    "list_type": gettext_noop("Expected a list."),
    "tuple_type": gettext_noop("Expected a list."),
}
_NOT_VALID = gettext_noop("This value is not valid.")
_BUILTIN_TYPES = frozenset(get_args(ErrorType))


def _reason(error: ErrorDetails) -> Reason:
    """One problem as a Reason: code ``sop_field_invalid``, an English msgid and its params.

    ``params`` hold ``location`` (where the problem is: ``"timeframes.high.plan_due_days"``),
    ``type`` (a stable code: pydantic's error type, or the code a validator of these
    schemas raised with :func:`~fanous.domain.sop.base.invalid`) and the values the msgid
    names. The message itself never names the location, so a form can show it next to the
    field it is about; lists of problems show it beside the message.
    """
    kind = error["type"]
    ctx = {k: plain(v) for k, v in (error.get("ctx") or {}).items()}
    if kind in _PYDANTIC_MESSAGES:
        message = _PYDANTIC_MESSAGES[kind]
    elif kind == "value_error":
        # A plain ValueError of a validator not yet given a code: its English text is the
        # only explanation there is; better shown than lost.
        message = "%(error)s"
        ctx = {"error": str(error["msg"]).removeprefix("Value error, ")}
    elif kind in _BUILTIN_TYPES:
        message = _NOT_VALID
    else:
        # Raised by invalid(): the message is the msgid, left unformatted by pydantic
        # because it has no {braces}.
        message = str(error["msg"])
    # Only the values the message names: pydantic's ctx may hold English text of its own.
    named = {k: v for k, v in ctx.items() if f"%({k})" in message}
    return Reason(
        "sop_field_invalid",
        message,
        {**named, "location": _location(error["loc"]), "type": kind},
    )


def parse_sop(data: Mapping[str, Any]) -> Sop:
    """Validate ``data`` (decoded JSON) into a frozen :class:`Sop`.

    Raises DomainError ``sop_invalid`` with one :class:`Reason` (code
    ``sop_field_invalid``) per problem; its ``params`` name where the problem is
    (``location``) and what it is (``type``, a stable code), see :func:`_reason`.
    """
    try:
        return Sop.model_validate(data)
    except ValidationError as exc:
        reasons = [_reason(error) for error in exc.errors(include_url=False)]
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
