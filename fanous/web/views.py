"""Web pages: parse input, call selectors/services, render. No rule lives here."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from fanous.accounts.access import Actor
from fanous.accounts.models import User
from fanous.accounts.permissions import Permission
from fanous.cases import selectors
from fanous.cases.presenters import case_out
from fanous.cases.services.common import local_today, sop_for
from fanous.core.prepared import with_prepared_statements
from fanous.domain import timeframes as tf
from fanous.domain.sop import RiskLevel
from fanous.domain.workflow import CaseStatus
from fanous.referrals.selectors.referrals import case_referrals

PAGE_SIZE = 25


def actor_of(request: HttpRequest) -> Actor:
    return Actor.of_request(request)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch language; remembered on the user's account, so it follows them to any phone."""
    lang = request.POST.get("language", "")
    nxt = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(nxt, {request.get_host()}, request.is_secure()):
        nxt = "/"
    response = HttpResponseRedirect(nxt)
    if lang in dict(settings.LANGUAGES):
        if request.user.is_authenticated:
            User.objects.filter(pk=request.user.pk).update(language=lang)
        translation.activate(lang)
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, lang, samesite="Lax", httponly=True)
    return response


def _filters(request: HttpRequest, today: date) -> selectors.CaseloadFilter:
    def many(name: str, enum: Any) -> list[Any] | None:
        values = []
        for raw in request.GET.getlist(name):
            try:
                values.append(enum(raw))
            except ValueError:
                continue
        return values or None

    overdue = request.GET.get("overdue")
    caseworker = request.GET.get("caseworker", "")
    due = request.GET.get("due", "")
    born_by = None
    if request.GET.get("turning18") == "1":
        from fanous.domain.kpi import turning_18_cutoff
        from fanous.reports.dashboard import TURNING_18_MONTHS

        born_by = turning_18_cutoff(today, TURNING_18_MONTHS)
    return selectors.CaseloadFilter(
        due=due if due in selectors.DUE_KINDS else None,
        born_by=born_by,
        caseworker_id=int(caseworker) if caseworker.isdigit() and len(caseworker) < 10 else None,
        status=many("status", CaseStatus),
        risk=many("risk", RiskLevel),
        overdue=True if overdue == "1" else None,
        q=(request.GET.get("q") or "").strip()[:100] or None,
        include_closed=request.GET.get("closed") == "1",
    )


@login_required
@with_prepared_statements
def caseload(request: HttpRequest) -> HttpResponse:
    """My caseload: high risk first, then the nearest due date (SPEC §4)."""
    actor = actor_of(request)
    if actor.can(Permission.REFERRAL_RECEIVE):  # a service provider has referrals, no cases
        return HttpResponseRedirect(reverse("web:referral_inbox"))
    sop = selectors.sop_of_actor(actor)
    today = local_today(sop) if sop else selectors.today_for(actor)
    filters = _filters(request, today)
    qs = selectors.case_list_for(actor=actor, filters=filters, today=today)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    # Children this close to 18 need transition planning (SPEC §9; the window is the SOP's).
    window = sop.closure.transition_planning_months if sop else None
    rows = [
        {
            "case": c,
            "age": tf.age_on(c.child.birth_date, today),
            "overdue": tf.is_overdue(c.next_due_on, today),
            # Which deadline is late: the badge says what to do, not only that it is late.
            "overdue_plan": tf.is_overdue(c.plan_due_on, today),
            "overdue_assessment": tf.is_overdue(c.assessment_due_on, today),
            "overdue_follow_up": tf.is_overdue(c.next_follow_up_on, today),
            "turning_18": window is not None
            and tf.turns_18_within(c.child.birth_date, today, window),
        }
        for c in page.object_list
    ]
    context = {
        "nav": "caseload",
        "page": page,
        "rows": rows,
        "filters": filters,
        "query": request.GET.urlencode(),
        "risk_levels": [RiskLevel.HIGH, RiskLevel.MEDIUM, RiskLevel.LOW, RiskLevel.NONE],
        "today": today,
    }
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "caseload":
        return render(request, "web/partials/_caseload_table.html", context)
    return render(request, "web/caseload.html", context)


def withdrawn_required_consents(case: Any, data: dict[str, Any]) -> list[str]:
    """Labels of the consents needed for case management that were withdrawn (SPEC §12).

    The case page warns; the supervisor decides what happens (closure, new consent).
    """
    withdrawn = {c.purpose for c in data.get("consents", []) if c.withdrawn_at is not None}
    if not withdrawn:
        return []
    _, sop = sop_for(case)
    lang = (translation.get_language() or "ar")[:2]
    missing = withdrawn & (sop.required_consents - set(data.get("effective_consents", [])))
    return [p.label.get(lang) for p in sop.consent_purposes if p.code in missing]


@login_required
@with_prepared_statements
def case_detail(request: HttpRequest, case_id: UUID) -> HttpResponse:
    """The case page: where it stands, what is due, and everything that happened."""
    actor = actor_of(request)
    case = selectors.case_get(actor=actor, case_id=case_id, audit_section="case")
    data = case_out(case, actor)
    events = selectors.case_history(actor=actor, case_id=case_id).order_by("-at")
    referrals = (
        list(case_referrals(actor=actor, case_id=case.pk))
        if actor.can(Permission.REFERRAL_SEND) and data["access"] is None
        else None
    )
    return render(
        request,
        "web/case_detail.html",
        {
            "nav": "caseload",
            "case": case,
            "data": data,
            # Sensitive facts and fields masked for a reader without need to know (§12).
            "events": selectors.mask_history(
                actor=actor, case=case, events=events.select_related("actor")[:200]
            ),
            "referrals": referrals,
            "consents_withdrawn": withdrawn_required_consents(case, data),
        },
    )


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    """The user's language and digits (Arabic-Indic ٠١٢ or Latin 012), kept on their account."""
    user: User = request.user  # type: ignore[assignment]
    if request.method == "POST":
        lang = request.POST.get("language", user.language)
        if lang in dict(settings.LANGUAGES):
            user.language = lang
        user.arabic_digits = request.POST.get("arabic_digits") == "1"
        user.save(update_fields=["language", "arabic_digits"])
        translation.activate(user.language)
        response = HttpResponseRedirect(request.path)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME, user.language, samesite="Lax", httponly=True
        )
        return response
    return render(request, "web/preferences.html", {"nav": "preferences"})
