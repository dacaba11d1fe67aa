"""Transfer of a case to another agency through the API (SPEC §9, §10, §12).

The must-show of issue 3: before acceptance the receiving agency sees nothing of the
case; after, the case moves and both histories show it.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from fanous.audit.models import Event
from fanous.cases.models import Case
from fanous.conftest import ApiClient, World, ok, registered_case
from fanous.notifications.models import Notification
from fanous.referrals.models import CaseTransfer

pytestmark = pytest.mark.django_db

SECRET_NAME = "زينب"


def share_consent(api: ApiClient, cid: str) -> None:
    for giver in ("caregiver", "child"):
        body = {"purpose": "information_sharing", "giver": giver, "given": True}
        ok(api.post(f"/cases/{cid}/consents", body), 201)


def consented_case(world: World) -> dict[str, Any]:
    alice = world.api("alice")
    case = registered_case(alice, child={"given_name": SECRET_NAME})
    share_consent(alice, case["id"])
    return ok(alice.get(f"/cases/{case['id']}"))


def request_body(world: World, case: dict[str, Any], **extra: Any) -> dict[str, Any]:
    body = {
        "case_id": case["id"],
        "version": case["version"],
        "to_agency_id": str(world.agency_b.pk),
        "reason": "Specialised livelihood programme for the family in agency B's area.",
        "note_to_receiver": "A 12-year-old boy working in a workshop; needs vocational support.",
    }
    body.update(extra)
    return body


def approved_transfer(world: World) -> tuple[dict[str, Any], dict[str, Any]]:
    case = consented_case(world)
    transfer = ok(world.api("alice").post("/transfers", request_body(world, case)), 201)
    transfer = ok(
        world.api("bob").post(
            f"/transfers/{transfer['id']}/approve", {"version": transfer["version"]}
        )
    )
    return case, transfer


def state(case_id: str) -> tuple[Any, ...]:
    """Everything a refused step must leave unchanged."""
    case = Case.objects.get(pk=case_id)
    transfers = tuple(CaseTransfer.objects.filter(case=case).values_list("status", "version"))
    return (case.agency_id, case.caseworker_id, case.version, transfers, Event.objects.count())


# ----------------------------------------------------------------- the must-show


def test_spec_10_receiving_agency_sees_nothing_before_acceptance_then_case_moves_and_both_histories_show_it(  # noqa: E501
    world: World,
) -> None:
    alice, bob, dora, dave = (world.api(n) for n in ("alice", "bob", "dora", "dave"))
    case, transfer = approved_transfer(world)
    cid, tid = case["id"], transfer["id"]
    assert transfer["status"] == "approved"

    # Before acceptance: the case is not there for the receiving agency.
    for api in (dora, dave):
        assert api.get(f"/cases/{cid}").status_code == 404
        assert api.get(f"/cases/{cid}/history").status_code == 404
        assert all(c["id"] != cid for c in ok(api.get("/cases"))["items"])
    # dora's inbox: only the sending agency, the note, the dates and the area.
    inbox = ok(dora.get("/transfers"))["inbox"]
    assert [t["id"] for t in inbox] == [tid]
    seen = inbox[0]
    assert seen["from_agency"]["code"] == "AGN-A"
    assert seen["note_to_receiver"].startswith("A 12-year-old boy")
    assert seen["area"]["code"] == "JO-AM"
    assert seen["approved_at"]
    assert seen["requested_at"]
    for hidden in ("case_id", "case_number", "child_name", "reason", "snapshot", "history"):
        assert seen[hidden] is None, hidden
    raw = dora.get(f"/transfers/{tid}").content.decode()
    assert SECRET_NAME not in raw
    assert case["case_number"] not in raw
    assert cid not in raw
    assert seen["allowed_actions"] == ["accept", "decline"]
    # dave (a caseworker of B) has no inbox and cannot read the transfer.
    assert ok(dave.get("/transfers")) == {"inbox": [], "outbox": []}
    assert dave.get(f"/transfers/{tid}").status_code == 404
    # The notification to dora names no case.
    note = Notification.objects.get(user=world.users["dora"], kind="transfer_incoming")
    assert note.params == {"agency": "AGN-A"}

    # dora accepts and assigns dave.
    accepted = ok(
        dora.post(
            f"/transfers/{tid}/accept",
            {"version": seen["version"], "caseworker_id": world.users["dave"].pk},
        )
    )
    assert accepted["status"] == "accepted"
    assert accepted["case_id"] == cid
    moved = Case.objects.select_related("child", "child__household").get(pk=cid)
    assert moved.agency_id == world.agency_b.pk
    assert moved.child.agency_id == world.agency_b.pk
    assert moved.child.household is None or moved.child.household.agency_id == world.agency_b.pk
    assert moved.caseworker_id == world.users["dave"].pk
    assert moved.version == case["version"] + 1

    # The receiving agency now has the case, with the transfer in its history.
    assert ok(dave.get(f"/cases/{cid}"))["id"] == cid
    assert ok(dora.get(f"/cases/{cid}"))["id"] == cid
    history: list[dict[str, Any]] = dave.get(f"/cases/{cid}/history").json()
    moves = [e for e in history if e["action"] == "transfer" and e["object_type"] == "cases.case"]
    assert len(moves) == 1
    assert moves[0]["changes"]["agency"] == ["AGN-A", "AGN-B"]
    assert "transferred from AGN-A" in moves[0]["summary"]
    assert moves[0]["sop_version"]

    # The sending agency no longer sees the case...
    for api in (alice, bob):
        assert api.get(f"/cases/{cid}").status_code == 404
        assert all(c["id"] != cid for c in ok(api.get("/cases"))["items"])
    # ...but keeps a read-only record: snapshot and history up to the acceptance.
    for api in (alice, bob):
        outbox = ok(api.get("/transfers"))["outbox"]
        assert [t["id"] for t in outbox] == [tid]
        assert outbox[0]["snapshot"]["case_number"] == case["case_number"]
        assert outbox[0]["snapshot"]["child_name"].startswith(SECRET_NAME)
        assert outbox[0]["allowed_actions"] == []
    # The record names the child: it is encrypted at rest (SECURITY.md).
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT snapshot FROM referrals_casetransfer WHERE id = %s",
            [tid.replace("-", "") if connection.vendor == "sqlite" else tid],
        )
        (raw,) = cursor.fetchone()
    assert raw.startswith("fx1:")
    assert SECRET_NAME not in raw
    record = ok(bob.get(f"/transfers/{tid}"))
    assert record["history"][0]["action"] == "create"
    assert record["history"][-1]["action"] == "transfer"
    assert record["history"][-1]["changes"]["agency"] == ["AGN-A", "AGN-B"]

    # What the receiver does afterwards is not in the sending agency's record.
    ok(
        dave.post(
            f"/cases/{cid}/consents",
            {
                "purpose": "services",
                "giver": "caregiver",
                "given": True,
            },
        ),
        201,
    )
    record_after = ok(bob.get(f"/transfers/{tid}"))
    assert len(record_after["history"]) == len(record["history"])
    assert len(ok(dave.get(f"/cases/{cid}/history"))) > len(record["history"])
    # carol (same sending agency, another team) never had the case: nothing.
    assert world.api("carol").get(f"/transfers/{tid}").status_code == 404


def test_accepting_without_a_caseworker_leaves_the_case_in_the_receiving_intake(
    world: World,
) -> None:
    case, transfer = approved_transfer(world)
    dora = world.api("dora")
    ok(dora.post(f"/transfers/{transfer['id']}/accept", {"version": transfer["version"]}))
    assert ok(dora.get(f"/cases/{case['id']}"))["id"] == case["id"]
    assert world.api("dave").get(f"/cases/{case['id']}").status_code == 404
    assert Case.objects.get(pk=case["id"]).caseworker_id is None


def test_open_emergency_cash_requests_are_rejected_when_the_case_leaves(world: World) -> None:
    from datetime import date
    from decimal import Decimal

    from django.utils import timezone

    from fanous.referrals.models import CashDisbursement, EmergencyBudget

    case, transfer = approved_transfer(world)
    budget = EmergencyBudget.objects.create(
        agency=world.agency_a,
        name="Fund",
        currency="JOD",
        amount=Decimal("1000"),
        starts_on=date(2020, 1, 1),
        ends_on=date(2099, 1, 1),
    )
    row = Case.objects.get(pk=case["id"])
    cash = CashDisbursement.objects.create(
        case=row,
        budget=budget,
        amount=Decimal("50"),
        currency="JOD",
        purpose="medical",
        status="requested",
        requested_by=world.users["alice"],
        requested_at=timezone.now(),
        sop_version=row.sop_version,
    )
    ok(world.api("dora").post(f"/transfers/{transfer['id']}/accept", {"version": 2}))
    cash.refresh_from_db()
    assert cash.status == "rejected"
    assert "transferred" in cash.decision_note


# ----------------------------------------------------------------- consent


def test_spec_12_transfer_without_information_sharing_consent_is_refused_and_nothing_saved(
    world: World,
) -> None:
    alice = world.api("alice")
    case = registered_case(alice)
    before = state(case["id"])
    res = alice.post("/transfers", request_body(world, case))
    assert res.status_code == 422
    assert res.json()["code"] == "transfer_consent_missing"
    assert state(case["id"]) == before
    assert not Notification.objects.filter(kind__startswith="transfer").exists()


def test_spec_12_best_interests_override_lets_the_request_go_to_the_supervisor(
    world: World,
) -> None:
    alice = world.api("alice")
    case = registered_case(alice)
    body = request_body(world, case, override_reason="Family moving to B's area; safety risk.")
    transfer = ok(alice.post("/transfers", body), 201)
    assert transfer["status"] == "requested"
    assert transfer["basis"] == "best_interests"
    assert transfer["override_reason"].startswith("Family moving")
    assert Notification.objects.filter(user=world.users["bob"], kind="transfer_requested").exists()
    # Not offered yet: the receiving agency does not know of it.
    assert ok(world.api("dora").get("/transfers"))["inbox"] == []
    assert world.api("dora").get(f"/transfers/{transfer['id']}").status_code == 404


def test_supervisor_request_is_approved_at_once_and_offered(world: World) -> None:
    case = consented_case(world)
    transfer = ok(world.api("bob").post("/transfers", request_body(world, case)), 201)
    assert transfer["status"] == "approved"
    assert Notification.objects.filter(user=world.users["dora"], kind="transfer_incoming").exists()


# ----------------------------------------------------------------- refusals


def test_stale_case_version_is_refused_with_409(world: World) -> None:
    case = consented_case(world)
    before = state(case["id"])
    body = request_body(world, case, version=case["version"] - 1)
    assert world.api("alice").post("/transfers", body).status_code == 409
    assert state(case["id"]) == before


def test_stale_transfer_version_is_refused_with_409(world: World) -> None:
    case, transfer = approved_transfer(world)
    before = state(case["id"])
    res = world.api("dora").post(f"/transfers/{transfer['id']}/accept", {"version": 1})
    assert res.status_code == 409
    assert state(case["id"]) == before


def test_caseworker_cannot_approve_her_own_request(world: World) -> None:
    case = consented_case(world)
    alice = world.api("alice")
    transfer = ok(alice.post("/transfers", request_body(world, case)), 201)
    before = state(case["id"])
    res = alice.post(f"/transfers/{transfer['id']}/approve", {"version": transfer["version"]})
    assert res.status_code == 403
    assert state(case["id"]) == before


def test_sending_supervisor_cannot_accept_or_decline(world: World) -> None:
    case, transfer = approved_transfer(world)
    bob = world.api("bob")
    before = state(case["id"])
    res = bob.post(f"/transfers/{transfer['id']}/accept", {"version": transfer["version"]})
    assert res.status_code == 403
    res = bob.post(
        f"/transfers/{transfer['id']}/decline", {"version": transfer["version"], "reason": "x"}
    )
    assert res.status_code == 403
    assert state(case["id"]) == before


def test_receiving_supervisor_cannot_cancel_and_caseworker_of_b_cannot_accept(
    world: World,
) -> None:
    case, transfer = approved_transfer(world)
    before = state(case["id"])
    res = world.api("dora").post(
        f"/transfers/{transfer['id']}/cancel", {"version": transfer["version"], "reason": "x"}
    )
    assert res.status_code == 403
    res = world.api("dave").post(
        f"/transfers/{transfer['id']}/accept", {"version": transfer["version"]}
    )
    assert res.status_code in (403, 404)
    assert state(case["id"]) == before


def test_accepting_supervisor_can_assign_only_a_caseworker_of_her_team(world: World) -> None:
    case, transfer = approved_transfer(world)
    before = state(case["id"])
    res = world.api("dora").post(
        f"/transfers/{transfer['id']}/accept",
        {"version": transfer["version"], "caseworker_id": world.users["alice"].pk},
    )
    assert res.status_code == 422
    assert res.json()["code"] == "caseworker_id"
    assert state(case["id"]) == before


def test_only_one_pending_transfer_per_case(world: World) -> None:
    case = consented_case(world)
    alice = world.api("alice")
    ok(alice.post("/transfers", request_body(world, case)), 201)
    before = state(case["id"])
    res = alice.post("/transfers", request_body(world, case))
    assert res.status_code == 409
    assert res.json()["code"] == "transfer_pending"
    assert state(case["id"]) == before


def test_closed_case_cannot_be_transferred(world: World) -> None:
    case = consented_case(world)
    Case.objects.filter(pk=case["id"]).update(status="closed")
    before = state(case["id"])
    res = world.api("alice").post("/transfers", request_body(world, case))
    assert res.status_code == 409
    assert res.json()["code"] == "transfer_case_not_open"
    assert state(case["id"]) == before


def test_transfer_to_own_agency_is_refused(world: World) -> None:
    case = consented_case(world)
    before = state(case["id"])
    res = world.api("alice").post(
        "/transfers", request_body(world, case, to_agency_id=str(world.agency_a.pk))
    )
    assert res.status_code == 422
    assert state(case["id"]) == before


def test_outsiders_cannot_request_a_transfer(world: World) -> None:
    case = consented_case(world)
    before = state(case["id"])
    for name, code in (("carol", 404), ("dave", 404), ("dora", 404), ("sam", 403), ("cora", 403)):
        res = world.api(name).post("/transfers", request_body(world, case))
        assert res.status_code == code, name
    assert state(case["id"]) == before


def test_decline_needs_a_reason_and_keeps_the_case(world: World) -> None:
    case, transfer = approved_transfer(world)
    dora = world.api("dora")
    before = state(case["id"])
    res = dora.post(f"/transfers/{transfer['id']}/decline", {"version": 2, "reason": " "})
    assert res.status_code == 422
    assert state(case["id"]) == before
    declined = ok(
        dora.post(f"/transfers/{transfer['id']}/decline", {"version": 2, "reason": "No capacity."})
    )
    assert declined["status"] == "declined"
    assert Case.objects.get(pk=case["id"]).agency_id == world.agency_a.pk
    assert world.api("dora").get(f"/cases/{case['id']}").status_code == 404
    assert Notification.objects.filter(user=world.users["alice"], kind="transfer_decided").exists()
    # A new request is possible once the first is decided.
    fresh = ok(world.api("alice").get(f"/cases/{case['id']}"))
    ok(world.api("alice").post("/transfers", request_body(world, fresh)), 201)


def test_sending_team_can_cancel_a_pending_transfer(world: World) -> None:
    case, transfer = approved_transfer(world)
    res = ok(
        world.api("alice").post(
            f"/transfers/{transfer['id']}/cancel", {"version": 2, "reason": "Family stayed."}
        )
    )
    assert res["status"] == "cancelled"
    res = world.api("dora").post(f"/transfers/{transfer['id']}/accept", {"version": 3})
    assert res.status_code == 409
    assert Case.objects.get(pk=case["id"]).agency_id == world.agency_a.pk


def test_request_is_idempotent_by_id(world: World) -> None:
    import uuid

    case = consented_case(world)
    rid = str(uuid.uuid4())
    first = ok(world.api("alice").post("/transfers", request_body(world, case, id=rid)), 201)
    again = ok(world.api("alice").post("/transfers", request_body(world, case, id=rid)), 201)
    assert first["id"] == again["id"] == rid
    assert CaseTransfer.objects.count() == 1
