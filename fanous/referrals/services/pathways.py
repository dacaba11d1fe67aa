"""Recording service gaps (SPEC §12): needs of a case that no service in the area meets."""

from __future__ import annotations

from uuid import UUID

from django.db import transaction

from fanous.accounts.access import Actor
from fanous.audit.models import Event
from fanous.audit.services import record
from fanous.cases.services.common import load_case, local_today, require_edit, sop_for
from fanous.referrals.models import ServiceGap
from fanous.referrals.selectors.pathways import pathway_proposals

__all__ = ["service_gap_record"]


@transaction.atomic
def service_gap_record(*, actor: Actor, case_id: UUID) -> list[ServiceGap]:
    """Record the case's current gaps, one open gap per case and need; returns the new ones.

    Recording again changes nothing: a need already recorded and still open is skipped.
    """
    require_edit(actor)
    case = load_case(actor, case_id, None)
    sop_row, sop = sop_for(case)
    today = local_today(sop)
    proposals = pathway_proposals(case, actor=actor)
    created = []
    for need in proposals.unrecorded_gaps:
        gap = ServiceGap.objects.create(
            area=case.area,
            agency=case.agency,
            case=case,
            need=need.code,
            service_types=list(need.need.service_types),
            noted_on=today,
            recorded_by=actor.user,
            sop_version=sop_row,
        )
        record(
            actor=actor.user,
            action=Event.Action.SERVICE_MAP,
            obj=gap,
            case=case,
            changes={
                "need": [None, gap.need],
                "service_types": [None, gap.service_types],
                "noted_on": [None, today],
            },
            summary=f"service gap: {gap.need}",
            sop_version=sop_row.version,
        )
        created.append(gap)
    return created
