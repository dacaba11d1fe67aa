"""Every read of a case through the API lands in the audit log, with who, IP and request
id; reads stay out of the case history; internal re-reads and lists are not logged."""

from __future__ import annotations

import pytest

from fanous.audit.models import Event
from fanous.audit.verify import verify_chain
from fanous.conftest import World, ok, registered_case
from fanous.referrals.tests.test_transfers_api import approved_transfer
from fanous.web.tests.referrals_support import a_case, make_clinic, send

pytestmark = pytest.mark.django_db


def reads() -> list[Event]:
    return list(Event.objects.filter(action=Event.Action.READ).order_by("seq"))


@pytest.mark.parametrize(
    ("path", "section"),
    [
        ("", "case"),
        ("/assessments", "assessments"),
        ("/history", "history"),
        ("/follow-ups", "follow_ups"),
        ("/reviews", "reviews"),
        ("/risk-changes", "risk_changes"),
    ],
)
def test_every_api_get_of_a_case_is_logged_with_actor_ip_and_request_id(
    world: World, path: str, section: str
) -> None:
    alice = world.api("alice")
    case = registered_case(alice)
    before = len(reads())
    res = alice.client.get(
        f"/api/v1/cases/{case['id']}{path}",
        HTTP_AUTHORIZATION=f"Bearer {alice.token}",
        HTTP_X_REQUEST_ID="req-read-42",
        REMOTE_ADDR="10.1.2.3",
    )
    assert res.status_code == 200
    new = reads()[before:]
    assert len(new) == 1
    event = new[0]
    assert event.actor_id == world.users["alice"].pk
    assert str(event.case_id) == case["id"]
    assert (event.object_type, event.object_id) == ("cases.case", case["id"])
    assert event.changes == {"section": section}
    assert event.ip == "10.1.2.3"
    assert event.request_id == "req-read-42"
    assert verify_chain().intact


def test_writes_and_lists_are_not_logged_as_reads(world: World) -> None:
    alice = world.api("alice")
    case = registered_case(alice)
    before = len(reads())
    ok(alice.get("/cases"))  # the caseload list is not a read of each case
    ok(
        alice.post(
            f"/cases/{case['id']}/consents",
            {"purpose": "information_sharing", "giver": "caregiver", "given": True},
        ),
        201,
    )  # a write answers with the case, but is logged as the write, not as a read
    assert len(reads()) == before


def test_an_outsider_gets_404_and_no_read_is_logged(world: World) -> None:
    case = registered_case(world.api("alice"))
    before = len(reads())
    assert world.api("dave").get(f"/cases/{case['id']}").status_code == 404
    assert len(reads()) == before


def test_reads_are_not_in_the_case_history(world: World) -> None:
    alice = world.api("alice")
    case = registered_case(alice)
    before = len(reads())
    for _ in range(3):
        ok(alice.get(f"/cases/{case['id']}"))
    history: list[dict[str, str]] = alice.get(f"/cases/{case['id']}/history").json()
    assert history
    assert all(e["action"] != "read" for e in history)
    assert len(reads()) == before + 4  # three case reads and the history read


def test_referral_read_is_logged_for_the_receiver_and_the_sender(world: World) -> None:
    case = a_case(world)
    referral = send(world, case, make_clinic(world))
    before = len(reads())
    ok(world.api("sam").get(f"/referrals/{referral['id']}"))
    ok(world.api("alice").get(f"/referrals/{referral['id']}"))
    new = reads()[before:]
    assert [e.actor_id for e in new] == [world.users["sam"].pk, world.users["alice"].pk]
    for e in new:
        assert (e.object_type, e.object_id) == ("referrals.referral", referral["id"])
        assert str(e.case_id) == case["id"]
        assert e.changes == {"section": "referral"}


def test_transfer_record_read_is_logged(world: World) -> None:
    case, transfer = approved_transfer(world)
    before = len(reads())
    ok(world.api("dora").get(f"/transfers/{transfer['id']}"))
    new = reads()[before:]
    assert len(new) == 1
    assert new[0].actor_id == world.users["dora"].pk
    assert (new[0].object_type, new[0].object_id) == ("referrals.casetransfer", transfer["id"])
    assert str(new[0].case_id) == case["id"]


def test_cash_read_is_logged(world: World) -> None:
    case = registered_case(world.api("alice"))
    before = len(reads())
    ok(world.api("alice").get(f"/cash?case_id={case['id']}"))
    new = reads()[before:]
    assert [e.changes for e in new] == [{"section": "cash"}]
