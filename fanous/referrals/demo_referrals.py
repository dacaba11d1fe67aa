"""Demo referrals: one at each step of the lifecycle, sent through the real services."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from django.utils import timezone

from fanous.accounts.access import Actor
from fanous.accounts.models import Agency, Area, User
from fanous.cases.models import Case
from fanous.domain.referrals import ReferralAction
from fanous.referrals.models import ServiceProvider
from fanous.referrals.services.referrals import referral_act, referral_send

# (service type, referral type, reason, days ago, steps the receiver took)
STORIES: list[tuple[str, str, str, int, list[ReferralAction]]] = [
    ("primary_health", "urgent", "فحص طبي عاجل: إصابة في اليد أثناء العمل في الورشة", 1, []),
    ("formal_education", "education_only", "إعادة التسجيل في المدرسة بعد انقطاع سنتين", 9, []),
    (
        "psychosocial_support",
        "standard",
        "جلسات دعم نفسي اجتماعي بعد تعرّضه للإساءة اللفظية في العمل",
        6,
        [ReferralAction.ACKNOWLEDGE],
    ),
    (
        "cash_assistance",
        "standard",
        "مساعدة نقدية للأسرة لتعويض دخل الطفل",
        20,
        [ReferralAction.ACCEPT],
    ),
    (
        "vocational_training",
        "standard",
        "تدريب مهني في النجارة بدلاً من العمل الخطر",
        40,
        [ReferralAction.ACCEPT, ReferralAction.DELIVER],
    ),
]


def _at(days_ago: int) -> datetime:
    return (timezone.now() - timedelta(days=days_ago)).replace(hour=7, tzinfo=UTC)


def load(
    *, area: Area, agencies: dict[str, Agency], users: dict[str, User], cases: list[Case]
) -> None:
    open_cases = [
        c
        for c in cases
        if c.status
        in ("comprehensive_assessment", "plan_pending_approval", "plan_approved", "implementation")
        and c.caseworker_id is not None
    ]
    provider_user = users.get("provider")
    for (service_type, kind, reason, days_ago, steps), case in zip(
        STORIES, open_cases, strict=False
    ):
        # Where the story goes beyond "sent", someone must answer: a service of the demo
        # provider's agency, or one outside Fanous whose answers the sender records.
        answering = provider_user.agency_id if steps and provider_user else None
        provider = _first_offering(service_type, answering)
        if provider is None:
            continue
        sender = User.objects.get(pk=case.caseworker_id or 0)
        with time_machine.travel(_at(days_ago), tick=False):
            referral, _ = referral_send(
                actor=Actor.of(sender),
                case_id=case.pk,
                provider_id=provider.pk,
                service_type=service_type,
                kind=kind,
                reason=reason,
                accompaniment=["transport"] if kind == "urgent" else [],
            )
        if not provider.in_app:
            receiver: User = sender  # the sender records the service's answers
        elif provider_user is not None and provider.agency_id == provider_user.agency_id:
            receiver = provider_user
        else:
            continue
        for n, step in enumerate(steps, start=1):
            with time_machine.travel(_at(days_ago) + timedelta(days=n), tick=False):
                actor = Actor.of(receiver)
                referral = referral_act(
                    actor=actor,
                    referral_id=referral.pk,
                    expected_version=referral.version,
                    action=step,
                    outcome="أتمّ الطفل الشهر الأول من التدريب" if step.value == "deliver" else "",
                )


def _first_offering(service_type: str, answering_agency: object = None) -> ServiceProvider | None:
    offering = [
        p
        for p in ServiceProvider.objects.filter(is_active=True)
        .exclude(capacity=0)
        .order_by("-in_app", "name_ar")
        if service_type in p.service_types
    ]
    if answering_agency is not None:
        able = [p for p in offering if p.agency_id == answering_agency or not p.in_app]
        offering = able or offering
    return offering[0] if offering else None
