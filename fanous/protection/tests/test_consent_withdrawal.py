"""Withdrawal of the information-sharing consent is honoured (issue 4, SPEC §12): pending
referrals are revoked, accepting services told, pending transfers cancelled, and nothing
new leaves without a new consent or a supervisor's best-interests ground."""

from __future__ import annotations

from typing import Any

import pytest

from fanous.audit.models import Event
from fanous.cases.models import Consent
from fanous.conftest import ApiClient, World, assessed_case, ok
from fanous.notifications.models import Notification
from fanous.referrals.models import CaseTransfer, Referral, ServiceProvider
from fanous.web.tests.referrals_support import make_clinic

pytestmark = pytest.mark.django_db


@pytest.fixture
def clinic(world: World) -> ServiceProvider:
    return make_clinic(world)


def shared_case(world: World) -> dict[str, Any]:
    alice = world.api("alice")
    case = assessed_case(alice, {"ill_health": True})
    for giver in ("caregiver", "child"):
        body = {"purpose": "information_sharing", "giver": giver, "given": True}
        ok(alice.post(f"/cases/{case['id']}/consents", body), 201)
    return case


def refer(api: ApiClient, case_id: str, clinic: ServiceProvider, **extra: Any) -> Any:
    body = {
        "case_id": case_id,
        "provider_id": str(clinic.id),
        "service_type": "primary_health",
        "reason": "فحص طبي",
        **extra,
    }
    return api.post("/referrals", body)


def withdraw(api: ApiClient, case_id: str, giver: str = "caregiver") -> Any:
    consent = Consent.objects.get(
        case_id=case_id, purpose="information_sharing", giver=giver, withdrawn_at=None
    )
    return api.post(
        f"/cases/{case_id}/consents/{consent.pk}/withdraw",
        {"reason": "The mother changed her mind"},
    )


@pytest.fixture
def in_flight(world: World, clinic: ServiceProvider) -> dict[str, Any]:
    """A sent referral, an accepted one and a pending transfer, all on consent."""
    alice, sam = world.api("alice"), world.api("sam")
    case = shared_case(world)
    sent = ok(refer(alice, case["id"], clinic), 201)
    accepted = ok(refer(alice, case["id"], clinic), 201)
    ok(sam.post(f"/referrals/{accepted['id']}/accept", {"version": accepted["version"]}))
    version = ok(alice.get(f"/cases/{case['id']}"))["version"]
    transfer = ok(
        alice.post(
            "/transfers",
            {
                "case_id": case["id"],
                "version": version,
                "to_agency_id": str(world.agency_b.pk),
                "reason": "Livelihood programme in agency B's area.",
                "note_to_receiver": "A boy working in a workshop; needs vocational support.",
            },
        ),
        201,
    )
    Notification.objects.all().delete()
    return {"case": case, "sent": sent, "accepted": accepted, "transfer": transfer}


def test_withdrawing_sharing_consent_revokes_pending_referrals_and_tells_accepting_services(
    world, in_flight
):
    ok(withdraw(world.api("alice"), in_flight["case"]["id"]))

    sent = Referral.objects.get(pk=in_flight["sent"]["id"])
    assert (sent.status, sent.revoke_reason) == ("revoked", "consent withdrawn")
    accepted = Referral.objects.get(pk=in_flight["accepted"]["id"])
    assert accepted.status == "accepted"
    sam_kinds = sorted(
        Notification.objects.filter(user=world.users["sam"]).values_list("kind", "params__why")
    )
    assert sam_kinds == [
        ("referral_consent_withdrawn", None),
        ("referral_revoked", "consent_withdrawn"),
    ]
    revoked_events = Event.objects.filter(
        action=Event.Action.REFERRAL, summary="referral revoked: consent withdrawn"
    )
    assert revoked_events.count() == 1


def test_withdrawing_sharing_consent_cancels_the_pending_transfer(world, in_flight):
    ok(withdraw(world.api("alice"), in_flight["case"]["id"]))

    transfer = CaseTransfer.objects.get(pk=in_flight["transfer"]["id"])
    assert (transfer.status, transfer.decision_note) == ("cancelled", "consent withdrawn")


def test_after_withdrawal_new_referrals_and_transfers_need_consent_or_the_override(
    world, in_flight, clinic
):
    alice, bob = world.api("alice"), world.api("bob")
    cid = in_flight["case"]["id"]
    ok(withdraw(alice, cid))
    count = Referral.objects.count()

    res = refer(alice, cid, clinic)
    assert res.status_code == 422
    assert res.json()["code"] == "referral_consent_missing"
    assert Referral.objects.count() == count
    version = ok(alice.get(f"/cases/{cid}"))["version"]
    res = alice.post(
        "/transfers",
        {
            "case_id": cid,
            "version": version,
            "to_agency_id": str(world.agency_b.pk),
            "reason": "Livelihood programme.",
            "note_to_receiver": "Needs vocational support.",
        },
    )
    assert res.status_code == 422
    assert res.json()["code"] == "transfer_consent_missing"
    # The supervisor's best-interests ground still lets an urgent referral go.
    override = ok(
        refer(bob, cid, clinic, override_reason="Immediate medical danger; the child asked."),
        201,
    )
    assert (override["status"], override["basis"]) == ("sent", "best_interests")


def test_child_withdrawal_alone_also_stops_sharing_from_the_assent_age(world, in_flight):
    ok(withdraw(world.api("alice"), in_flight["case"]["id"], giver="child"))
    assert Referral.objects.get(pk=in_flight["sent"]["id"]).status == "revoked"


def test_withdrawing_the_services_consent_leaves_referrals_alone(world, in_flight):
    alice = world.api("alice")
    consent = Consent.objects.get(
        case_id=in_flight["case"]["id"], purpose="services", giver="child"
    )
    ok(
        alice.post(
            f"/cases/{in_flight['case']['id']}/consents/{consent.pk}/withdraw",
            {"reason": "The child no longer wants to take part"},
        )
    )
    assert Referral.objects.get(pk=in_flight["sent"]["id"]).status == "sent"
    assert CaseTransfer.objects.get(pk=in_flight["transfer"]["id"]).status == "requested"


def test_other_agency_caseworker_cannot_withdraw_and_nothing_changes(world, in_flight):
    writes = Event.objects.exclude(action=Event.Action.READ).count()
    res = withdraw(world.api("dave"), in_flight["case"]["id"])
    assert res.status_code == 404
    assert Referral.objects.get(pk=in_flight["sent"]["id"]).status == "sent"
    assert CaseTransfer.objects.get(pk=in_flight["transfer"]["id"]).status == "requested"
    assert not Consent.objects.exclude(withdrawn_at=None).exists()
    assert Event.objects.exclude(action=Event.Action.READ).count() == writes


def test_case_page_warns_when_the_services_consent_is_withdrawn(world, in_flight):
    from django.test import Client

    cid = in_flight["case"]["id"]
    client = Client()
    client.force_login(world.users["bob"])
    assert 'id="consent-withdrawn-banner"' not in client.get(f"/cases/{cid}/").content.decode()
    consent = Consent.objects.get(case_id=cid, purpose="services", giver="caregiver")
    ok(
        world.api("alice").post(
            f"/cases/{cid}/consents/{consent.pk}/withdraw", {"reason": "Family moved away"}
        )
    )
    page = client.get(f"/cases/{cid}/").content.decode()
    assert 'id="consent-withdrawn-banner"' in page
    assert 'data-purposes="1"' in page
