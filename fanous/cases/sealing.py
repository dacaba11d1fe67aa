"""Which assessment facts are sealed (encrypted) rather than kept open for reports.

The facts named by the SOP's data-protection annex (``data_protection.sensitive_sections``)
and every fact the SOP marks ``sensitive`` go into ``Assessment.sealed_facts``; the others
stay in the plain ``facts`` column, which reports aggregate on. Pure functions of the
stored SOP JSON, so that the data migrations can use them too.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any
from uuid import UUID

__all__ = ["sensitive_fact_codes", "sensitive_facts_of_version", "split_facts"]


def sensitive_fact_codes(sop_data: Mapping[str, Any]) -> frozenset[str]:
    codes: set[str] = set()
    protection = sop_data.get("data_protection") or {}
    for section in protection.get("sensitive_sections") or ():
        codes.update(str(f) for f in section.get("facts") or ())
    for concern in sop_data.get("concerns") or ():
        for fact in concern.get("facts") or ():
            if fact.get("sensitive"):
                codes.add(str(fact.get("code")))
    return frozenset(codes)


@lru_cache(maxsize=64)
def sensitive_facts_of_version(sop_version_id: UUID) -> frozenset[str]:
    """The sensitive fact codes of a stored SOP version (a version in force never changes)."""
    from fanous.sop.models import SopVersion

    data = SopVersion.objects.filter(pk=sop_version_id).values_list("data", flat=True).first()
    return sensitive_fact_codes(data or {})


def split_facts(
    facts: Mapping[str, Any], sensitive: frozenset[str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(open facts, sealed facts)."""
    open_: dict[str, Any] = {}
    sealed: dict[str, Any] = {}
    for code, value in facts.items():
        (sealed if code in sensitive else open_)[code] = value
    return open_, sealed
