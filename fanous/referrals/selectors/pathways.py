"""Referral pathways for a case (SPEC §2, §7, §8): need -> service types -> providers.

The needs come from the latest assessment answers (the SOP's ``shown_by`` facts) and from
the service types the caseworker chose by hand on the plan's actions. A need that no
available service meets is a service gap (§12).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fanous.accounts.access import Actor
from fanous.cases.models import Assessment, Case, PlanAction
from fanous.cases.selectors import plan_current
from fanous.core.errors import NotFoundError
from fanous.domain.referrals import needs_shown, service_gaps
from fanous.domain.sop.referrals import Need, ReferralPolicy, ServiceType
from fanous.referrals.models import ServiceGap, ServiceProvider
from fanous.referrals.selectors.providers import providers_for, require_reader
from fanous.sop.models import SopVersion
from fanous.sop.selectors import active_sop

__all__ = [
    "NeedProposal",
    "Pathways",
    "ServiceOption",
    "case_facts_merged",
    "pathway_proposals",
    "pathways_of_sop",
]


@dataclass
class ServiceOption:
    service_type: ServiceType
    providers: list[ServiceProvider] = field(default_factory=list)


@dataclass
class NeedProposal:
    need: Need
    from_assessment: bool
    from_plan: bool
    options: list[ServiceOption]
    gap: bool = False
    gap_recorded: bool = False

    @property
    def code(self) -> str:
        return self.need.code


@dataclass
class Pathways:
    sop_row: SopVersion | None
    policy: ReferralPolicy | None
    needs: list[NeedProposal]

    @property
    def gaps(self) -> list[NeedProposal]:
        return [n for n in self.needs if n.gap]

    @property
    def unrecorded_gaps(self) -> list[NeedProposal]:
        return [n for n in self.needs if n.gap and not n.gap_recorded]


def case_facts_merged(case: Case) -> dict[str, Any]:
    """The case's assessment answers, a later assessment's answer replacing an earlier one."""
    merged: dict[str, Any] = {}
    for assessment in Assessment.objects.filter(case=case).order_by("assessed_on", "created_at"):
        merged.update(assessment.facts or {})
    return merged


def _plan_service_types(case: Case) -> list[str]:
    plan = plan_current(case)
    if plan is None:
        return []
    codes = (
        PlanAction.objects.filter(goal__plan=plan)
        .exclude(service_type="")
        .exclude(status=PlanAction.Status.CANCELLED)
        .order_by("goal__position", "position")
        .values_list("service_type", flat=True)
    )
    return list(dict.fromkeys(codes))


def pathway_proposals(case: Case, *, actor: Actor | None = None) -> Pathways:
    """Per need of the case, the SOP's service types and the providers that offer them.

    ``case`` must have been loaded through the case selectors (visible to the actor).
    """
    if actor is not None:
        require_reader(actor)
    try:
        sop_row, sop = active_sop(case.area)
    except NotFoundError:  # no SOP in force: nothing to propose
        return Pathways(sop_row=None, policy=None, needs=[])
    policy = sop.referrals
    if policy is None:
        return Pathways(sop_row=sop_row, policy=None, needs=[])
    shown = needs_shown(policy, case_facts_merged(case))
    chosen: dict[str, str] = {}  # need -> first service type chosen for it
    for code in _plan_service_types(case):
        need = next((n for n in policy.needs if code in n.service_types), None)
        if need is not None:
            chosen.setdefault(need.code, code)
    order = [n.code for n in policy.needs if n.code in shown or n.code in chosen]
    wanted = {c for n in policy.needs if n.code in order for c in n.service_types}
    providers = providers_for(area=case.area, agency=case.agency, service_types=wanted)
    available = {code for p in providers for code in (p.service_types or [])}
    gaps = set(service_gaps(policy, order, available))
    recorded = set(
        ServiceGap.objects.filter(case=case, resolved_on__isnull=True).values_list(
            "need", flat=True
        )
    )
    needs = []
    for code in order:
        need = policy.need(code)
        assert need is not None
        options = []
        for st_code in need.service_types:
            st = policy.service_type(st_code)
            assert st is not None
            options.append(
                ServiceOption(
                    service_type=st,
                    providers=[p for p in providers if st_code in (p.service_types or [])],
                )
            )
        needs.append(
            NeedProposal(
                need=need,
                from_assessment=code in shown,
                from_plan=code in chosen,
                options=options,
                gap=code in gaps,
                gap_recorded=code in recorded,
            )
        )
    return Pathways(sop_row=sop_row, policy=policy, needs=needs)


def pathways_of_sop(policy: ReferralPolicy, providers: list[ServiceProvider]) -> list[NeedProposal]:
    """Every pathway of the SOP with the given services (the printable annex)."""
    out = []
    for need in policy.needs:
        options = []
        for st_code in need.service_types:
            st = policy.service_type(st_code)
            assert st is not None
            options.append(
                ServiceOption(
                    service_type=st,
                    providers=[p for p in providers if st_code in (p.service_types or [])],
                )
            )
        out.append(
            NeedProposal(
                need=need,
                from_assessment=False,
                from_plan=False,
                options=options,
                gap=not any(o.providers for o in options),
            )
        )
    return out
