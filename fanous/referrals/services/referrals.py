"""Referrals: sent with consent (or a supervisor's best-interests override), carrying only
what the sender chose, tracked until the service is delivered (SPEC §8, §12)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from fanous.accounts.access import Actor
from fanous.accounts.models import User
from fanous.accounts.permissions import Permission
from fanous.audit.models import Event
from fanous.audit.services import record
from fanous.cases.models import OPEN_STATUSES, PlanAction
from fanous.cases.services.common import (
    case_facts,
    child_age,
    effective_consents,
    load_case,
    local_today,
    replayed,
    require_case_team,
    sop_for,
)
from fanous.core.errors import ConflictError, PermissionDeniedError, ValidationFailed
from fanous.domain import referrals as rules
from fanous.domain.errors import DomainError
from fanous.domain.referrals import ConsentBasis, ReferralAction, ReferralStatus, Side
from fanous.domain.roles import Role
from fanous.domain.sop import Sop
from fanous.domain.sop.referrals import ReferralPolicy
from fanous.notifications.kinds import Kind
from fanous.notifications.services import notify
from fanous.referrals.models import Referral, ServiceProvider
from fanous.referrals.selectors.referrals import (
    receivers_of,
    referral_get,
    sender_sides,
    sender_supervisors,
    sides_of,
)
from fanous.referrals.sharing import build_shared

ACCOMPANIMENT = ("transport", "translation", "forms", "escort")

AUDITED = (
    "status",
    "provider_id",
    "to_user_id",
    "kind",
    "urgent",
    "need",
    "service_type",
    "sections",
    "basis",
    "decline_reason",
    "revoke_reason",
    "outcome",
)


def policy_of(sop: Sop) -> ReferralPolicy:
    if sop.referrals is None:
        raise ValidationFailed(
            "The SOP version %(version)s has no referral pathways annex. Ask the SOP focal "
            "point to add one.",
            {"version": sop.version},
            code="sop_no_referrals",
        )
    return sop.referrals


def reference(referral: Referral) -> str:
    """The human reference of a referral: the case number and its rank (``...-R2``)."""
    return f"{referral.case.case_number}-R{referral.number}"


def _link(referral: Referral) -> str:
    return f"/referrals/{referral.pk}/"


def _audit(
    referral: Referral, *, actor: Actor, action_changes: dict[str, Any], summary: str
) -> None:
    record(
        actor=actor.user,
        action=Event.Action.REFERRAL,
        obj=referral,
        case=referral.case,
        changes=action_changes,
        summary=summary,
        sop_version=referral.sop_version.version,
    )


def _release(referral: Referral, sop: Sop, policy: ReferralPolicy) -> None:
    """The referral leaves the agency: freeze what it carries and start its clock."""
    now = timezone.now()
    referral.shared = build_shared(referral.case, referral.sections, sop, local_today(sop, now))
    referral.status = ReferralStatus.SENT.value
    referral.sent_at = now
    deadlines = rules.referral_deadlines(policy, urgent=referral.urgent, sent_at=now)
    referral.acknowledge_by = deadlines.acknowledge_by
    referral.respond_by = deadlines.respond_by
    referral.deliver_by = deadlines.deliver_by


def _params(referral: Referral) -> dict[str, Any]:
    """Notification params: the reference and the service's name in each language."""
    provider = referral.provider
    return {
        "reference": reference(referral),
        "service": provider.name_ar,
        "service_en": provider.name_en,
        "service_fr": provider.name_fr,
        "referral_status": referral.status,
    }


def _notify_receivers(referral: Referral) -> None:
    notify(
        users=receivers_of(referral),
        kind=Kind.REFERRAL_RECEIVED,
        params=_params(referral),
        link=_link(referral),
    )


