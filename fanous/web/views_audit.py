"""The audit log viewer (supervisors, agency admins) and its export; both audited."""

from __future__ import annotations

import csv
import io
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fanous.accounts.access import Actor
from fanous.audit.models import Event
from fanous.audit.selectors import AuditFilter, audit_events, can_read_audit
from fanous.audit.services import record
from fanous.cases.selectors import timezone_for

from .views import actor_of

PAGE_SIZE = 50
EXPORT_LIMIT = 50_000


class AuditFilterForm(forms.Form):
    case_number = forms.CharField(label=gettext_lazy("Case number"), max_length=32, required=False)
    user = forms.CharField(label=gettext_lazy("User name"), max_length=150, required=False)
    action = forms.ChoiceField(
        label=gettext_lazy("Action"),
        required=False,
        choices=[("", gettext_lazy("All actions")), *Event.Action.choices],
    )
    date_from = forms.DateField(
        label=gettext_lazy("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label=gettext_lazy("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date must be on or after the start date."))
        return data

    def filters(self) -> AuditFilter:
        cd = self.cleaned_data
        return AuditFilter(
            case_number=(cd.get("case_number") or "").strip(),
            username=(cd.get("user") or "").strip(),
            action=cd.get("action") or "",
            date_from=cd.get("date_from"),
            date_to=cd.get("date_to"),
        )


def _reader(request: HttpRequest) -> Actor:
    """The log does not exist for roles that may not read it (need to know)."""
    actor = actor_of(request)
    if not can_read_audit(actor):
        raise Http404
    return actor


def _filtered(request: HttpRequest, actor: Actor) -> tuple[AuditFilterForm, QuerySet[Event]]:
    form = AuditFilterForm(request.GET or None)
    if request.GET and not form.is_valid():
        return form, Event.objects.none()
    filters = form.filters() if request.GET else AuditFilter()
    return form, audit_events(actor=actor, filters=filters, tz=timezone_for(actor))


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    """Who did or viewed what, when, from where: the newest first, filtered, paginated."""
    actor = _reader(request)
    form, qs = _filtered(request, actor)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    status = 422 if form.is_bound and form.errors else 200
    return render(
        request,
        "web/audit/log.html",
        {"nav": "audit", "form": form, "page": page, "query": query.urlencode()},
        status=status,
    )


COLUMNS = (
    "chain",
    "seq",
    "at",
    "user",
    "action",
    "case_number",
    "object_type",
    "object_id",
    "summary",
    "ip",
    "request_id",
    "hash",
)


def _row(e: Event, tz: str) -> list[Any]:
    from zoneinfo import ZoneInfo

    return [
        e.chain,
        e.seq,
        e.at.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M:%S"),
        e.actor.username if e.actor else "",
        e.action,
        e.case.case_number if e.case else "",
        e.object_type,
        e.object_id,
        e.summary,
        e.ip or "",
        e.request_id,
        e.hash,
    ]


@login_required
def audit_export(request: HttpRequest) -> HttpResponse:
    """The filtered view as CSV or XLSX, with who exported it and when; the export is
    itself recorded in the audit log."""
    actor = _reader(request)
    fmt = request.GET.get("format", "csv")
    if fmt not in ("csv", "xlsx"):
        raise Http404
    form, qs = _filtered(request, actor)
    if form.is_bound and form.errors:
        return audit_log(request)
    tz = timezone_for(actor)
    rows = [_row(e, tz) for e in qs[:EXPORT_LIMIT]]
    now = timezone.now()
    filters = form.filters() if form.is_bound else AuditFilter()
    record(
        actor=actor.user,
        action=Event.Action.EXPORT,
        obj=actor.user,
        summary="audit log export",
        changes={
            "format": fmt,
            "rows": len(rows),
            "case_number": filters.case_number,
            "user": filters.username,
            "filter_action": filters.action,
            "date_from": filters.date_from,
            "date_to": filters.date_to,
        },
    )
    stamp = now.strftime("%Y%m%d-%H%M%S")
    header = [
        ["Fanous audit log export"],
        ["Exported by", actor.user.username],
        ["Exported at (UTC)", now.strftime("%Y-%m-%d %H:%M:%S")],
        ["Time zone of the times below", tz],
        [],
        list(COLUMNS),
    ]
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerows(header + rows)
        response = HttpResponse("\ufeff" + buf.getvalue(), content_type="text/csv; charset=utf-8")
    else:
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("audit")
        for line in header + rows:
            ws.append(line)
        out = io.BytesIO()
        wb.save(out)
        response = HttpResponse(
            out.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="fanous-audit-{stamp}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response
