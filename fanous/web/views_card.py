"""The referral card as a printable PDF (SPEC §2): the web door onto fanous.referrals.card."""

from __future__ import annotations

from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from fanous.referrals.card import LANGUAGES, card_response, urgent_card_pdf

from .views import actor_of


@login_required
@require_GET
def referral_card(request: HttpRequest, referral_id: UUID) -> HttpResponse:
    actor = actor_of(request)
    lang = request.GET.get("lang") or actor.user.language or "ar"
    if lang not in LANGUAGES:
        lang = actor.user.language if actor.user.language in LANGUAGES else "ar"
    pdf = urgent_card_pdf(actor=actor, referral_id=referral_id, lang=lang)
    return card_response(pdf, referral_id)
