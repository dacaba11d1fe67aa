"""Referral pages (SPEC §8, §12): the new-referral form from a case (or a plan action), the
referral page both sides read, the receiving service's inbox, the sending side's list and
the supervisor's best-interests overrides.

The views parse and render; fanous.referrals.services.referrals decides who may send what
and take which step, and the selectors decide who reads which referral (the receiving
service reads the frozen snapshot, never the case).
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fanous.accounts.access import Actor
from fanous.accounts.permissions import Permission
from fanous.cases.models import Case
from fanous.cases.presenters import case_out
from fanous.cases.services.common import child_age, effective_consents, local_today, sop_for
from fanous.core.errors import ServiceError
from fanous.domain import referrals as rules
from fanous.domain.errors import DomainError
from fanous.domain.referrals import ReferralAction, ReferralStatus, Side
from fanous.domain.roles import Role
from fanous.domain.sop import Sop
from fanous.domain.sop.referrals import ReferralPolicy, ReferralType
from fanous.referrals.models import Referral, ServiceProvider
from fanous.referrals.presenters import overdue_of, referral_out
from fanous.referrals.selectors import referrals as sel
from fanous.referrals.selectors.pathways import case_facts_merged
from fanous.referrals.selectors.providers import providers_for_case
from fanous.referrals.services import referrals as svc
from fanous.sop.selectors import sop_of

from .forms_referrals import ACCOMPANIMENT_LABELS, ReferralActForm, ReferralForm
from .templatetags.fanous_referrals import ACTION_LABELS, OVERDUE_LABELS
from .views import actor_of
from .views_access import case_for_change
from .views_followup import error_context, error_status

LIST_LIMIT = 200

# Where a refusal of the service points to on the form.
ERROR_FIELDS = {
    "referral_consent_missing": "override_reason",
    "reason_required": "reason",
    "provider_unknown": "provider",
    "provider_service_mismatch": "provider",
    "provider_not_accepting": "provider",
    "provider_full": "provider",
    "referral_sections_invalid": "sections",
    "referral_type_unknown": "kind",
    "service_type_unknown": "service_type",
    "need_unknown": "need",
    "accompaniment": "accompaniment",
}

# The lifecycle as the step indicator shows it (SPEC §8), with the time of each step.
STEPS = (
    (ReferralStatus.SENT, "sent_at"),
    (ReferralStatus.ACKNOWLEDGED, "acknowledged_at"),
    (ReferralStatus.ACCEPTED, "accepted_at"),
    (ReferralStatus.DELIVERED, "delivered_at"),
    (ReferralStatus.CLOSED, "closed_at"),
)

# The text each step asks for (the service checks that it is given).
ACTION_FIELD = {
    ReferralAction.DECLINE: "reason",
    ReferralAction.REVOKE: "reason",
    ReferralAction.REFUSE_OVERRIDE: "reason",
    ReferralAction.DELIVER: "outcome",
    ReferralAction.CLOSE: "feedback",
}
ACTION_HELP = {
    ReferralAction.DECLINE: gettext_lazy(
        "Why the service cannot take the child; the sender reads it."
    ),
    ReferralAction.REVOKE: gettext_lazy("Why you withdraw the referral; the service reads it."),
    ReferralAction.REFUSE_OVERRIDE: gettext_lazy(
        "Why the information may not be shared without consent; the caseworker reads it."
    ),
    ReferralAction.DELIVER: gettext_lazy("What the service did for the child (optional)."),
    ReferralAction.CLOSE: gettext_lazy("How the referral went for the child (optional)."),
}
DANGER = frozenset({ReferralAction.DECLINE, ReferralAction.REVOKE, ReferralAction.REFUSE_OVERRIDE})
RECEIVER_STEPS = frozenset(
    action
    for (_, action), (_, allowed) in rules.REFERRAL_TRANSITIONS.items()
    if allowed == frozenset({Side.RECEIVER})
)
DONE = {
    ReferralAction.APPROVE_OVERRIDE: gettext_lazy("Sharing approved: the referral was sent."),
    ReferralAction.REFUSE_OVERRIDE: gettext_lazy("Sharing refused: nothing was sent."),
    ReferralAction.ACKNOWLEDGE: gettext_lazy("Receipt acknowledged."),
    ReferralAction.ACCEPT: gettext_lazy("Referral accepted."),
    ReferralAction.DECLINE: gettext_lazy("Referral declined: the sender is told why."),
    ReferralAction.DELIVER: gettext_lazy("Service delivery recorded."),
    ReferralAction.CLOSE: gettext_lazy("Referral closed."),
    ReferralAction.REVOKE: gettext_lazy("Referral revoked."),
}
LANGUAGE_NAMES = {
    "ar": gettext_lazy("Arabic"),
    "en": gettext_lazy("English"),
    "fr": gettext_lazy("French"),
}


def _lang() -> str:
    return (get_language() or "ar")[:2]


def detail_url(referral_id: UUID) -> str:
    return reverse("web:referral_detail", args=[referral_id])


def overrides_pending_count(actor: Actor) -> int:
    """Best-interests overrides waiting for this supervisor (for the approvals queue)."""
    return sel.pending_overrides_for(actor).order_by().count()


# --------------------------------------------------------------------------- new referral


def _policy(case: Case) -> tuple[Sop, ReferralPolicy]:
    _, sop = sop_for(case)
    return sop, svc.policy_of(sop)


def _plan_action(data: dict[str, Any], raw: str) -> dict[str, Any] | None:
    """The plan action (as the case page shows it) a referral starts from."""
    try:
        wanted = UUID(raw)
    except ValueError:
        return None
    for goal in (data.get("plan") or {}).get("goals") or []:
        for action in goal.get("actions") or []:
            if action.get("id") == wanted:
                return dict(action)
    return None


def _provider_row(p: ServiceProvider, lang: str, checked: bool) -> dict[str, Any]:
    return {
        "id": str(p.pk),
        "name": p.name(lang),
        "agency": p.agency.name(lang),
        "area": p.area.name(lang),
        "address": p.address,
        "languages": [str(LANGUAGE_NAMES.get(code, code)) for code in p.languages or []],
        "hours": p.opening_hours,
        "capacity": p.capacity,
        "full": p.capacity == 0,
        "in_app": p.in_app,
        "checked": checked,
    }


def _new_state(
    *,
    case: Case,
    actor: Actor,
    policy: ReferralPolicy,
    sop: Sop,
    params: QueryDict | dict[str, Any],
    bound: bool,
) -> dict[str, Any]:
    """What the form offers for the current choice of need, service and referral type."""
    lang = _lang()
    shown = set(rules.needs_shown(policy, case_facts_merged(case)))
    need_code = str(params.get("need") or "")
    need = policy.need(need_code) if need_code else None
    if need is not None:
        st_codes = list(need.service_types)
        service_choices: list[tuple[str, Any]] = [
            (c, st.label.get(lang)) for c in st_codes if (st := policy.service_type(c))
        ]
    else:
        st_codes = [s.code for s in policy.service_types]
        service_choices = [
            (
                sector.label.get(lang),
                [
                    (s.code, s.label.get(lang))
                    for s in policy.service_types
                    if s.sector == sector.code
                ],
            )
            for sector in policy.sectors
            if any(s.sector == sector.code for s in policy.service_types)
        ]
    service_type = str(params.get("service_type") or "")
    if service_type not in st_codes:
        service_type = st_codes[0]
    kind = policy.referral_type(str(params.get("kind") or "")) or _default_type(policy, need)
    providers = providers_for_case(case, service_type)
    posted_provider = str(params.get("provider") or "")
    open_providers = [p for p in providers if p.capacity != 0]
    provider_rows = [
        _provider_row(
            p,
            lang,
            checked=str(p.pk) == posted_provider
            or (not posted_provider and len(open_providers) == 1 and p in open_providers),
        )
        for p in providers
    ]
    if bound and isinstance(params, QueryDict):
        ticked = set(params.getlist("sections"))
    else:
        ticked = set(rules.default_sections(policy, kind))
    section_rows = [
        {
            "code": s.code,
            "label": s.label.get(lang),
            "sensitive": s.sensitive,
            "default": s.default,
            "checked": s.code in ticked,
        }
        for s in policy.sections
        if s.code in kind.sections
    ]
    today = local_today(sop)
    has_consent = policy.consent_purpose in effective_consents(case, sop, child_age(case, today))
    shown_needs = [(n.code, n.label.get(lang)) for n in policy.needs if n.code in shown]
    other_needs = [(n.code, n.label.get(lang)) for n in policy.needs if n.code not in shown]
    need_choices: list[tuple[str, Any]] = []
    if shown_needs:
        need_choices.append((_("Shown by the assessment"), shown_needs))
        need_choices.append((_("Other needs"), other_needs))
    else:
        need_choices = other_needs
    return {
        "need": need,
        "need_code": need.code if need else "",
        "service_type": service_type,
        "kind": kind,
        "providers": provider_rows,
        "sections": section_rows,
        "has_consent": has_consent,
        "is_supervisor": Side.SENDER_SUPERVISOR in sel.sender_sides(actor, case),
        "choices": {
            "needs": need_choices,
            "service_types": service_choices,
            "providers": [(str(p.pk), p.name(lang)) for p in providers],
            "kinds": [(t.code, t.label.get(lang)) for t in policy.types],
            "sections": [(s.code, s.label.get(lang)) for s in policy.sections],
        },
    }


def _default_type(policy: ReferralPolicy, need: Any) -> ReferralType:
    if need is not None and need.urgent:
        urgent = next((t for t in policy.types if t.urgent), None)
        if urgent is not None:
            return urgent
    return policy.referral_type("standard") or policy.types[0]


@login_required
def referral_new(request: HttpRequest, case_id: UUID) -> HttpResponse:
    """Refer the child to a service: need, service, provider, what to share, on which ground."""
    actor = actor_of(request)
    case, refusal = case_for_change(request, actor, case_id, "referral_new")
    if not actor.can(Permission.REFERRAL_SEND):
        raise PermissionDenied
    if refusal is not None:
        return refusal  # a share or break-glass access never sends referrals (SPEC §12)
    data = case_out(case, actor)
    sop, policy = _policy(case)
    error: dict[str, Any] | None = None
    status = 200
    hx_url = reverse("web:referral_new", args=[case.pk])
    if request.method == "POST":
        state = _new_state(
            case=case, actor=actor, policy=policy, sop=sop, params=request.POST, bound=True
        )
        form = ReferralForm(request.POST, hx_url=hx_url, **state["choices"])
        if form.is_valid():
            cd = form.cleaned_data
            try:
                referral, _created = svc.referral_send(
                    actor=actor,
                    record_id=cd["record_id"],
                    case_id=case.pk,
                    provider_id=UUID(cd["provider"]),
                    service_type=cd["service_type"],
                    kind=cd["kind"],
                    need=cd["need"],
                    plan_action_id=cd["plan_action"],
                    reason=cd["reason"],
                    sections=list(cd["sections"]),
                    override_reason=cd["override_reason"],
                    accompaniment=list(cd["accompaniment"]),
                    accompaniment_notes=cd["accompaniment_notes"],
                )
            except (ServiceError, DomainError) as exc:
                error, status = error_context(exc), error_status(exc)
                error["field"] = ERROR_FIELDS.get(getattr(exc, "code", ""), "")
            else:
                if referral.status == ReferralStatus.PENDING_APPROVAL.value:
                    messages.success(
                        request,
                        _("Referral saved: your supervisor decides whether it may be sent."),
                    )
                else:
                    messages.success(request, _("Referral sent to the service."))
                return HttpResponseRedirect(detail_url(referral.pk))
        else:
            status = 422
    else:
        params: dict[str, Any] = dict(request.GET.items())
        action = _plan_action(data, request.GET.get("action", ""))
        if action is not None and not request.headers.get("HX-Request"):
            params["service_type"] = action.get("service_type") or ""
            need = next(
                (n for n in policy.needs if params["service_type"] in n.service_types), None
            )
            params["need"] = need.code if need else ""
        elif "need" not in params:
            shown = rules.needs_shown(policy, case_facts_merged(case))
            params["need"] = shown[0] if shown else ""
        state = _new_state(
            case=case, actor=actor, policy=policy, sop=sop, params=params, bound=False
        )
        initial = {
            "record_id": uuid.uuid4(),
            "plan_action": action["id"] if action else None,
            "need": state["need_code"],
            "service_type": state["service_type"],
            "kind": state["kind"].code,
            "reason": (action or {}).get("description", ""),
        }
        form = ReferralForm(initial=initial, hx_url=hx_url, **state["choices"])
        target = request.headers.get("HX-Target") if request.headers.get("HX-Request") else None
        if target in ("pathway", "share"):
            return render(
                request,
                f"web/referrals/partials/_{target}.html",
                {"case": case, "data": data, "form": form, "state": state},
            )
    return render(
        request,
        "web/referrals/new.html",
        {
            "nav": "caseload",
            "case": case,
            "data": data,
            "form": form,
            "state": state,
            "error": error,
            "error_field": (error or {}).get("field", ""),
        },
        status=status,
    )


# --------------------------------------------------------------------------- referral page


def _labels(referral: Referral, lang: str) -> dict[str, str]:
    """Names of the referral's codes in the SOP version it was sent under."""
    policy = sop_of(referral.sop_version).referrals
    if policy is None:
        return {"kind": referral.kind, "service_type": referral.service_type, "need": referral.need}
    kind = policy.referral_type(referral.kind)
    st = policy.service_type(referral.service_type)
    need = policy.need(referral.need) if referral.need else None
    return {
        "kind": kind.label.get(lang) if kind else referral.kind,
        "service_type": st.label.get(lang) if st else referral.service_type,
        "need": need.label.get(lang) if need else "",
    }


