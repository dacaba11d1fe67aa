"""Fixture cases written straight to the tables (hundreds of them, faster than the API).

Only the columns the exports and the inter-agency report read are filled in; the workflow
services are exercised by the API tests elsewhere.
"""

from __future__ import annotations

import itertools
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from fanous.accounts.models import Agency, Area, User
from fanous.cases.models import Assessment, Case, Child, Consent, Registration
from fanous.sop.models import SopVersion

AMMAN = ZoneInfo("Asia/Amman")
_numbers = itertools.count(1)


def make_case(
    *,
    agency: Agency,
    area: Area,
    caseworker: User | None,
    sex: str = "m",
    birth_date: date = date(2012, 5, 1),
    nationality: str = "SY",
    legal_status: str = "refugee",
    risk: str = "medium",
    identified_on: date = date(2026, 3, 10),
    work_type: str = "agriculture",
    facts: dict[str, Any] | None = None,
    concerns: list[str] | None = None,
    given_name: str | None = None,
    status: str = "initial_assessment",
) -> Case:
    n = next(_numbers)
    sop = SopVersion.objects.get(area=area, status=SopVersion.Status.IN_FORCE)
    recorder = caseworker or User.objects.filter(agency=agency).first()
    assert recorder is not None
    child = Child.objects.create(
        agency=agency,
        given_name=given_name or f"طفل{n}",
        family_name=f"عائلة{n}",
        sex=sex,
        birth_date=birth_date,
        nationality=nationality,
        legal_status=legal_status,
        phone=f"0790000{n:03d}",
        current_address=f"شارع {n}",
    )
    case = Case.objects.create(
        case_number=f"TST-{n:05d}",
        child=child,
        agency=agency,
        area=area,
        caseworker=caseworker,
        created_by=recorder,
        status=status,
        sop_version=sop,
        concerns=concerns or ["child_labour"],
        source="outreach",
        risk_level=risk,
        identified_at=datetime.combine(identified_on, datetime.min.time(), tzinfo=AMMAN).replace(
            hour=9
        ),
    )
    Registration.objects.create(
        case=case, work_type=work_type, registered_by=recorder, sop_version=sop
    )
    if facts is not None:
        assessment = Assessment(
            case=case,
            kind=Assessment.Kind.INITIAL,
            assessed_on=identified_on,
            risk_level=risk,
            sop_version=sop,
            recorded_by=recorder,
        )
        assessment.facts = facts  # split into the open and the sealed columns
        assessment.save()
    return case


def consent(case: Case, purpose: str, giver: str, given: bool = True) -> Consent:
    recorder = case.caseworker or case.created_by
    assert recorder is not None
    return Consent.objects.create(
        case=case,
        purpose=purpose,
        giver=giver,
        given=given,
        recorded_by=recorder,
        recorded_on=date(2026, 3, 10),
    )
