"""Intake paths (SPEC §3, §11): helpline contacts, assignment, not eligible and referred out,
and the risk override (SPEC §4)."""

from __future__ import annotations

import pytest

from fanous.cases.models import Case, RiskChange
from fanous.conftest import World, assessed_case, child_payload

pytestmark = pytest.mark.django_db


def test_a_helpline_contact_waits_for_a_supervisor_to_assign_it(world: World) -> None:
    hana, bob, alice, erin = (world.api(n) for n in ("hana", "bob", "alice", "erin"))
    case = hana.post("/cases", child_payload(source="helpline")).json()
    assert case["caseworker_id"] is None
    assert hana.get(f"/cases/{case['id']}").status_code == 200
    assert alice.get(f"/cases/{case['id']}").status_code == 404  # not hers yet
    assert case["id"] in [c["id"] for c in bob.get("/cases").json()["items"]]
    # A supervisor can only assign to a caseworker of their own team.
    res = erin.post(
        f"/cases/{case['id']}/assign",
        {"version": case["version"], "caseworker_id": world.users["alice"].pk},
    )
    assert res.status_code == 422
    case = bob.post(
        f"/cases/{case['id']}/assign",
        {"version": case["version"], "caseworker_id": world.users["alice"].pk},
    ).json()
    assert case["caseworker_id"] == world.users["alice"].pk
    for giver in ("caregiver", "child"):
        alice.post(
            f"/cases/{case['id']}/consents", {"purpose": "services", "giver": giver, "given": True}
        )
    version = alice.get(f"/cases/{case['id']}").json()["version"]
    assert alice.post(f"/cases/{case['id']}/register", {"version": version}).status_code == 200
    # Registered: the case now belongs to case management, not to the helpline.
    assert hana.get(f"/cases/{case['id']}").status_code == 404
    assert erin.get(f"/cases/{case['id']}").status_code == 404


def test_a_child_who_is_not_eligible_is_referred_out_with_the_reason(world: World) -> None:
    alice = world.api("alice")
    case = alice.post("/cases", child_payload(eligibility_criteria=[])).json()
    assert case["eligible"] is False
    res = alice.post(f"/cases/{case['id']}/register", {"version": case["version"]})
    assert res.status_code == 422
    case = alice.post(
        f"/cases/{case['id']}/not-eligible",
        {"version": case["version"], "reason": "الطفل لا يعمل ويحضر المدرسة بانتظام"},
    ).json()
    assert case["status"] == "not_eligible"
    case = alice.post(
        f"/cases/{case['id']}/refer-out",
        {"version": case["version"], "referred_to": "برنامج التوعية الأسرية"},
    ).json()
    assert case["status"] == "referred_out"
    assert case["referred_out_to"] == "برنامج التوعية الأسرية"
    # A referred-out child is out of the open caseload but can still be found.
    assert case["id"] not in [c["id"] for c in alice.get("/cases").json()["items"]]
    found = alice.get("/cases?include_closed=true").json()["items"]
    assert case["id"] in [c["id"] for c in found]


def test_only_the_supervisor_overrides_the_risk_level_and_the_reason_is_kept(world: World) -> None:
    alice, bob = world.api("alice"), world.api("bob")
    case = assessed_case(alice, {"hours_per_week": 10})
    computed = case["risk"]["computed"]
    reason = "The employer threatened the child yesterday; treat as high until we visit."
    res = alice.post(
        f"/cases/{case['id']}/risk-override",
        {"version": case["version"], "level": "high", "reason": reason},
    )
    assert res.status_code == 403
    case = bob.post(
        f"/cases/{case['id']}/risk-override",
        {"version": case["version"], "level": "high", "reason": reason},
    ).json()
    assert case["risk"] == {
        **case["risk"],
        "level": "high",
        "computed": computed,
        "override": "high",
    }
    changes = bob.get(f"/cases/{case['id']}/risk-changes").json()
    assert changes[-1]["kind"] == "override"
    assert changes[-1]["reason"] == reason
    assert changes[-1]["sop_version"] == "1.0"
    assert RiskChange.objects.filter(case_id=case["id"]).count() == len(changes)
    # High risk first in every caseload.
    other = alice.post("/cases", child_payload()).json()
    items = alice.get("/cases").json()["items"]
    assert items[0]["id"] == case["id"]
    assert other["id"] in [c["id"] for c in items]
    assert Case.objects.get(pk=case["id"]).risk_rank == 3
