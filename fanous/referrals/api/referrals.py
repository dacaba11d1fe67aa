"""Referral endpoints: send, read, and each step of the lifecycle."""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import get_language
from ninja import Query, Router, Schema, Status
from pydantic import Field

from fanous.accounts.access import Actor
from fanous.cases.selectors import case_get
from fanous.cases.services.common import child_age, effective_consents, local_today, sop_for
from fanous.domain import referrals as rules
from fanous.domain.referrals import ReferralAction
from fanous.referrals.presenters import referral_out
from fanous.referrals.schemas.referrals import (
    ReferralActIn,
    ReferralOptionsOut,
    ReferralOut,
    ReferralSendIn,
)
from fanous.referrals.selectors import referrals as sel
from fanous.referrals.services import referrals as svc

router = Router(tags=["referrals"])


def _lang() -> str:
    return (get_language() or "ar")[:2]


class ReferralListQuery(Schema):
    box: Literal["inbox", "outbox", "overrides", "all"] = "all"
    case_id: UUID | None = None
    status: str | None = Field(None, max_length=20)
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0)


@router.post("", response={200: ReferralOut, 201: ReferralOut})
def referral_send(request: HttpRequest, payload: ReferralSendIn) -> Any:
    actor = Actor.of_request(request)
    referral, created = svc.referral_send(
        actor=actor,
        record_id=payload.id,
        case_id=payload.case_id,
        provider_id=payload.provider_id,
        service_type=payload.service_type,
        kind=payload.kind,
        need=payload.need,
        plan_action_id=payload.plan_action_id,
        reason=payload.reason,
        sections=payload.sections,
        override_reason=payload.override_reason,
        accompaniment=payload.accompaniment,
        accompaniment_notes=payload.accompaniment_notes,
        to_user_id=payload.to_user_id,
    )
    return Status(201 if created else 200, referral_out(referral, actor, _lang()))


@router.get("", response=list[ReferralOut])
def referral_list(request: HttpRequest, filters: Query[ReferralListQuery]) -> list[dict[str, Any]]:
    actor = Actor.of_request(request)
    if filters.box == "inbox":
        qs = sel.inbox_for(actor)
    elif filters.box == "outbox":
        qs = sel.outbox_for(actor)
    elif filters.box == "overrides":
        qs = sel.pending_overrides_for(actor)
    else:
        qs = sel.referrals_visible_to(actor).order_by("-created_at")
    if filters.case_id is not None:
        qs = qs.filter(case_id=filters.case_id)
    if filters.status:
        qs = qs.filter(status=filters.status)
    qs = qs.select_related("provider", "case", "sender_agency")
    rows = qs[filters.offset : filters.offset + filters.limit]
    return [referral_out(r, actor, _lang()) for r in rows]


@router.get("/options", response=ReferralOptionsOut)
def referral_options(request: HttpRequest, case_id: UUID) -> dict[str, Any]:
    """Referral types, the share sections each allows and proposes, and the consent state."""
    actor = Actor.of_request(request)
    case = case_get(actor=actor, case_id=case_id)
    _, sop = sop_for(case)
    policy = svc.policy_of(sop)
    today = local_today(sop)
    consent = policy.consent_purpose in effective_consents(case, sop, child_age(case, today))
    lang = _lang()
    return {
        "consent_on_record": consent,
        "types": [
            {
                "code": t.code,
                "label": t.label.get(lang),
                "urgent": t.urgent,
                "sections": list(t.sections),
                "default_sections": list(rules.default_sections(policy, t)),
            }
            for t in policy.types
        ],
        "sections": [
            {
                "code": s.code,
                "label": s.label.get(lang),
                "default": s.default,
                "sensitive": s.sensitive,
            }
            for s in policy.sections
        ],
    }


@router.get("/{referral_id}", response=ReferralOut)
def referral_get(request: HttpRequest, referral_id: UUID) -> dict[str, Any]:
    actor = Actor.of_request(request)
    return referral_out(
        sel.referral_get(actor=actor, referral_id=referral_id, audit_section="referral"),
        actor,
        _lang(),
    )


@router.post("/{referral_id}/{action}", response=ReferralOut)
def referral_act(
    request: HttpRequest, referral_id: UUID, action: ReferralAction, payload: ReferralActIn
) -> dict[str, Any]:
    actor = Actor.of_request(request)
    referral = svc.referral_act(
        actor=actor,
        referral_id=referral_id,
        expected_version=payload.version,
        action=action,
        reason=payload.reason,
        outcome=payload.outcome,
        feedback=payload.feedback,
    )
    return referral_out(referral, actor, _lang())


@router.get(
    "/{referral_id}/card.pdf",
    response={200: None},
    openapi_extra={
        "responses": {
            200: {
                "description": "The card as a one-page PDF",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def referral_card(
    request: HttpRequest, referral_id: UUID, lang: Literal["ar", "en", "fr"] | None = None
) -> Any:
    """The referral card as a one-page PDF (the urgent action card when urgent); audited."""
    # Imported here so that this endpoint is one self-contained block of the file.
    from fanous.referrals.card import card_response, urgent_card_pdf

    actor = Actor.of_request(request)
    chosen = lang or (actor.user.language if actor.user.language in ("ar", "en", "fr") else "ar")
    pdf = urgent_card_pdf(actor=actor, referral_id=referral_id, lang=chosen)
    return card_response(pdf, referral_id)


# Django tries URL patterns in order: the card's fixed path must come before the POST-only
# "/{referral_id}/{action}", which would otherwise answer GET .../card.pdf with 405.
router.path_operations = {
    "/{referral_id}/card.pdf": router.path_operations.pop("/{referral_id}/card.pdf"),
    **router.path_operations,
}
