"""Shared set-up of the referral page tests: a health service of agency B, a case of alice."""

from __future__ import annotations

from typing import Any

from django.test import Client

from fanous.conftest import ApiClient, World, assessed_case, ok
from fanous.referrals.models import ServiceProvider


def make_clinic(world: World, **extra: Any) -> ServiceProvider:
    """A health service of agency B; sam (service provider of B) receives its referrals."""
    fields: dict[str, Any] = {
        "agency": world.agency_b,
        "area": world.area,
        "name_ar": "عيادة الأمل",
        "name_en": "Hope Clinic",
        "sector": "health",
        "service_types": ["primary_health", "emergency_medical"],
        "languages": ["ar", "en"],
        "opening_hours": "Sun-Thu 08:00-15:00",
        "capacity": 12,
        **extra,
    }
    return ServiceProvider.objects.create(**fields)


def consent_sharing(api: ApiClient, case_id: str) -> None:
    for giver in ("caregiver", "child"):
        ok(
            api.post(
                f"/cases/{case_id}/consents",
                {"purpose": "information_sharing", "giver": giver, "given": True},
            ),
            201,
        )


def a_case(world: World, *, sharing: bool = True) -> dict[str, Any]:
    """Alice's registered, assessed case: ill health shown, a workplace and a risk level."""
    alice = world.api("alice")
    case = assessed_case(
        alice,
        {"ill_health": True},
        registration={"workplace_name": "ورشة الحدادة", "health_wellbeing": "سعال مزمن"},
    )
    if sharing:
        consent_sharing(alice, case["id"])
    return case


def send(
    world: World, case: dict[str, Any], clinic: ServiceProvider, by: str = "alice", **extra: Any
) -> dict[str, Any]:
    body = {
        "case_id": case["id"],
        "provider_id": str(clinic.id),
        "service_type": "primary_health",
        "reason": "فحص طبي للسعال المزمن",
        "need": "urgent_medical",
        **extra,
    }
    return ok(world.api(by).post("/referrals", body), 201)


def client_for(world: World, name: str, lang: str = "en") -> Client:
    user = world.users[name]
    user.language = lang
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    return client
