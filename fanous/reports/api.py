"""Dashboard and KPI endpoints: aggregates of the caller's scope only (SPEC §1, §12)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.http import HttpRequest
from django.utils.translation import get_language
from ninja import Query, Router

from fanous.accounts.access import Actor
from fanous.domain.kpi import Period

from . import schemas as s
from .dashboard import Dashboard, dashboard_of
from .kpis import Kpis, Ratio, kpis_of
from .scope import Filters, Scope, period_for, scope_for

router = Router(tags=["reports"])


def _scope_period(request: HttpRequest, q: s.ReportQuery) -> tuple[Scope, Period]:
    scope = scope_for(Actor.of_request(request), Filters(area=q.area, caseworker_id=q.caseworker))
    return scope, period_for(scope, q.start, q.end)


def _period(p: Period) -> dict[str, Any]:
    return {"start": p.start, "end": p.end, "timezone": p.timezone}


def _ratio(r: Ratio) -> dict[str, Any]:
    return {"numerator": r.numerator, "denominator": r.denominator, "percent": r.percent}


def dashboard_out(board: Dashboard) -> dict[str, Any]:
    return {
        "level": board.level.value,
        "period": _period(board.period),
        "today": board.today,
        "open_total": board.open_total,
        "by_risk": [asdict(c) for c in board.by_risk],
        "by_status": [asdict(c) for c in board.by_status],
        "overdue": [asdict(c) for c in board.overdue],
        "approvals": asdict(board.approvals) if board.approvals else None,
        "referrals": asdict(board.referrals),
        "closures_12_months": [asdict(c) for c in board.closures],
        "new_cases_12_months": [
            {"month": m.month, "by_source": m.by_source, "total": m.total} for m in board.new_cases
        ],
        "caseload": [asdict(c) for c in board.caseload] if board.caseload is not None else None,
        "max_cases_per_caseworker": board.max_cases,
        "turning_18_within_3_months": board.turning_18,
        "unmet_needs": [asdict(g) for g in board.gaps],
    }


def kpis_out(k: Kpis) -> dict[str, Any]:
    return {
        "period": _period(k.period),
        "registration_to_initial_assessment": asdict(k.registration_to_initial),
        "assessment_to_plan": asdict(k.assessment_to_plan),
        "assessment_to_plan_by_level": [
            {**asdict(r), "level": r.level.value, "percent_within": r.percent_within}
            for r in k.plan_by_level
        ],
        "plans_within_deadline": _ratio(k.plan_within),
        "follow_ups_on_time": _ratio(k.follow_ups_on_time),
        "referrals_completed": _ratio(k.referrals_completed),
        "case_duration": [{**asdict(r), "level": r.level.value} for r in k.case_duration],
        "definitions": [
            {
                "code": d.code,
                "title": str(d.title),
                "definition": str(d.definition),
                "numerator": str(d.numerator),
                "denominator": str(d.denominator),
                "sop_reference": str(d.sop_reference),
                "spec": d.spec,
            }
            for d in k.definitions
        ],
    }


@router.get("/dashboard", response=s.DashboardOut)
def reports_dashboard(request: HttpRequest, q: Query[s.ReportQuery]) -> dict[str, Any]:
    """The dashboard of the caller's scope: own cases (caseworker), team (supervisor),
    agency (agency admin) or all agencies of an area (coordinator, de-identified). `start`
    and `end` are inclusive local dates (default: the last 90 days)."""
    scope, period = _scope_period(request, q)
    return dashboard_out(dashboard_of(scope, period, lang=get_language() or "en"))


@router.get("/kpis", response=s.KpisOut)
def reports_kpis(request: HttpRequest, q: Query[s.ReportQuery]) -> dict[str, Any]:
    """The KPIs of the caller's scope over the period, with their definitions."""
    scope, period = _scope_period(request, q)
    return kpis_out(kpis_of(scope, period))
