"""The bench's yardstick view (config/urls_bench.py only, never the production URLs)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse

from fanous.accounts.models import ApiToken
from fanous.cases.models import OPEN_STATUSES, Case


def bare_caseload(request: HttpRequest) -> HttpResponse:
    """The caseworker's 50 first open cases, high risk first, as plain JSON."""
    auth = request.headers.get("Authorization", "")
    token = ApiToken.lookup(auth.removeprefix("Bearer ").strip()) if auth else None
    if token is None or token.user.agency_id is None:
        return JsonResponse({"detail": "Unauthorized"}, status=401)
    rows = list(
        Case.objects.filter(
            caseworker_id=token.user_id, agency_id=token.user.agency_id, status__in=OPEN_STATUSES
        )
        .order_by("-risk_rank", "next_due_on", "identified_at", "id")
        .values("id", "case_number", "status", "risk_level", "next_due_on", "caseworker_id")[:50]
    )
    return JsonResponse({"items": rows}, json_dumps_params={"default": str})
