"""Referrals through the API (SPEC §8, §12): consent, override, sharing, lifecycle, access."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from fanous.audit.models import Event
from fanous.conftest import ApiClient, World, assessed_case, ok
from fanous.notifications.models import Notification
from fanous.referrals.models import Referral, ServiceProvider

pytestmark = pytest.mark.django_db


@pytest.fixture
def clinic(world: World) -> ServiceProvider:
    """A health service of agency B; sam (service provider of B) receives its referrals."""
    return ServiceProvider.objects.create(
        agency=world.agency_b,
        area=world.area,
        name_ar="عيادة الأمل",
        name_en="Hope Clinic",
        sector="health",
        service_types=["primary_health", "emergency_medical"],
    )


def consent_sharing(api: ApiClient, case_id: str) -> None:
    for giver in ("caregiver", "child"):
        ok(
            api.post(
                f"/cases/{case_id}/consents",
                {"purpose": "information_sharing", "giver": giver, "given": True},
            ),
            201,
        )


def a_case(world: World, *, sharing: bool = True, **facts: Any) -> dict[str, Any]:
    alice = world.api("alice")
    case = assessed_case(
        alice,
        {"ill_health": True, "sexual_abuse": True, **facts},
        registration={"workplace_name": "ورشة الحدادة", "health_wellbeing": "سعال مزمن"},
    )
    if sharing:
        consent_sharing(alice, case["id"])
    return case


def send(api: ApiClient, case: dict[str, Any], provider: ServiceProvider, **extra: Any) -> Any:
    body = {
        "case_id": case["id"],
        "provider_id": str(provider.id),
        "service_type": "primary_health",
        "reason": "فحص طبي للسعال المزمن",
        "need": "urgent_medical",
        **extra,
    }
    return api.post("/referrals", body)


def listed(api: ApiClient, path: str) -> list[Any]:
    res = api.get(path)
    assert res.status_code == 200, res.content.decode()
    return res.json()  # type: ignore[no-any-return]


def act(api: ApiClient, referral: dict[str, Any], action: str, **body: Any) -> Any:
    return api.post(
        f"/referrals/{referral['id']}/{action}", {"version": referral["version"], **body}
    )


def test_full_lifecycle_sent_acknowledged_accepted_delivered_closed(world, clinic):
    """§8: tracked until the service is delivered, with a timestamp at every step."""
    case = a_case(world)
    alice, sam = world.api("alice"), world.api("sam")
    referral = ok(send(alice, case, clinic, accompaniment=["transport"]), 201)
    assert referral["status"] == "sent"
    assert referral["sent_at"]
    assert referral["respond_by"]
    assert referral["reference"].endswith("-R1")
    assert Notification.objects.filter(user=world.users["sam"], kind="referral_received").exists()

    inbox = listed(sam, "/referrals?box=inbox")
    assert [r["id"] for r in inbox] == [referral["id"]]
    referral = ok(act(sam, referral, "acknowledge"))
    assert referral["status"] == "acknowledged"
    assert referral["acknowledged_at"]
    referral = ok(act(sam, referral, "accept"))
    assert referral["status"] == "accepted"
    referral = ok(act(sam, referral, "deliver", outcome="تم الفحص وصرف العلاج"))
    assert referral["status"] == "delivered"
    assert referral["delivered_at"]
    assert listed(sam, "/referrals?box=inbox") == []

    mine = ok(alice.get(f"/referrals/{referral['id']}"))
    assert mine["outcome"] == "تم الفحص وصرف العلاج"
    closed = ok(act(alice, mine, "close", feedback="الطفل تلقى العلاج"))
    assert closed["status"] == "closed"
    assert closed["closed_at"]

    actions = list(
        Event.objects.filter(action=Event.Action.REFERRAL, case_id=case["id"]).values_list(
            "summary", flat=True
        )
    )
    assert actions == [
        "referral sent",
        "referral acknowledge",
        "referral accept",
        "referral deliver",
        "referral close",
    ]
    assert Notification.objects.filter(
        user=world.users["alice"], kind="referral_delivered"
    ).exists()


def test_referral_without_sharing_consent_is_refused_and_nothing_is_saved(world, clinic):
    """§12: information goes only with consent (or a recorded best-interests ground)."""
    case = a_case(world, sharing=False)
    res = send(world.api("alice"), case, clinic)
    assert res.status_code == 422
    assert res.json()["code"] == "referral_consent_missing"
    assert not Referral.objects.exists()
    assert not Notification.objects.exists()


def test_caseworker_override_waits_for_the_supervisor_and_the_provider_sees_nothing(world, clinic):
    """§12: sharing without consent only on a best-interests ground a supervisor approves."""
    case = a_case(world, sharing=False)
    alice, bob, sam = world.api("alice"), world.api("bob"), world.api("sam")
    referral = ok(send(alice, case, clinic, override_reason="خطر على حياة الطفل"), 201)
    assert referral["status"] == "pending_approval"
    assert referral["shared"] == {}
    assert listed(sam, "/referrals") == []
    assert sam.get(f"/referrals/{referral['id']}").status_code == 404
    assert Notification.objects.filter(
        user=world.users["bob"], kind="referral_override_requested"
    ).exists()
    # The caseworker cannot approve her own override.
    assert act(alice, referral, "approve_override").status_code == 403

    pending = listed(bob, "/referrals?box=overrides")
    assert [r["id"] for r in pending] == [referral["id"]]
    approved = ok(act(bob, pending[0], "approve_override"))
    assert approved["status"] == "sent"
    assert approved["basis"] == "best_interests"
    row = Referral.objects.get(pk=referral["id"])
    assert row.override_by == world.users["bob"]
    assert ok(sam.get(f"/referrals/{referral['id']}"))["status"] == "sent"


def test_supervisor_refuses_the_override_and_nothing_leaves(world, clinic):
    case = a_case(world, sharing=False)
    alice, bob, sam = world.api("alice"), world.api("bob"), world.api("sam")
    referral = ok(send(alice, case, clinic, override_reason="خطر"), 201)
    assert act(bob, referral, "refuse_override").status_code == 422  # a reason is required
    refused = ok(act(bob, referral, "refuse_override", reason="اطلب الموافقة من الأم أولاً"))
    assert refused["status"] == "cancelled"
    assert refused["shared"] == {}
    assert listed(sam, "/referrals") == []


def test_supervisor_own_override_goes_at_once_with_the_ground_recorded(world, clinic):
    case = a_case(world, sharing=False)
    referral = ok(send(world.api("bob"), case, clinic, override_reason="خطر وشيك"), 201)
    assert referral["status"] == "sent"
    assert referral["override_reason"] == "خطر وشيك"


def test_provider_sees_only_what_the_referral_shares_and_nothing_else_of_the_case(world, clinic):
    """§1, §12: a service provider sees only what the referral shares."""
    case = a_case(world)
    referral = ok(send(world.api("alice"), case, clinic), 201)
    sam = world.api("sam")
    seen = ok(sam.get(f"/referrals/{referral['id']}"))
    # The minimal default: identity, contact and caregiver; no risk, no work, no health.
    assert set(seen["shared"]) == {"identity", "contact", "caregiver"}
    assert seen["shared"]["identity"]["name"].startswith("أحمد")
    assert seen["case_id"] is None
    assert seen["case_number"] is None
    text = str(seen)
    assert "سعال مزمن" not in text
    assert "ورشة الحدادة" not in text
    assert "sexual_abuse" not in text
    # Nothing of the case itself.
    assert sam.get(f"/cases/{case['id']}").status_code == 404
    assert sam.get(f"/cases/{case['id']}/history").status_code == 404
    assert ok(sam.get("/cases"))["items"] == []


def test_sensitive_disclosures_go_only_when_chosen_and_allowed_by_the_type(world, clinic):
    """§12: sensitive disclosures are restricted further."""
    case = a_case(world)
    alice = world.api("alice")
    res = send(alice, case, clinic, sections=["identity", "sensitive_disclosures"])
    assert res.status_code == 422
    assert res.json()["code"] == "referral_sections_invalid"
    assert not Referral.objects.exists()
    chosen = ["identity", "health", "sensitive_disclosures"]
    referral = ok(send(alice, case, clinic, kind="specialised", sections=chosen), 201)
    shared = ok(world.api("sam").get(f"/referrals/{referral['id']}"))["shared"]
    assert [d["code"] for d in shared["sensitive_disclosures"]] == ["sexual_abuse"]
    assert shared["health"]["notes"] == "سعال مزمن"
    assert "sexual_abuse" not in str(shared["health"])


def test_what_is_shared_is_frozen_when_sent(world, clinic):
    case = a_case(world)
    alice = world.api("alice")
    referral = ok(send(alice, case, clinic), 201)
    current = ok(alice.get(f"/cases/{case['id']}"))
    ok(
        alice.patch(
            f"/cases/{case['id']}/child",
            {"version": current["version"], "child": {"given_name": "محمود"}},
        )
    )
    seen = ok(world.api("sam").get(f"/referrals/{referral['id']}"))
    assert seen["shared"]["identity"]["name"].startswith("أحمد")


def test_receiver_steps_are_refused_to_the_sender_and_sender_steps_to_the_receiver(world, clinic):
    case = a_case(world)
    alice, sam = world.api("alice"), world.api("sam")
    referral = ok(send(alice, case, clinic), 201)
    res = act(alice, referral, "accept")
    assert res.status_code == 403
    assert res.json()["code"] == "referral_side_not_allowed"
    assert act(sam, referral, "revoke", reason="x").status_code == 403
    assert act(sam, referral, "close").status_code == 409
    assert Referral.objects.get(pk=referral["id"]).status == "sent"


def test_decline_needs_a_reason_and_the_sender_is_told(world, clinic):
    case = a_case(world)
    alice, sam = world.api("alice"), world.api("sam")
    referral = ok(send(alice, case, clinic), 201)
    assert act(sam, referral, "decline").status_code == 422
    declined = ok(act(sam, referral, "decline", reason="خارج منطقة خدمتنا"))
    assert declined["status"] == "declined"
    assert declined["decline_reason"] == "خارج منطقة خدمتنا"
    note = Notification.objects.get(user=world.users["alice"], kind="referral_answered")
    assert note.params["referral_status"] == "declined"


def test_sender_or_supervisor_revokes_and_the_receiver_loses_the_pending_item(world, clinic):
    case = a_case(world)
    alice, bob, sam = world.api("alice"), world.api("bob"), world.api("sam")
    referral = ok(send(alice, case, clinic), 201)
    assert [r["id"] for r in listed(sam, "/referrals?box=inbox")] == [referral["id"]]
    revoked = ok(act(bob, referral, "revoke", reason="الأسرة انتقلت"))
    assert revoked["status"] == "revoked"
    assert listed(sam, "/referrals?box=inbox") == []
    assert Notification.objects.filter(user=world.users["sam"], kind="referral_revoked").exists()


def test_stale_version_is_a_conflict_and_changes_nothing(world, clinic):
    case = a_case(world)
    sam = world.api("sam")
    referral = ok(send(world.api("alice"), case, clinic), 201)
    ok(act(sam, referral, "acknowledge"))
    res = act(sam, referral, "accept")  # based on the version before the acknowledgement
    assert res.status_code == 409
    assert Referral.objects.get(pk=referral["id"]).status == "acknowledged"


def test_other_agency_caseworker_and_unassigned_colleague_cannot_see_or_send(world, clinic):
    case = a_case(world)
    referral = ok(send(world.api("alice"), case, clinic), 201)
    for name in ("dave", "carol", "cora", "adam"):
        api = world.api(name)
        assert api.get(f"/referrals/{referral['id']}").status_code == 404, name
        assert listed(api, "/referrals") == [], name
    assert send(world.api("carol"), case, clinic).status_code == 404
    assert send(world.api("dave"), case, clinic).status_code == 404
    assert Referral.objects.count() == 1


def test_retry_with_the_same_id_returns_the_first_referral(world, clinic):
    case = a_case(world)
    alice = world.api("alice")
    rid = "5b0e8f38-9d5d-4c55-9a55-2f5f3e0a0d11"
    first = ok(send(alice, case, clinic, id=rid), 201)
    again = ok(send(alice, case, clinic, id=rid), 200)
    assert first["id"] == again["id"] == rid
    assert Referral.objects.count() == 1


def test_overdue_referral_is_flagged_for_both_sides(world, clinic):
    case = a_case(world)
    referral = ok(send(world.api("alice"), case, clinic), 201)
    assert referral["overdue"] is None
    later = timezone.now() + timedelta(hours=73)
    with time_machine.travel(later):
        assert ok(world.api("alice").get(f"/referrals/{referral['id']}"))["overdue"] == (
            "acknowledge"
        )
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        assert ok(world.api("sam").get(f"/referrals/{referral['id']}"))["overdue"] == "respond"


def test_urgent_referral_has_the_shorter_sop_timeframes(world, clinic):
    case = a_case(world)
    referral = ok(send(world.api("alice"), case, clinic, kind="urgent"), 201)
    row = Referral.objects.get(pk=referral["id"])
    assert row.urgent
    assert row.respond_by is not None
    assert row.sent_at is not None
    assert row.respond_by - row.sent_at == timedelta(hours=48)


def test_provider_outside_fanous_answers_are_recorded_by_the_sender(world, clinic):
    clinic.in_app = False
    clinic.save()
    case = a_case(world)
    alice = world.api("alice")
    referral = ok(send(alice, case, clinic), 201)
    assert "accept" in referral["actions"]
    accepted = ok(act(alice, referral, "accept"))
    assert accepted["status"] == "accepted"
    event = Event.objects.filter(action=Event.Action.REFERRAL).last()
    assert event is not None
    assert event.changes["recorded_for_receiver"] == [None, True]


def test_service_that_does_not_offer_the_type_or_is_inactive_is_refused(world, clinic):
    case = a_case(world)
    alice = world.api("alice")
    res = send(alice, case, clinic, service_type="legal_aid")
    assert res.json()["code"] == "provider_service_mismatch"
    clinic.is_active = False
    clinic.save()
    assert send(alice, case, clinic).json()["code"] == "provider_unknown"
    assert not Referral.objects.exists()


def test_options_list_types_sections_and_the_consent_state(world):
    case = a_case(world, sharing=False)
    options = ok(world.api("alice").get(f"/referrals/options?case_id={case['id']}"))
    assert options["consent_on_record"] is False
    standard = next(t for t in options["types"] if t["code"] == "standard")
    assert standard["default_sections"] == ["identity", "contact", "caregiver"]
    sensitive = [s["code"] for s in options["sections"] if s["sensitive"]]
    assert sensitive == ["sensitive_disclosures"]
    assert world.api("dave").get(f"/referrals/options?case_id={case['id']}").status_code == 404


def test_referrals_to_a_disabled_user_are_revoked_and_the_sender_is_told(world, clinic):
    from fanous.conftest import make_user
    from fanous.domain.roles import Role

    world.users["bella"] = make_user("bella", Role.AGENCY_ADMIN, world.agency_b)
    case = a_case(world)
    alice = world.api("alice")
    sam = world.users["sam"]
    named = ok(send(alice, case, clinic, to_user_id=sam.pk), 201)
    to_service = ok(send(alice, case, clinic), 201)
    assert (
        world.api("adam").post(f"/users/{sam.pk}/deactivate", {"reason": "left"}).status_code == 404
    )  # not adam's agency
    res = world.api("bella").post(f"/users/{sam.pk}/deactivate", {"reason": "غادر المنظمة"})
    assert res.status_code == 204
    assert Referral.objects.get(pk=named["id"]).status == "revoked"
    assert Referral.objects.get(pk=to_service["id"]).status == "sent"
    assert Notification.objects.filter(
        user=world.users["alice"], kind="referral_answered", params__referral_status="revoked"
    ).exists()
    assert sam.__class__.objects.get(pk=sam.pk).is_active is False
