"""Referral pathways, the information-sharing protocol and emergency cash (SPEC §2, §8, §12).

These are annexes of an SOP version: the coordination group agrees which service
types meet which needs (the multi-sector referral pathways), what a receiving
service may be told for each type of referral, how fast a referral must be
answered, and the limits of the case emergency fund.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Self

from pydantic import Field, model_validator

from fanous.domain.i18n import gettext_noop
from fanous.domain.sop.base import Code, Frozen, Labels, duplicates, invalid

__all__ = [
    "CashPurpose",
    "EmergencyCash",
    "FactMatch",
    "Need",
    "ReferralPolicy",
    "ReferralTimeframe",
    "ReferralType",
    "Sector",
    "ServiceType",
    "ShareSection",
]


class Sector(Frozen):
    """A sector of the service map: education, health, livelihoods, legal, MHPSS, GBV..."""

    code: Code
    label: Labels


class ServiceType(Frozen):
    code: Code
    sector: Code
    label: Labels


class FactMatch(Frozen):
    """An assessment fact that shows a need: equal to ``equals``, or within a range."""

    fact: Code
    equals: bool | int | str | None = None
    at_least: int | None = None
    below: int | None = None

    @model_validator(mode="after")
    def _one_test(self) -> Self:
        tests = [self.equals is not None, self.at_least is not None, self.below is not None]
        if sum(tests) != 1:
            raise invalid(
                "fact_match_one_test",
                gettext_noop(
                    "Need condition on %(fact)s: give exactly one of equals, at_least, below."
                ),
                fact=self.fact,
            )
        return self

    def holds(self, value: object) -> bool:
        """True when ``value`` (the fact's answer; None when not known) shows the need."""
        if value is None:
            return False
        if self.equals is not None:
            # bool is an int in Python: True must not match 1.
            return type(value) is type(self.equals) and value == self.equals
        if not isinstance(value, int) or isinstance(value, bool):
            return False
        if self.at_least is not None:
            return value >= self.at_least
        return self.below is not None and value < self.below


class Need(Frozen):
    """A need and its referral pathway: the service types that meet it (SPEC §2, §8).

    ``shown_by`` lists the assessment facts that reveal the need (any of them), so
    that the case plan can propose it; a need without them is chosen by hand.
    """

    code: Code
    label: Labels
    service_types: tuple[Code, ...] = Field(min_length=1)
    shown_by: tuple[FactMatch, ...] = ()
    urgent: bool = False


class ShareSection(Frozen):
    """A part of the case that a referral may carry (information-sharing protocol, §12).

    ``default`` sections are proposed on a new referral (the minimum a service needs);
    ``sensitive`` ones (sexual violence, CAAFAG, trafficking) are never proposed and go
    only when the sender ticks them and the referral type allows them.
    """

    code: Code
    label: Labels
    default: bool = False
    sensitive: bool = False


class ReferralType(Frozen):
    """A kind of referral and the most a receiver of that kind may be told."""

    code: Code
    label: Labels
    sections: tuple[Code, ...] = Field(min_length=1)
    urgent: bool = False


class ReferralTimeframe(Frozen):
    """How fast a referral is answered (hours) and the service delivered (days)."""

    acknowledge_hours: int = Field(ge=1)
    respond_hours: int = Field(ge=1)
    deliver_days: int = Field(ge=1)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.respond_hours < self.acknowledge_hours:
            raise invalid(
                "referral_timeframe_order",
                gettext_noop(
                    "The time to answer a referral cannot be shorter than the time to "
                    "acknowledge it."
                ),
            )
        return self


class CashPurpose(Frozen):
    """What emergency cash may pay for (transport, medical costs, rent...)."""

    code: Code
    label: Labels


class EmergencyCash(Frozen):
    """Limits of the case emergency fund (SPEC §8), in the SOP's currency."""

    currency: str = Field(pattern=r"^[A-Z]{3}$")
    max_per_disbursement: Decimal = Field(gt=0, max_digits=12, decimal_places=2)
    max_per_case: Decimal = Field(gt=0, max_digits=12, decimal_places=2)
    purposes: tuple[CashPurpose, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _limits(self) -> Self:
        dupes = duplicates(p.code for p in self.purposes)
        if dupes:
            raise invalid(
                "duplicate_cash_purpose_codes",
                gettext_noop("Duplicate cash purpose codes: %(codes)s."),
                codes=dupes,
            )
        if self.max_per_disbursement > self.max_per_case:
            raise invalid(
                "cash_limits_inverted",
                gettext_noop(
                    "The emergency cash limit per disbursement cannot exceed the limit per case."
                ),
            )
        return self


class ReferralPolicy(Frozen):
    """Service map vocabulary, pathways, the sharing protocol and referral timeframes."""

    consent_purpose: Code = "information_sharing"
    sectors: tuple[Sector, ...] = Field(min_length=1)
    service_types: tuple[ServiceType, ...] = Field(min_length=1)
    needs: tuple[Need, ...] = Field(min_length=1)
    sections: tuple[ShareSection, ...] = Field(min_length=1)
    types: tuple[ReferralType, ...] = Field(min_length=1)
    standard: ReferralTimeframe
    urgent: ReferralTimeframe
    emergency_cash: EmergencyCash | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        for code, message, codes in (
            (
                "duplicate_sector_codes",
                gettext_noop("Duplicate sector codes: %(codes)s."),
                [s.code for s in self.sectors],
            ),
            (
                "duplicate_service_type_codes",
                gettext_noop("Duplicate service type codes: %(codes)s."),
                [s.code for s in self.service_types],
            ),
            (
                "duplicate_need_codes",
                gettext_noop("Duplicate need codes: %(codes)s."),
                [n.code for n in self.needs],
            ),
            (
                "duplicate_share_section_codes",
                gettext_noop("Duplicate share section codes: %(codes)s."),
                [s.code for s in self.sections],
            ),
            (
                "duplicate_referral_type_codes",
                gettext_noop("Duplicate referral type codes: %(codes)s."),
                [t.code for t in self.types],
            ),
        ):
            dupes = duplicates(codes)
            if dupes:
                raise invalid(code, message, codes=dupes)
        sectors = {s.code for s in self.sectors}
        for service in self.service_types:
            if service.sector not in sectors:
                raise invalid(
                    "service_type_unknown_sector",
                    gettext_noop("Service type %(service_type)s: unknown sector %(sector)s."),
                    service_type=service.code,
                    sector=service.sector,
                )
        services = {s.code for s in self.service_types}
        for need in self.needs:
            missing = [c for c in need.service_types if c not in services]
            if missing:
                raise invalid(
                    "need_unknown_service_types",
                    gettext_noop("Need %(need)s: unknown service types %(codes)s."),
                    need=need.code,
                    codes=missing,
                )
        sections = {s.code for s in self.sections}
        for kind in self.types:
            missing = [c for c in kind.sections if c not in sections]
            if missing:
                raise invalid(
                    "referral_type_unknown_sections",
                    gettext_noop("Referral type %(kind)s: unknown share sections %(codes)s."),
                    kind=kind.code,
                    codes=missing,
                )
        if not any(s.default for s in self.sections):
            raise invalid(
                "share_no_default",
                gettext_noop("At least one share section must be shared by default."),
            )
        if any(s.default and s.sensitive for s in self.sections):
            raise invalid(
                "share_sensitive_default",
                gettext_noop("A sensitive share section cannot be shared by default."),
            )
        if self.urgent.respond_hours > self.standard.respond_hours:
            raise invalid(
                "referral_urgent_slower",
                gettext_noop("Urgent referrals cannot have longer timeframes than standard ones."),
            )
        return self

    def service_type(self, code: str) -> ServiceType | None:
        return next((s for s in self.service_types if s.code == code), None)

    def need(self, code: str) -> Need | None:
        return next((n for n in self.needs if n.code == code), None)

    def referral_type(self, code: str) -> ReferralType | None:
        return next((t for t in self.types if t.code == code), None)

    def section(self, code: str) -> ShareSection | None:
        return next((s for s in self.sections if s.code == code), None)

    def sector_of(self, service_type: str) -> str | None:
        service = self.service_type(service_type)
        return service.sector if service else None

    def timeframe(self, urgent: bool) -> ReferralTimeframe:
        return self.urgent if urgent else self.standard