@transaction.atomic
def referral_send(
    *,
    actor: Actor,
    case_id: UUID,
    provider_id: UUID,
    service_type: str,
    reason: str,
    kind: str = "standard",
    record_id: UUID | None = None,
    need: str = "",
    plan_action_id: UUID | None = None,
    sections: Sequence[str] | None = None,
    override_reason: str = "",
    accompaniment: Sequence[str] = (),
    accompaniment_notes: str = "",
    to_user_id: int | None = None,
) -> tuple[Referral, bool]:
    """Refer the child of ``case_id`` to a service; returns (referral, created).

    Without the information-sharing consent, a caseworker's referral waits for the
    supervisor's best-interests approval, and a supervisor's goes at once with the
    ground recorded. ``sections=None`` sends the protocol's minimal default.
    """
    actor.require(Permission.REFERRAL_SEND)
    existing = replayed(Referral, record_id, case_id, actor)
    if existing is not None:
        return existing, False
    case = load_case(actor, case_id, None)
    sop_row, sop = sop_for(case)
    policy = policy_of(sop)
    today = local_today(sop)
    facts = case_facts(case, actor, sop, today)
    require_case_team(facts)
    if case.status not in OPEN_STATUSES:
        raise ConflictError(
            "This case is %(status)s; only an open case can be referred.",
            {"status": case.status},
            code="case_not_open",
        )
    if not reason.strip():
        raise ValidationFailed(
            "Say why you refer the child: what the service should do.", code="reason_required"
        )
    referral_type = policy.referral_type(kind)
    if referral_type is None:
        raise ValidationFailed(
            "Unknown referral type %(kind)s.", {"kind": kind}, code="referral_type_unknown"
        )
    if policy.service_type(service_type) is None:
        raise ValidationFailed(
            "Unknown service type %(service_type)s.",
            {"service_type": service_type},
            code="service_type_unknown",
        )
    if need and policy.need(need) is None:
        raise ValidationFailed("Unknown need %(need)s.", {"need": need}, code="need_unknown")
    provider = ServiceProvider.objects.select_related("agency").filter(pk=provider_id).first()
    if provider is None or not provider.is_active:
        raise ValidationFailed(
            "This service is not on the service map or no longer active. Choose another one.",
            code="provider_unknown",
        )
    if service_type not in provider.service_types:
        raise ValidationFailed(
            "This service does not offer %(service_type)s. Choose a service that does.",
            {"service_type": service_type},
            code="provider_service_mismatch",
        )
    if provider.accepts_from and case.agency.code not in provider.accepts_from:
        raise ValidationFailed(
            "This service does not accept referrals from your agency.",
            code="provider_not_accepting",
        )
    if provider.capacity == 0:
        raise ValidationFailed(
            "This service has no places left this month. Choose another one or record a "
            "service gap.",
            code="provider_full",
        )
    to_user = None
    if to_user_id is not None:
        to_user = User.objects.filter(
            pk=to_user_id,
            agency_id=provider.agency_id,
            role=Role.SERVICE_PROVIDER.value,
            is_active=True,
        ).first()
        if to_user is None:
            raise ValidationFailed(
                "The person named is not an active user of this service.", code="to_user_unknown"
            )
    plan_action = None
    if plan_action_id is not None:
        plan_action = PlanAction.objects.filter(pk=plan_action_id, goal__plan__case=case).first()
        if plan_action is None:
            raise ValidationFailed(
                "This action is not part of this case's plan.", code="plan_action_unknown"
            )
    bad = [a for a in accompaniment if a not in ACCOMPANIMENT]
    if bad:
        raise ValidationFailed(
            "Unknown accompaniment %(codes)s.", {"codes": ", ".join(bad)}, code="accompaniment"
        )
    is_supervisor = Side.SENDER_SUPERVISOR in sender_sides(actor, case)
    has_consent = policy.consent_purpose in effective_consents(case, sop, child_age(case, today))
    try:
        basis, needs_approval = rules.consent_basis(
            has_consent=has_consent, override_reason=override_reason, is_supervisor=is_supervisor
        )
        shared_sections = rules.chosen_sections(
            policy,
            referral_type,
            list(sections)
            if sections is not None
            else list(rules.default_sections(policy, referral_type)),
        )
    except DomainError as exc:
        raise ValidationFailed(exc.message, exc.params, code=exc.code, reasons=exc.reasons) from exc
    number = (Referral.objects.filter(case=case).aggregate(n=Max("number"))["n"] or 0) + 1
    referral = Referral(
        case=case,
        number=number,
        plan_action=plan_action,
        provider=provider,
        to_user=to_user,
        kind=referral_type.code,
        urgent=referral_type.urgent,
        need=need,
        service_type=service_type,
        internal=provider.agency_id == case.agency_id,
        reason=reason.strip(),
        sections=list(shared_sections),
        basis=basis.value,
        override_reason=override_reason.strip() if basis is ConsentBasis.BEST_INTERESTS else "",
        accompaniment=list(dict.fromkeys(accompaniment)),
        accompaniment_notes=accompaniment_notes.strip(),
        status=ReferralStatus.PENDING_APPROVAL.value,
        sender=actor.user,
        sender_agency_id=case.agency_id,
        sop_version=sop_row,
        last_action_by=actor.user,
    )
    if record_id is not None:
        referral.id = record_id
    if basis is ConsentBasis.BEST_INTERESTS and not needs_approval:
        referral.override_by = actor.user
        referral.override_at = timezone.now()
    if not needs_approval:
        _release(referral, sop, policy)
    referral.save(force_insert=True)
    _audit(
        referral,
        actor=actor,
        action_changes={f: [None, getattr(referral, f)] for f in AUDITED}
        | {"override_reason": [None, referral.override_reason]},
        summary="referral sent" if not needs_approval else "referral awaiting override",
    )
    if needs_approval:
        notify(
            users=sender_supervisors(referral),
            kind=Kind.REFERRAL_OVERRIDE_REQUESTED,
            params={"reference": reference(referral)},
            link=_link(referral),
        )
    else:
        _notify_receivers(referral)
    return referral, True


