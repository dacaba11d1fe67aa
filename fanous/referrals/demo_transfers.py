"""Demo transfers between agencies (SPEC §9, §10), made through the real services.

One transfer approved by AGN-A and waiting in AGN-B's inbox; one accepted by AGN-B ten
days ago (the case is khaled's now, and AGN-A keeps the read-only record).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from django.utils import timezone

from fanous.accounts.access import Actor
from fanous.accounts.models import Agency, Area, TeamMembership, User
from fanous.cases.models import Case
from fanous.referrals.models import CaseTransfer
from fanous.referrals.services.transfers import (
    transfer_accept,
    transfer_approve,
    transfer_request,
)

STATUSES = ("implementation", "plan_approved", "comprehensive_assessment")

# (days ago, reason, note to the receiving agency, accepted)
STORIES: list[tuple[int, str, str, bool]] = [
    (
        2,
        "انتقلت الأسرة إلى منطقة تعمل فيها الوكالة ب، ولديها برنامج سبل عيش للأسر.",
        "طفل في الرابعة عشرة يعمل في ورشة ميكانيك؛ يحتاج إلى تدريب مهني آمن وبرنامج "
        "سبل عيش للأسرة. الأسرة موافقة على الانتقال.",
        False,
    ),
    (
        12,
        "الحالة تحتاج إلى خدمة متخصصة في الدعم النفسي الاجتماعي المتوفرة لدى الوكالة ب.",
        "طفلة تعمل في الزراعة الموسمية، تحتاج إلى دعم نفسي اجتماعي متخصص ومتابعة "
        "العودة إلى المدرسة.",
        True,
    ),
]


def _at(days_ago: int, hour: int = 8) -> datetime:
    return (timezone.now() - timedelta(days=days_ago)).replace(hour=hour, tzinfo=UTC)


def _supervisor_of(user_id: int) -> User | None:
    membership = (
        TeamMembership.objects.filter(user_id=user_id).select_related("team__supervisor").first()
    )
    return membership.team.supervisor if membership else None


def load(
    *, area: Area, agencies: dict[str, Agency], users: dict[str, User], cases: list[Case]
) -> None:
    sending, receiving = agencies.get("AGN-A"), agencies.get("AGN-B")
    layla = users.get("layla")
    if sending is None or receiving is None or layla is None:
        return
    # The last open cases of AGN-A: the referral demo takes the first ones.
    candidates = [
        c
        for c in reversed(cases)
        if c.agency_id == sending.pk and c.status in STATUSES and c.caseworker_id is not None
    ]
    khaled = users.get("khaled")
    for (days_ago, reason, note, accepted), case in zip(STORIES, candidates, strict=False):
        case = Case.objects.get(pk=case.pk)
        if CaseTransfer.objects.filter(case=case).exists():
            continue
        requester = User.objects.get(pk=case.caseworker_id or 0)
        supervisor = _supervisor_of(requester.pk)
        if supervisor is None:
            continue
        with time_machine.travel(_at(days_ago), tick=False):
            transfer = transfer_request(
                actor=Actor.of(requester),
                case_id=case.pk,
                expected_version=case.version,
                record_id=None,
                to_agency_id=receiving.pk,
                reason=reason,
                note_to_receiver=note,
                override_reason="الأسرة انتقلت، واستمرارية الرعاية في مصلحة الطفل الفضلى.",
            )
        with time_machine.travel(_at(days_ago, 11), tick=False):
            transfer = transfer_approve(
                actor=Actor.of(supervisor),
                transfer_id=transfer.pk,
                expected_version=transfer.version,
            )
        if accepted:
            with time_machine.travel(_at(days_ago - 1, 9), tick=False):
                transfer_accept(
                    actor=Actor.of(layla),
                    transfer_id=transfer.pk,
                    expected_version=transfer.version,
                    caseworker_id=khaled.pk if khaled else None,
                )
