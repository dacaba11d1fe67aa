"""The data protection annex of an SOP (SPEC §1 need-to-know, §2, §12).

What the coordination group agrees about confidentiality, as data:

* ``sensitive_sections``: the parts of a case restricted further than the case itself
  (sexual violence, CAAFAG, trafficking, health). Each section names the assessment
  facts, the protection concerns, the free-text domains and the registration fields it
  covers. Only the assigned caseworker and their supervisor see them, unless the case is
  explicitly shared with its sensitive sections or a supervisor breaks the glass.
* ``break_glass_hours``: how long emergency access by a supervisor lasts.
* ``share_max_days``: the longest an explicit share of a case with a colleague lasts.
* ``export_consent_purpose``: the consent purpose an identified export needs per case.
* ``retention``: after how many years a closed case is anonymised.
* ``dpia``: the data protection impact assessment template, printed with the SOP.
"""

from __future__ import annotations

from typing import Self

from pydantic import Field, model_validator

from fanous.domain.i18n import gettext_noop
from fanous.domain.sop.base import Code, Frozen, Labels, duplicates, invalid

__all__ = [
    "REGISTRATION_SENSITIVE_FIELDS",
    "DataProtection",
    "DpiaSection",
    "Retention",
    "SensitiveSection",
]

# Registration fields a sensitive section may cover (free text about the child's health
# and the immediate risks to them). Kept here so the schema can refuse a typo.
REGISTRATION_SENSITIVE_FIELDS = frozenset({"health_wellbeing", "immediate_protection_risks"})


class SensitiveSection(Frozen):
    """A part of the case visible only to the assigned caseworker and their supervisor."""

    code: Code
    label: Labels
    facts: tuple[Code, ...] = ()
    concerns: tuple[Code, ...] = ()
    narrative: tuple[Code, ...] = ()
    registration_fields: tuple[Code, ...] = ()

    @model_validator(mode="after")
    def _known_fields(self) -> Self:
        unknown = [f for f in self.registration_fields if f not in REGISTRATION_SENSITIVE_FIELDS]
        if unknown:
            raise invalid(
                "sensitive_registration_field_unknown",
                gettext_noop(
                    "Sensitive section %(section)s: %(fields)s cannot be restricted. "
                    "Choose among %(allowed)s."
                ),
                section=self.code,
                fields=unknown,
                allowed=sorted(REGISTRATION_SENSITIVE_FIELDS),
            )
        return self


class Retention(Frozen):
    """Closed cases older than this are anonymised; de-identified statistics stay."""

    closed_case_years: int = Field(default=5, ge=1, le=50)


class DpiaSection(Frozen):
    """One heading of the data protection impact assessment template, with its guidance."""

    code: Code
    title: Labels
    guidance: Labels


class DataProtection(Frozen):
    sensitive_sections: tuple[SensitiveSection, ...] = Field(min_length=1)
    break_glass_hours: int = Field(default=24, ge=1, le=72)
    share_max_days: int = Field(default=30, ge=1, le=365)
    export_consent_purpose: Code = "information_sharing"
    retention: Retention = Retention()
    dpia: tuple[DpiaSection, ...] = ()

    @model_validator(mode="after")
    def _distinct(self) -> Self:
        for code, message, codes in (
            (
                "sensitive_section_duplicate",
                gettext_noop("The sensitive sections %(codes)s are listed more than once."),
                [s.code for s in self.sensitive_sections],
            ),
            (
                "sensitive_fact_in_two_sections",
                gettext_noop(
                    "The facts %(codes)s are in more than one sensitive section. "
                    "Put each fact in one section."
                ),
                [f for s in self.sensitive_sections for f in s.facts],
            ),
            (
                "dpia_duplicate",
                gettext_noop("The impact assessment headings %(codes)s are used more than once."),
                [d.code for d in self.dpia],
            ),
        ):
            dupes = duplicates(codes)
            if dupes:
                raise invalid(code, message, codes=dupes)
        return self

    def section_of_fact(self, fact: str) -> str | None:
        for section in self.sensitive_sections:
            if fact in section.facts:
                return section.code
        return None

    @property
    def facts(self) -> frozenset[str]:
        return frozenset(f for s in self.sensitive_sections for f in s.facts)

    @property
    def concerns(self) -> frozenset[str]:
        return frozenset(c for s in self.sensitive_sections for c in s.concerns)

    @property
    def narrative(self) -> frozenset[str]:
        return frozenset(n for s in self.sensitive_sections for n in s.narrative)

    @property
    def registration_fields(self) -> frozenset[str]:
        return frozenset(f for s in self.sensitive_sections for f in s.registration_fields)
