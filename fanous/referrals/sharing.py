"""What a referral carries: the sections the sender chose, frozen when it is sent (§8, §12).

The receiving service reads this snapshot, never the case: what it sees cannot grow
after the fact, and the audit shows exactly what left the agency. Sensitive facts
(sexual violence, CAAFAG, trafficking; ``FactDef.sensitive`` in the SOP) appear only
in the ``sensitive_disclosures`` section.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from fanous.cases.models import Assessment, Case, CasePlan, HouseholdMember
from fanous.domain import timeframes as tf
from fanous.domain.sop import FactType, Sop


def latest_facts(case: Case) -> dict[str, Any]:
    """The case's facts, later assessments overriding earlier answers."""
    facts: dict[str, Any] = {}
    for assessment in Assessment.objects.filter(case=case).order_by("assessed_on", "created_at"):
        facts.update(assessment.facts)
    return facts


def _fact_lines(
    sop: Sop, facts: dict[str, Any], *, sensitive: bool, categories: Iterable[str]
) -> Iterator[dict[str, Any]]:
    wanted = set(categories)
    seen: set[str] = set()
    for concern in sop.concerns:
        for fact in concern.facts:
            if fact.code in seen or fact.sensitive != sensitive:
                continue
            if wanted and fact.category not in wanted:
                continue
            value = facts.get(fact.code)
            if value is None or value is False:
                continue
            seen.add(fact.code)
            if fact.type is FactType.BOOL:
                yield {"code": fact.code, "label": fact.label.model_dump()}
            else:
                yield {"code": fact.code, "label": fact.label.model_dump(), "value": value}


def build_shared(case: Case, sections: Iterable[str], sop: Sop, today: date) -> dict[str, Any]:
    """The snapshot of ``sections`` of ``case`` as plain JSON values."""
    chosen = set(sections)
    child = case.child
    out: dict[str, Any] = {}
    if "identity" in chosen:
        out["identity"] = {
            "name": child.full_name,
            "sex": child.sex,
            "age": tf.age_on(child.birth_date, today),
            "birth_date": child.birth_date.isoformat(),
            "birth_date_estimated": child.birth_date_estimated,
            "nationality": child.nationality,
            "languages": child.languages,
            "disability": child.disability,
        }
    if "contact" in chosen:
        household = child.household
        out["contact"] = {
            "phone": child.phone or (household.phone if household else ""),
            "address": child.current_address or (household.address if household else ""),
            "area": case.area.code,
        }
    if "caregiver" in chosen:
        members = (
            HouseholdMember.objects.filter(household_id=child.household_id, is_caregiver=True)
            if child.household_id
            else HouseholdMember.objects.none()
        )
        out["caregiver"] = [{"name": m.name, "relation": m.relation} for m in members]
    needs_facts = chosen & {"work", "education", "health", "sensitive_disclosures"}
    facts = latest_facts(case) if needs_facts else {}
    registration = getattr(case, "registration", None)
    if "risk_level" in chosen:
        out["risk_level"] = case.risk_level
    if "work" in chosen:
        out["work"] = {
            "workplace_name": registration.workplace_name if registration else "",
            "workplace_location": registration.workplace_location if registration else "",
            "work_type": registration.work_type if registration else "",
            "tasks": registration.tasks if registration else "",
            "hours_per_day": registration.hours_per_day if registration else None,
            "days_per_week": registration.days_per_week if registration else None,
            "conditions": list(
                _fact_lines(sop, facts, sensitive=False, categories=("conditions", "hazard"))
            ),
        }
    if "education" in chosen:
        out["education"] = {
            "status": registration.education_status if registration else "",
            "attends_school": facts.get("attends_school"),
        }
    if "health" in chosen:
        out["health"] = {
            "notes": registration.health_wellbeing if registration else "",
            "concerns": list(_fact_lines(sop, facts, sensitive=False, categories=("other_risk",))),
        }
    if "safety_plan" in chosen:
        plan = (
            CasePlan.objects.filter(case=case)
            .exclude(status=CasePlan.Status.SUPERSEDED)
            .order_by("-number")
            .first()
        )
        out["safety_plan"] = {
            "contacts": plan.safety_contacts if plan else "",
            "safe_places": plan.safe_places if plan else "",
            "warning_signs": plan.warning_signs if plan else "",
            "protective_equipment": plan.protective_equipment if plan else "",
        }
    if "sensitive_disclosures" in chosen:
        out["sensitive_disclosures"] = list(_fact_lines(sop, facts, sensitive=True, categories=()))
    return out