@transaction.atomic
def referral_act(
    *,
    actor: Actor,
    referral_id: UUID,
    expected_version: int,
    action: ReferralAction,
    reason: str = "",
    outcome: str = "",
    feedback: str = "",
) -> Referral:
    """One step of the referral's lifecycle by the side allowed to take it."""
    referral = referral_get(actor=actor, referral_id=referral_id, for_update=True)
    if referral.version != expected_version:
        raise ConflictError(
            "This referral was changed by someone else since you opened it (your version "
            "%(yours)s, current %(current)s). Reload it and try again.",
            {"yours": expected_version, "current": referral.version},
        )
    sides = sides_of(actor, referral)
    if not sides:
        raise PermissionDeniedError("You cannot act on this referral.")
    new = rules.referral_next(
        ReferralStatus(referral.status),
        action,
        sides,
        receiver_in_app=referral.provider.in_app,
        reason=reason,
    )
    before = {f: getattr(referral, f) for f in AUDITED}
    now = timezone.now()
    was = ReferralStatus(referral.status)
    referral.status = new.value
    referral.last_action_by = actor.user
    if action is ReferralAction.APPROVE_OVERRIDE:
        _, sop = sop_for(referral.case)
        referral.override_by = actor.user
        referral.override_at = now
        _release(referral, sop, policy_of(sop))
    elif action is ReferralAction.REFUSE_OVERRIDE:
        referral.override_by = actor.user
        referral.override_at = now
        referral.revoke_reason = reason.strip()
    elif action is ReferralAction.ACKNOWLEDGE:
        referral.acknowledged_at = now
    elif action is ReferralAction.ACCEPT:
        referral.accepted_at = now
        referral.acknowledged_at = referral.acknowledged_at or now
    elif action is ReferralAction.DECLINE:
        referral.declined_at = now
        referral.decline_reason = reason.strip()
    elif action is ReferralAction.DELIVER:
        referral.delivered_at = now
        referral.outcome = outcome.strip()
    elif action is ReferralAction.CLOSE:
        referral.closed_at = now
        referral.feedback = feedback.strip()
    elif action is ReferralAction.REVOKE:
        referral.revoked_at = now
        referral.revoke_reason = reason.strip()
    referral.version += 1
    referral.save()
    changes = {
        f: [before[f], getattr(referral, f)] for f in AUDITED if before[f] != getattr(referral, f)
    }
    changes["action"] = [None, action.value]
    receiver_step = rules.REFERRAL_TRANSITIONS[(was, action)][1] == frozenset({Side.RECEIVER})
    if receiver_step and Side.RECEIVER not in sides:
        changes["recorded_for_receiver"] = [None, True]
    _audit(referral, actor=actor, action_changes=changes, summary=f"referral {action.value}")
    _notify_after(referral, action, was)
    return referral


