"""Demo data of the emergency cash area (SPEC §8): a budget per agency for the current year,
a few approved disbursements and one request waiting for its supervisor.

Requests and approvals go through the services, so the demo has the same audit events,
notifications and balances as real use.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils import timezone

from fanous.accounts.access import Actor
from fanous.accounts.models import Agency, Area, Team, User
from fanous.audit.models import Event
from fanous.audit.services import record
from fanous.cases.models import Case
from fanous.domain.workflow import CaseStatus
from fanous.referrals.models import EmergencyBudget
from fanous.referrals.services import cash as services

BUDGETS = {"AGN-A": "5000.00", "AGN-B": "3000.00", "AGN-C": "2000.00"}

# (amount, purpose, note) of the approved disbursements.
STORIES = [
    ("35.00", "transport", "مواصلات ذهاب وإياب إلى المركز الصحي لمدة أسبوعين"),
    ("80.00", "medical", "ثمن أدوية وصفها الطبيب بعد إصابة في اليد في الورشة"),
    ("60.00", "school_costs", "رسوم التسجيل والكتب والزي المدرسي"),
    ("45.00", "safe_work_kit", "قفازات ونظارات واقية وحذاء أمان"),
    ("90.00", "basic_needs", "طرد غذائي وحليب للأطفال الأصغر لحين صرف المساعدة النقدية"),
]


def _worker(case: Case) -> User:
    if case.caseworker is None:
        raise ValueError(f"demo case {case.case_number} has no caseworker")
    return case.caseworker


def _supervisor_of(case: Case) -> User | None:
    team = (
        Team.objects.filter(agency_id=case.agency_id, memberships__user=_worker(case))
        .select_related("supervisor")
        .first()
    )
    return team.supervisor if team else None


def load(
    *, area: Area, agencies: dict[str, Agency], users: dict[str, User], cases: list[Case]
) -> None:
    today = timezone.localdate()
    budgets: dict[str, EmergencyBudget] = {}
    for code, amount in BUDGETS.items():
        agency = agencies.get(code)
        if agency is None:
            continue
        name = f"صندوق الطوارئ للحالات {today.year}"
        admin = next(
            (u for u in users.values() if u.agency_id == agency.pk and u.role == "agency_admin"),
            None,
        )
        if admin is not None:
            budget, _ = services.budget_create(
                actor=Actor.of(admin),
                name=name,
                currency="JOD",
                amount=Decimal(amount),
                starts_on=date(today.year, 1, 1),
                ends_on=date(today.year, 12, 31),
            )
        else:
            # No agency admin among the demo users of this agency: opened by the set-up.
            budget = EmergencyBudget.objects.create(
                agency=agency,
                name=name,
                currency="JOD",
                amount=Decimal(amount),
                starts_on=date(today.year, 1, 1),
                ends_on=date(today.year, 12, 31),
            )
            record(
                actor=None,
                action=Event.Action.CASH,
                obj=budget,
                changes={"amount": [None, amount], "currency": [None, "JOD"]},
                summary=f"budget {name}: {amount} JOD (demo set-up)",
            )
        budgets[code] = budget

    open_cases = [
        c
        for c in cases
        if CaseStatus(c.status).is_open
        and c.caseworker_id is not None
        and c.agency.code in budgets
        and c.status != CaseStatus.CLOSURE_REQUESTED
    ]
    # Spread over agencies: AGN-A's first, so its supervisor has a request waiting.
    open_cases.sort(key=lambda c: (c.agency.code, c.case_number))
    chosen: list[Case] = []
    seen_agencies: set[str] = set()
    for c in open_cases:
        if c.agency.code == "AGN-A" and sum(1 for x in chosen if x.agency.code == "AGN-A") < 3:
            chosen.append(c)
        elif c.agency.code not in seen_agencies and c.agency.code != "AGN-A":
            chosen.append(c)
        seen_agencies.add(c.agency.code)
    for n, case in enumerate(chosen):
        amount, purpose, note = STORIES[n % len(STORIES)]
        item, _ = services.cash_request(
            actor=Actor.of(_worker(case)),
            case_id=case.pk,
            amount=Decimal(amount),
            purpose=purpose,
            note=note,
        )
        supervisor = _supervisor_of(case)
        if supervisor is not None:
            services.cash_approve(
                actor=Actor.of(supervisor),
                disbursement_id=item.pk,
                expected_version=item.version,
                note="موافق؛ يُحفظ الإيصال في ملف الحالة",
            )
    if chosen:
        # One request left waiting, for the supervisor's queue.
        services.cash_request(
            actor=Actor.of(_worker(chosen[0])),
            case_id=chosen[0].pk,
            amount=Decimal("25.00"),
            purpose="transport",
            note="مواصلات إلى مركز التدريب المهني لمدة أسبوع",
        )
