"""Rows the notification tests build on: a case of alice's and a referral to agency B."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from fanous.cases.models import Case
from fanous.conftest import World, registered_case
from fanous.domain.referrals import ReferralStatus, referral_deadlines
from fanous.referrals.models import Referral, ServiceProvider
from fanous.sop.selectors import active_sop


def provider_of_agency_b(world: World) -> ServiceProvider:
    return ServiceProvider.objects.create(
        agency=world.agency_b,
        area=world.area,
        name_ar="مركز التعليم غير النظامي",
        name_en="Non-formal education centre",
        name_fr="Centre d'éducation non formelle",
        sector="education",
        service_types=["non_formal_education"],
    )


def sent_referral(
    world: World, *, sent_at: datetime | None = None, urgent: bool = False
) -> Referral:
    """A referral alice sent to agency B's service, with the SOP's deadlines."""
    case = Case.objects.get(pk=registered_case(world.api("alice"))["id"])
    sop_row, sop = active_sop(world.area)
    assert sop.referrals is not None
    now = sent_at or timezone.now()
    deadlines = referral_deadlines(sop.referrals, urgent=urgent, sent_at=now)
    return Referral.objects.create(
        case=case,
        number=Referral.objects.filter(case=case).count() + 1,
        provider=provider_of_agency_b(world),
        kind="standard",
        service_type="non_formal_education",
        reason="يحتاج إلى العودة إلى التعليم",
        basis="consent",
        status=ReferralStatus.SENT.value,
        sender=world.users["alice"],
        sender_agency=world.agency_a,
        sent_at=now,
        acknowledge_by=deadlines.acknowledge_by,
        respond_by=deadlines.respond_by,
        deliver_by=deadlines.deliver_by,
        sop_version=sop_row,
    )