def _notify_after(referral: Referral, action: ReferralAction, was: ReferralStatus) -> None:
    params = _params(referral)
    sender_side = [referral.sender, *sender_supervisors(referral)]
    if action is ReferralAction.APPROVE_OVERRIDE:
        notify(
            users=[referral.sender],
            kind=Kind.REFERRAL_OVERRIDE_DECIDED,
            params=params,
            link=_link(referral),
        )
        _notify_receivers(referral)
    elif action is ReferralAction.REFUSE_OVERRIDE:
        notify(
            users=[referral.sender],
            kind=Kind.REFERRAL_OVERRIDE_DECIDED,
            params=params,
            link=_link(referral),
        )
    elif action in (ReferralAction.ACCEPT, ReferralAction.DECLINE, ReferralAction.ACKNOWLEDGE):
        notify(users=sender_side, kind=Kind.REFERRAL_ANSWERED, params=params, link=_link(referral))
    elif action is ReferralAction.DELIVER:
        notify(users=sender_side, kind=Kind.REFERRAL_DELIVERED, params=params, link=_link(referral))
    elif action is ReferralAction.REVOKE and was is not ReferralStatus.PENDING_APPROVAL:
        notify(
            users=receivers_of(referral),
            kind=Kind.REFERRAL_REVOKED,
            params=params,
            link=_link(referral),
        )


@transaction.atomic
def referrals_revoke_for_user(*, actor: Actor, user: User, reason: str) -> int:
    """Revoke the open referrals addressed to ``user`` by name (their account is disabled).

    Done for the sender by the system: the referral must not sit in the inbox of a
    person who can no longer read it. The senders are told.
    """
    count = 0
    open_to_user = Referral.objects.select_for_update().filter(
        to_user=user,
        status__in=[
            ReferralStatus.PENDING_APPROVAL.value,
            ReferralStatus.SENT.value,
            ReferralStatus.ACKNOWLEDGED.value,
            ReferralStatus.ACCEPTED.value,
        ],
    )
    for referral in open_to_user.select_related("case", "provider", "sender", "sop_version"):
        before = referral.status
        referral.status = ReferralStatus.REVOKED.value
        referral.revoked_at = timezone.now()
        referral.revoke_reason = reason
        referral.version += 1
        referral.save()
        _audit(
            referral,
            actor=actor,
            action_changes={"status": [before, referral.status], "revoke_reason": [None, reason]},
            summary="referral revoked: recipient disabled",
        )
        notify(
            users=[referral.sender, *sender_supervisors(referral)],
            kind=Kind.REFERRAL_ANSWERED,
            params=_params(referral),
            link=_link(referral),
        )
        count += 1
    return count


CONSENT_WITHDRAWN_REASON = "consent withdrawn"


def referrals_consent_withdrawn(*, actor: Actor, case_id: UUID) -> tuple[int, int]:
    """Honour the withdrawal of the information-sharing consent (SPEC §12).

    Called inside the transaction that records the withdrawal. Referrals that went on the
    strength of that consent and are not yet accepted (sent, acknowledged) are revoked;
    the services that accepted one are told that consent was withdrawn. Referrals sent on
    a supervisor's best-interests ground did not rest on the consent and stay as they are.
    Returns (revoked, receivers told).
    """
    revoked = told = 0
    rows = (
        Referral.objects.select_for_update(of=("self",))
        .filter(case_id=case_id, basis=ConsentBasis.CONSENT.value)
        .select_related("case", "provider", "sender", "sop_version")
        .order_by("number")
    )
    for referral in rows:
        status = ReferralStatus(referral.status)
        if status in (ReferralStatus.SENT, ReferralStatus.ACKNOWLEDGED):
            referral.status = ReferralStatus.REVOKED.value
            referral.revoked_at = timezone.now()
            referral.revoke_reason = CONSENT_WITHDRAWN_REASON
            referral.last_action_by = actor.user
            referral.version += 1
            referral.save()
            _audit(
                referral,
                actor=actor,
                action_changes={
                    "status": [status.value, referral.status],
                    "revoke_reason": [None, CONSENT_WITHDRAWN_REASON],
                },
                summary="referral revoked: consent withdrawn",
            )
            notify(
                users=receivers_of(referral),
                kind=Kind.REFERRAL_REVOKED,
                params=_params(referral) | {"why": "consent_withdrawn"},
                link=_link(referral),
            )
            revoked += 1
        elif status in (ReferralStatus.ACCEPTED, ReferralStatus.DELIVERED):
            notify(
                users=receivers_of(referral),
                kind=Kind.REFERRAL_CONSENT_WITHDRAWN,
                params=_params(referral),
                link=_link(referral),
            )
            told += 1
    return revoked, told