def _next_deadline(referral: Referral) -> Any:
    status = referral.status
    if status == ReferralStatus.SENT.value:
        return referral.acknowledge_by
    if status == ReferralStatus.ACKNOWLEDGED.value:
        return referral.respond_by
    if status == ReferralStatus.ACCEPTED.value:
        return referral.deliver_by
    return None


def _row(referral: Referral, lang: str, *, receiver: bool) -> dict[str, Any]:
    overdue = overdue_of(referral)
    identity = (referral.shared or {}).get("identity") or {}
    return {
        "r": referral,
        "reference": svc.reference(referral),
        "labels": _labels(referral, lang),
        "status_label": _(ReferralStatus(referral.status).label),
        "overdue": overdue,
        "overdue_label": OVERDUE_LABELS.get(overdue or "", ""),
        "deadline": _next_deadline(referral),
        # The receiver knows the child only by what the referral shares.
        "child_name": identity.get("name", "") if receiver else referral.case.child.full_name,
        "provider_name": referral.provider.name(lang),
        "sender_agency": referral.sender_agency.name(lang),
    }


def _section(code: str, label: str, sensitive: bool, data: Any) -> dict[str, Any]:
    """One shared section; dates and lists of the JSON snapshot made ready to show."""
    out: dict[str, Any] = {"code": code, "label": label, "sensitive": sensitive, "data": data}
    if code == "identity" and isinstance(data, dict):
        try:
            out["birth_date"] = date.fromisoformat(str(data.get("birth_date") or ""))
        except ValueError:
            out["birth_date"] = None
        languages = data.get("languages") or []
        if isinstance(languages, list):
            languages = " · ".join(str(LANGUAGE_NAMES.get(c, c)) for c in languages)
        out["languages"] = languages
    return out


