"""Likely duplicates: "search before create" (SPEC §3, §12).

A read, so it starts from ``cases_visible_to``: a child registered by another agency (or
held by another team) is never listed, and nothing says that it exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch

from fanous.accounts.access import Actor, cases_visible_to
from fanous.core.crypto import query_digests
from fanous.domain import timeframes as tf
from fanous.domain.names import name_tokens

from .models import Case, Consent, HouseholdMember

# An age given in the field is an estimate: a birth year this far off may still be the child.
YEAR_TOLERANCE = 2
__all__ = ["DuplicateCandidate", "DuplicateQuery", "birth_year_from", "likely_duplicates"]

# A caseload without a name to narrow it is scanned this far back, newest first.
SCAN_LIMIT = 1000


@dataclass(frozen=True)
class DuplicateQuery:
    name: str = ""
    birth_year: int | None = None
    caregiver_name: str = ""
    location: str = ""

    @property
    def is_empty(self) -> bool:
        return not (
            name_tokens(self.name)
            or self.birth_year
            or name_tokens(self.caregiver_name)
            or name_tokens(self.location)
        )


@dataclass(frozen=True)
class DuplicateCandidate:
    case: Case
    age: int
    # Which of the searched details match: "name", "birth_year", "caregiver", "location".
    matched: tuple[str, ...]


def _contains_all(tokens: list[str], texts: list[str]) -> bool:
    """Every searched word is a word (or the start of one) of one of ``texts``."""
    for text in texts:
        words = name_tokens(text)
        if words and all(any(w.startswith(t) for w in words) for t in tokens):
            return True
    return False


def _caregiver_names(case: Case) -> list[str]:
    child = case.child
    names = [f"{child.father_name} {child.family_name}", child.father_name]
    if child.household is not None:
        names += [m.name for m in child.household.members.all()]
    names += [c.giver_name for c in case.consents.all() if c.giver == Consent.Giver.CAREGIVER]
    return [n for n in names if n.strip()]


def _places(case: Case) -> list[str]:
    child = case.child
    places = [child.current_address]
    if child.household is not None:
        places.append(child.household.address)
    registration = getattr(case, "registration", None)
    if registration is not None:
        places.append(registration.workplace_location)
    return [p for p in places if p.strip()]


def likely_duplicates(
    *, actor: Actor, query: DuplicateQuery, today: date, limit: int = 20
) -> list[DuplicateCandidate]:
    """Cases the actor may see whose child may be the one being searched for.

    The name (compared after Arabic normalisation, so أحمد = احمد and عبد الله = عبدالله)
    and the birth year (± YEAR_TOLERANCE) narrow the list; the caregiver's name and the
    place narrow it only when no name is given, and otherwise rank the matches.
    """
    if query.is_empty:
        return []
    qs = cases_visible_to(actor).select_related("child", "child__household", "registration")
    name = name_tokens(query.name)
    # The blind index of the encrypted name: each word must start a word of the name.
    digests = query_digests(query.name)
    if digests:
        qs = qs.filter(child__name_digest__holds_all=digests)
    if query.birth_year:
        qs = qs.filter(
            child__birth_date__year__gte=query.birth_year - YEAR_TOLERANCE,
            child__birth_date__year__lte=query.birth_year + YEAR_TOLERANCE,
        )
    qs = qs.prefetch_related(
        Prefetch("child__household__members", queryset=HouseholdMember.objects.only("name")),
        Prefetch("consents", queryset=Consent.objects.filter(giver=Consent.Giver.CAREGIVER)),
    ).order_by("-identified_at", "id")

    caregiver = name_tokens(query.caregiver_name)
    place = name_tokens(query.location)
    found: list[tuple[int, DuplicateCandidate]] = []
    for case in qs[:SCAN_LIMIT]:
        matched: list[str] = []
        if name:
            matched.append("name")
        if query.birth_year:
            matched.append("birth_year")
        if caregiver:
            if _contains_all(caregiver, _caregiver_names(case)):
                matched.append("caregiver")
            elif not name:
                continue
        if place:
            if _contains_all(place, _places(case)):
                matched.append("location")
            elif not name:
                continue
        candidate = DuplicateCandidate(
            case=case, age=tf.age_on(case.child.birth_date, today), matched=tuple(matched)
        )
        found.append((len(matched), candidate))
    found.sort(key=lambda pair: -pair[0])  # stable: newest first among equals
    return [candidate for _, candidate in found[:limit]]


def birth_year_from(value: int, today: date) -> int:
    """An approximate age (under 30) or a birth year, as a birth year."""
    return today.year - value if value < 30 else value
