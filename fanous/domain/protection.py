"""Sensitive sections withheld from a viewer without need to know (SPEC §1, §12).

Pure functions over plain values: the SOP's data protection annex says which assessment
facts, protection concerns, narrative domains and registration fields are sensitive
(sexual violence, CAAFAG, trafficking, health); these functions take them out of a case's
read model and of its history for a viewer who may see the case but not its sensitive
sections (a colleague with a share that does not include them).

What is withheld is listed in ``restricted_sections``. It lists *every* sensitive section
of the SOP, whether or not this case has anything in it: a notice naming only the sections
with content would itself disclose that the child spoke of sexual violence.

An SOP without the annex still restricts the facts it marks ``sensitive``, as one section
``sensitive``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fanous.domain.i18n import gettext_noop
from fanous.domain.sop import Labels, Sop
from fanous.domain.sop.protection import SensitiveSection

__all__ = [
    "FALLBACK_SECTION",
    "MASK",
    "Restriction",
    "redact_case",
    "redact_changes",
    "redact_concerns",
    "redact_facts",
    "redact_fields",
    "redact_risk_factors",
    "redact_text",
    "restriction_for",
]

# What a masked value of the history shows instead of the withheld text.
MASK = "restricted"

FALLBACK_SECTION = "sensitive"
_FALLBACK_LABEL = Labels(
    ar="معلومات حساسة",
    en=gettext_noop("Sensitive information"),
    fr="Informations sensibles",
)


@dataclass(frozen=True)
class Restriction:
    """Everything a viewer without sensitive access must not see, for one SOP."""

    sections: tuple[SensitiveSection, ...]
    facts: frozenset[str]
    concerns: frozenset[str]
    narrative: frozenset[str]
    registration_fields: frozenset[str]
    # Risk matrix rules that look at a sensitive fact: their "why" names the disclosure.
    rules: frozenset[str]
    # Labels (every language) of sensitive facts, concerns and rules, to mask free text.
    labels: frozenset[str]

    @property
    def codes(self) -> list[str]:
        return [s.code for s in self.sections]

    @property
    def fields(self) -> frozenset[str]:
        """Every key that is withheld wherever it appears (facts, narrative, registration)."""
        return self.facts | self.narrative | self.registration_fields


def _labels(labels: Iterable[Labels]) -> frozenset[str]:
    return frozenset(t for label in labels for t in (label.ar, label.en, label.fr) if t)


def restriction_for(sop: Sop) -> Restriction:
    """The restriction an SOP defines: its annex, else its facts marked ``sensitive``."""
    policy = sop.data_protection
    if policy is not None:
        sections = policy.sensitive_sections
    else:
        loose = tuple(dict.fromkeys(f.code for c in sop.concerns for f in c.facts if f.sensitive))
        sections = (
            (SensitiveSection(code=FALLBACK_SECTION, label=_FALLBACK_LABEL, facts=loose),)
            if loose
            else ()
        )
    facts = frozenset(f for s in sections for f in s.facts)
    concerns = frozenset(c for s in sections for c in s.concerns)
    rules: set[str] = set()
    labels = []
    for concern in sop.concerns:
        if concern.code in concerns:
            labels.append(concern.label)
        for fact in concern.facts:
            if fact.code in facts:
                labels.append(fact.label)
        for rule in concern.matrix.rules:
            # Facts the rule names (a whole category, e.g. "any hazard", names none).
            looked_at = {c for cond in rule.when for c in cond.referenced(())}
            if concern.code in concerns or looked_at & facts:
                rules.add(rule.code)
                labels.append(rule.label)
    return Restriction(
        sections=tuple(sections),
        facts=facts,
        concerns=concerns,
        narrative=frozenset(n for s in sections for n in s.narrative),
        registration_fields=frozenset(f for s in sections for f in s.registration_fields),
        rules=frozenset(rules),
        labels=_labels(labels),
    )


def redact_facts(facts: Mapping[str, Any], r: Restriction) -> dict[str, Any]:
    """The facts without the sensitive ones; the others untouched."""
    return {k: v for k, v in facts.items() if k not in r.facts}


def redact_concerns(concerns: Sequence[str], r: Restriction) -> list[str]:
    """The protection concerns without the sensitive ones, in their order."""
    return [c for c in concerns if c not in r.concerns]


def redact_fields(values: Mapping[str, Any], codes: frozenset[str]) -> dict[str, Any]:
    """``values`` without the keys in ``codes`` (narrative domains, registration fields)."""
    return {k: v for k, v in values.items() if k not in codes}


def redact_risk_factors(
    factors: Sequence[Mapping[str, Any]], r: Restriction
) -> list[dict[str, Any]]:
    """The stored "why this level" without sensitive concerns and the rules that looked
    at a sensitive fact (their label names the disclosure)."""
    out = []
    for entry in factors:
        if entry.get("concern") in r.concerns:
            continue
        kept = [f for f in entry.get("factors", ()) if f.get("rule") not in r.rules]
        out.append({**entry, "factors": kept})
    return out


def redact_text(text: str, r: Restriction) -> str:
    """``MASK`` when the text names a sensitive fact, concern or rule, else the text."""
    if any(label and label in text for label in r.labels):
        return MASK
    return text


def _redact_value(key: str, value: Any, r: Restriction) -> Any:
    if key == "concerns" and isinstance(value, list):
        if all(isinstance(v, str) for v in value):
            return redact_concerns(value, r)
        return [_redact_value(key, v, r) for v in value]
    if key in ("factors", "risk_factors") and isinstance(value, list):
        if all(isinstance(v, Mapping) and "concern" in v for v in value):
            return redact_risk_factors(value, r)
    if isinstance(value, Mapping):
        return redact_changes(value, r)
    if isinstance(value, list):
        return [_redact_value(key, v, r) for v in value]
    if isinstance(value, str):
        return redact_text(value, r)
    return value


def redact_changes(changes: Mapping[str, Any], r: Restriction) -> dict[str, Any]:
    """One history entry's changes (``{field: [old, new]}``, nested mappings...) without
    the sensitive facts, narrative domains and registration fields (keys removed at any
    depth), without sensitive concerns, and with free text naming a sensitive fact,
    concern or rule replaced by ``MASK``."""
    return {
        key: _redact_value(key, value, r)
        for key, value in changes.items()
        if not _withheld_key(key, r)
    }


def _withheld_key(key: str, r: Restriction) -> bool:
    """A sensitive key, alone or qualified (``registration.health_wellbeing``)."""
    return key in r.fields or any(key.endswith("." + f) for f in r.fields)


def redact_case(model: Mapping[str, Any], r: Restriction) -> dict[str, Any]:
    """A case read model for a viewer without sensitive access (SPEC §12).

    Takes out the sensitive concerns, the "why this level" lines that name a sensitive
    fact, the sensitive registration fields, and any ``facts``/``narrative`` mapping;
    adds ``restricted_sections``: the codes of every sensitive section of the SOP.
    """
    out = dict(model)
    if isinstance(out.get("concerns"), list):
        out["concerns"] = redact_concerns(out["concerns"], r)
    risk = out.get("risk")
    if isinstance(risk, Mapping):
        out["risk"] = {**risk, "factors": redact_risk_factors(risk.get("factors") or [], r)}
    registration = out.get("registration")
    if isinstance(registration, Mapping):
        out["registration"] = redact_fields(registration, r.registration_fields)
    if isinstance(out.get("facts"), Mapping):
        out["facts"] = redact_facts(out["facts"], r)
    if isinstance(out.get("narrative"), Mapping):
        out["narrative"] = redact_fields(out["narrative"], r.narrative)
    out["restricted_sections"] = r.codes
    return out