def _detail(
    request: HttpRequest,
    actor: Actor,
    referral: Referral,
    *,
    error: dict[str, Any] | None = None,
    forms_in: dict[str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    lang = _lang()
    r = referral_out(referral, actor, lang)
    sender_view = "case_id" in r
    sop = sop_of(referral.sop_version)
    policy = sop.referrals
    current = ReferralStatus(referral.status)
    steps = []
    reached = True
    for step, at in STEPS:
        done = bool(r[at])
        state = "done" if done else ("current" if reached and current.is_open else "todo")
        if not done:
            reached = False
        steps.append({"code": step.value, "label": _(step.label), "at": r[at], "state": state})
    sections = []
    if policy is not None:
        for s in policy.sections:
            if s.code in r["shared"]:
                sections.append(
                    _section(s.code, s.label.get(lang), s.sensitive, r["shared"][s.code])
                )
    actions = []
    for action in r["actions"]:
        form = (forms_in or {}).get(action.value) or ReferralActForm(
            initial={"version": referral.version}, prefix=action.value
        )
        field = ACTION_FIELD.get(action)
        actions.append(
            {
                "code": action.value,
                "label": str(ACTION_LABELS[action]),
                "form": form,
                "field": form[field] if field else None,
                "help": ACTION_HELP.get(action, ""),
                "danger": action in DANGER,
                "recorded": sender_view
                and not referral.provider.in_app
                and action in RECEIVER_STEPS,
            }
        )
    return render(
        request,
        "web/referrals/detail.html",
        {
            "nav": "referrals",
            "r": r,
            "referral": referral,
            "sender_view": sender_view,
            "labels": _labels(referral, lang),
            "status_label": _(current.label),
            "overdue_label": OVERDUE_LABELS.get(r["overdue"] or "", ""),
            "steps": steps,
            "sections": sections,
            "accompaniment": [str(ACCOMPANIMENT_LABELS.get(a, a)) for a in r["accompaniment"]],
            "recorded_actions": [a for a in actions if a["recorded"]],
            "own_actions": [a for a in actions if not a["recorded"]],
            "error": error,
            "sender_name": referral.sender.get_full_name() or referral.sender.username,
            "provider": referral.provider,
            "reload_url": detail_url(referral.pk),
        },
        status=status,
    )


@login_required
def referral_detail(request: HttpRequest, referral_id: UUID) -> HttpResponse:
    """One referral as the reader's side may see it, with the steps they may take now."""
    actor = actor_of(request)
    referral = sel.referral_get(actor=actor, referral_id=referral_id, audit_section="referral")
    return _detail(request, actor, referral)


NEXT_PAGES = {"overrides": "web:referral_overrides", "inbox": "web:referral_inbox"}


@login_required
@require_POST
def referral_act(request: HttpRequest, referral_id: UUID, action: str) -> HttpResponse:
    """One step of the lifecycle; a refusal (or a stale version) is shown on the page."""
    try:
        step = ReferralAction(action)
    except ValueError:
        raise Http404 from None
    actor = actor_of(request)
    referral = sel.referral_get(actor=actor, referral_id=referral_id)
    form = ReferralActForm(request.POST, prefix=step.value)
    if not form.is_valid():
        return _detail(request, actor, referral, forms_in={step.value: form}, status=422)
    cd = form.cleaned_data
    try:
        svc.referral_act(
            actor=actor,
            referral_id=referral.pk,
            expected_version=cd["version"],
            action=step,
            reason=cd["reason"],
            outcome=cd["outcome"],
            feedback=cd["feedback"],
        )
    except (ServiceError, DomainError) as exc:
        error = error_context(exc)
        error["action"] = step.value
        referral = sel.referral_get(actor=actor, referral_id=referral_id)
        return _detail(
            request,
            actor,
            referral,
            error=error,
            forms_in={step.value: form},
            status=error_status(exc),
        )
    messages.success(request, str(DONE[step]))
    nxt = NEXT_PAGES.get(request.POST.get("next", ""))
    return HttpResponseRedirect(reverse(nxt) if nxt else detail_url(referral.pk))


# --------------------------------------------------------------------------- lists


def _list_qs(qs: Any) -> Any:
    return qs.select_related("case", "case__child", "provider", "sender_agency", "sop_version")[
        :LIST_LIMIT
    ]


@login_required
def referral_inbox(request: HttpRequest) -> HttpResponse:
    """Referrals the service must act on: urgent first, then the nearest deadline."""
    actor = actor_of(request)
    if not actor.can(Permission.REFERRAL_RECEIVE):
        raise PermissionDenied
    lang = _lang()
    rows = [_row(r, lang, receiver=True) for r in _list_qs(sel.inbox_for(actor))]
    context = {"nav": "referrals", "rows": rows}
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "referral-inbox":
        return render(request, "web/referrals/partials/_inbox_rows.html", context)
    return render(request, "web/referrals/inbox.html", context)


@login_required
def referral_list(request: HttpRequest) -> HttpResponse:
    """Open referrals of my cases (or my team's): overdue first, then urgent, then nearest."""
    actor = actor_of(request)
    if actor.can(Permission.REFERRAL_RECEIVE):
        return HttpResponseRedirect(reverse("web:referral_inbox"))
    if not actor.can(Permission.REFERRAL_SEND):
        raise PermissionDenied
    lang = _lang()
    wanted = request.GET.get("status", "")
    try:
        chosen: ReferralStatus | None = ReferralStatus(wanted) if wanted else None
    except ValueError:
        chosen = None
    if chosen is None:
        qs = sel.outbox_for(actor)
    else:
        qs = (
            sel.referrals_visible_to(actor)
            .filter(status=chosen.value)
            .order_by("-urgent", "respond_by", "-created_at")
        )
    rows = [_row(r, lang, receiver=False) for r in _list_qs(qs)]
    rows.sort(key=lambda row: row["overdue"] is None)  # stable: keeps urgent / deadline order
    return render(
        request,
        "web/referrals/list.html",
        {
            "nav": "referrals",
            "rows": rows,
            "chosen": chosen.value if chosen else "",
            "statuses": [(s.value, _(s.label)) for s in ReferralStatus],
            "team": actor.role == Role.SUPERVISOR,
        },
    )


@login_required
def referral_overrides(request: HttpRequest) -> HttpResponse:
    """Referrals without consent waiting for this supervisor's best-interests decision."""
    actor = actor_of(request)
    if actor.role != Role.SUPERVISOR or not actor.can(Permission.REFERRAL_SEND):
        raise PermissionDenied
    lang = _lang()
    rows = []
    for referral in _list_qs(sel.pending_overrides_for(actor).select_related("sender")):
        row = _row(referral, lang, receiver=False)
        row["sender_name"] = referral.sender.get_full_name() or referral.sender.username
        # One pair of forms per row: ids carry the referral so that they stay unique.
        auto_id = f"id_{referral.pk}_%s"
        row["approve"] = ReferralActForm(
            initial={"version": referral.version},
            prefix=ReferralAction.APPROVE_OVERRIDE.value,
            auto_id=auto_id,
        )
        row["refuse"] = ReferralActForm(
            initial={"version": referral.version},
            prefix=ReferralAction.REFUSE_OVERRIDE.value,
            auto_id=auto_id,
        )
        rows.append(row)
    return render(request, "web/referrals/overrides.html", {"nav": "approvals", "rows": rows})
