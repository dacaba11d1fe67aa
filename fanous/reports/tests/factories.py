"""Rows with explicit dates for the monitoring tests (no API: the dates are the point)."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from fanous.accounts.models import Agency, Area, User
from fanous.cases.models import Case, Child, FollowUp
from fanous.referrals.models import Referral, ServiceGap, ServiceProvider
from fanous.sop.models import SopVersion

AMMAN = ZoneInfo("Asia/Amman")
_numbers = itertools.count(1)


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """An instant at a local time of day in Amman (UTC+3), where the SOP counts days."""
    return datetime.combine(day, time(hour, minute), tzinfo=AMMAN)


def sop_row(area: Area) -> SopVersion:
    return SopVersion.objects.filter(area=area, status=SopVersion.Status.IN_FORCE).get()


def make_case(
    *,
    agency: Agency,
    area: Area,
    caseworker: User | None,
    birth_date: date = date(2013, 3, 14),
    **fields: Any,
) -> Case:
    child = Child.objects.create(
        agency=agency,
        given_name="Test",
        family_name="Child",
        sex="m",
        birth_date=birth_date,
        **({"name_key": "test child"} if hasattr(Child, "name_key") else {}),
    )
    values: dict[str, Any] = {
        "status": "implementation",
        "risk_level": "medium",
        "identified_at": fields.get("registered_at") or at(date(2026, 1, 1)),
        "source": "outreach",
    }
    values.update(fields)
    return Case.objects.create(
        case_number=f"T-{next(_numbers):05d}",
        child=child,
        agency=agency,
        area=area,
        caseworker=caseworker,
        created_by=caseworker,
        sop_version=sop_row(area),
        **values,
    )


def follow_up(case: Case, day: date, by: User) -> FollowUp:
    return FollowUp.objects.create(
        case=case, kind="home_visit", happened_on=day, sop_version=case.sop_version, recorded_by=by
    )


def provider(agency: Agency, area: Area) -> ServiceProvider:
    return ServiceProvider.objects.create(
        agency=agency, area=area, name_ar="خدمة", name_en="Service", sector="health"
    )


def referral(
    case: Case,
    service: ServiceProvider,
    by: User,
    status: str,
    sent_at: datetime | None,
    **more: Any,
) -> Referral:
    number = Referral.objects.filter(case=case).count() + 1
    return Referral.objects.create(
        case=case,
        number=number,
        provider=service,
        kind="standard",
        service_type="health",
        basis="consent",
        status=status,
        sender=by,
        sender_agency=case.agency,
        sent_at=sent_at,
        sop_version=case.sop_version,
        **more,
    )


def gap(
    case: Case | None, agency: Agency, area: Area, need: str, by: User, **more: Any
) -> ServiceGap:
    return ServiceGap.objects.create(
        case=case,
        agency=agency,
        area=area,
        need=need,
        noted_on=more.pop("noted_on", date(2026, 3, 1)),
        recorded_by=by,
        sop_version=sop_row(area),
        **more,
    )
