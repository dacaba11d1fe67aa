"""Dashboards and KPIs (SPEC §12): a page per role, charts drawn on the server.

Supervisor: their team; caseworker: their own cases; agency admin: the agency's figures;
coordinator: figures across agencies of an area, never a name or a case number. The
figures come from fanous.reports (aggregates in the database); this module only turns them
into charts, tables and links to the filtered caseload.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language, get_language_bidi, gettext_lazy
from django.utils.translation import gettext as _

from fanous.accounts.access import Actor
from fanous.accounts.models import Area
from fanous.cases.queues import team_caseworkers
from fanous.core.errors import NotFoundError, error_payload
from fanous.domain.errors import DomainError
from fanous.domain.kpi import Period
from fanous.domain.roles import Role
from fanous.reports import charts
from fanous.reports.dashboard import TURNING_18_MONTHS, Dashboard, dashboard_of
from fanous.reports.kpis import KPI_DEFINITIONS, kpis_of
from fanous.reports.scope import Filters, Scope, can_see_dashboard, period_for, scope_for
from fanous.web.forms_intake import SOURCE_CHOICES
from fanous.web.templatetags.fanous import risk_label, status_label

DUE_LABELS = {
    "overdue_assessment": gettext_lazy("Comprehensive assessment overdue"),
    "overdue_plan": gettext_lazy("Case plan overdue"),
    "overdue_follow_up": gettext_lazy("Follow-up overdue"),
}


class DashboardFilterForm(forms.Form):
    start = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=gettext_lazy("To (inclusive)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    area = forms.ChoiceField(label=gettext_lazy("Area"), required=False)
    caseworker = forms.ChoiceField(label=gettext_lazy("Caseworker"), required=False)

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if actor.role == Role.COORDINATOR:
            name = "name_ar" if get_language() == "ar" else "name_en"
            cast(forms.ChoiceField, self.fields["area"]).choices = [("", _("All areas"))] + [
                (a.code, getattr(a, name) or a.name_en) for a in Area.objects.order_by("code")
            ]
        else:
            del self.fields["area"]
        if actor.role == Role.SUPERVISOR:
            cast(forms.ChoiceField, self.fields["caseworker"]).choices = [("", _("Whole team"))] + [
                (str(u.pk), u.get_full_name() or u.username) for u in team_caseworkers(actor=actor)
            ]
        else:
            del self.fields["caseworker"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end date must be on or after the start date."))
        return data


def _rows(bars: list[charts.Bar]) -> list[dict[str, Any]]:
    return [{"label": b.label, "value": b.value, "href": b.href} for b in bars]


def _chart(
    chart_id: str, title: str, bars: list[charts.Bar], rtl: bool, **kwargs: Any
) -> dict[str, Any]:
    return {
        "id": chart_id,
        "title": title,
        "svg": charts.bar_chart(chart_id, title, bars, rtl=rtl, **kwargs),
        "rows": _rows(bars),
    }


def _link(query: str) -> str:
    return f"{reverse('web:caseload')}?{query}" if query else ""


def _charts(board: Dashboard, scope: Scope, rtl: bool) -> dict[str, Any]:
    lang = get_language() or "en"
    out: dict[str, Any] = {}
    out["risk"] = _chart(
        "chart-risk",
        _("Open cases by risk level"),
        [
            charts.Bar(
                risk_label(c.code), c.count, charts.RISK_COLOURS[c.code], _link(c.query), c.code
            )
            for c in board.by_risk
        ],
        rtl,
    )
    out["status"] = _chart(
        "chart-status",
        _("Open cases by step"),
        [
            charts.Bar(status_label(c.code), c.count, charts.PALETTE[0], _link(c.query), c.code)
            for c in board.by_status
        ],
        rtl,
    )
    out["overdue"] = _chart(
        "chart-overdue",
        _("Overdue against the SOP timeframes"),
        [
            charts.Bar(str(DUE_LABELS[c.code]), c.count, charts.PALETTE[4], _link(c.query), c.code)
            for c in board.overdue
        ],
        rtl,
    )
    reasons = {r.code: r.label.get(lang) for r in scope.sop.closure.reasons} if scope.sop else {}
    out["closures"] = _chart(
        "chart-closures",
        _("Closures by reason (12 months)"),
        [
            charts.Bar(reasons.get(c.code, c.code), c.count, charts.PALETTE[5], "", c.code)
            for c in board.closures
        ],
        rtl,
    )
    source_labels = {code: str(label) for code, label in SOURCE_CHOICES}
    source_labels["unknown"] = _("Not recorded")
    colours = {s: charts.PALETTE[i % len(charts.PALETTE)] for i, s in enumerate(board.sources)}
    columns = [
        charts.Column(
            m.month.strftime("%m/%y"),
            tuple((source_labels.get(s, s), v, colours[s]) for s, v in m.by_source.items()),
        )
        for m in board.new_cases
    ]
    title = _("New cases by month and source (12 months)")
    out["new_cases"] = {
        "id": "chart-new",
        "title": title,
        "svg": charts.stacked_columns("chart-new", title, columns, rtl=rtl),
        "legend": [(source_labels.get(s, s), colours[s]) for s in board.sources],
        "sources": [source_labels.get(s, s) for s in board.sources],
        "months": board.new_cases,
        "source_codes": board.sources,
    }
    if board.caseload is not None:
        ratio_label = _("SOP maximum: %(n)s") % {"n": board.max_cases} if board.max_cases else ""
        bars = [
            charts.Bar(
                load.name,
                load.open_cases,
                charts.PALETTE[4] if load.over_ratio else charts.PALETTE[2],
                _link(f"caseworker={load.user_id}") if board.links else "",
                str(load.user_id),
            )
            for load in board.caseload
        ]
        out["caseload"] = _chart(
            "chart-caseload",
            _("Open cases per caseworker"),
            bars,
            rtl,
            marker=board.max_cases,
            marker_label=ratio_label,
        )
        out["caseload"]["loads"] = board.caseload
    need_labels: dict[str, str] = {}
    if scope.sop and scope.sop.referrals:
        need_labels = {n.code: n.label.get(lang) for n in scope.sop.referrals.needs}
    out["gaps"] = [
        {"area": g.area_name, "need": need_labels.get(g.need, g.need), "count": g.count}
        for g in board.gaps
    ]
    gap_totals: dict[str, int] = {}
    for g in board.gaps:
        gap_totals[g.area_name] = gap_totals.get(g.area_name, 0) + g.count
    out["gaps_chart"] = _chart(
        "chart-gaps",
        _("Unmet needs by area"),
        [charts.Bar(name, n, charts.PALETTE[3], "", name) for name, n in gap_totals.items()],
        rtl,
    )
    return out


def _filters_of(form: DashboardFilterForm) -> Filters:
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    caseworker = data.get("caseworker") or ""
    return Filters(
        area=data.get("area") or "",
        caseworker_id=int(caseworker) if str(caseworker).isdigit() else None,
    )


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The dashboard of the user's scope; HTMX swaps the body when the period changes."""
    actor = Actor.of_request(request)
    if not can_see_dashboard(actor):
        raise NotFoundError("This page does not exist.")
    form = DashboardFilterForm(request.GET or None, actor=actor)
    valid = not form.is_bound or form.is_valid()
    scope = scope_for(actor, _filters_of(form))
    period: Period | None = None
    if valid:
        data = form.cleaned_data if form.is_bound else {}
        try:
            period = period_for(scope, data.get("start"), data.get("end"))
        except DomainError as exc:
            form.add_error("start", error_payload(exc)["message"])
    if period is None:
        period = period_for(scope, None, None)
    form.initial.update({"start": period.start, "end": period.end})
    board = dashboard_of(scope, period, lang=get_language() or "en")
    kpis = kpis_of(scope, period)
    rtl = get_language_bidi()
    context = {
        "nav": "dashboard",
        "form": form,
        "board": board,
        "kpis": kpis,
        "charts": _charts(board, scope, rtl),
        "scope": scope,
        "period": period,
        "turning_18_months": TURNING_18_MONTHS,
        "turning_18_link": _link("turning18=1") if board.links else "",
    }
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "dashboard-body":
        return render(request, "web/dashboard/_body.html", context)
    return render(request, "web/dashboard/dashboard.html", context)


@login_required
def kpi_definitions(request: HttpRequest) -> HttpResponse:
    """What each KPI counts, its numerator, denominator and SOP reference."""
    actor = Actor.of_request(request)
    if not can_see_dashboard(actor):
        raise NotFoundError("This page does not exist.")
    return render(
        request,
        "web/dashboard/definitions.html",
        {"nav": "dashboard", "definitions": KPI_DEFINITIONS},
    )
