"""Referral pathways and service gaps (SPEC §2, §7, §8, §12)."""

from __future__ import annotations

from typing import Any

from fanous.accounts.models import Area
from fanous.audit.models import Event
from fanous.conftest import World, assessed_case, ok
from fanous.referrals.models import ServiceGap
from fanous.referrals.tests.test_services_providers import provider_body


def _education(world: World, **overrides: Any) -> dict[str, Any]:
    return ok(world.api("cora").post("/services", provider_body(**overrides)), 201)


def _needs(res: Any) -> dict[str, dict[str, Any]]:
    return {n["need"]: n for n in ok(res)["needs"]}


def test_out_of_school_child_gets_education_providers_and_disability_is_a_gap(
    world: World,
) -> None:
    """SPEC §8: the plan proposes services per need; a need with no service is a gap (§12)."""
    school = _education(world)
    alice = world.api("alice")
    case = assessed_case(alice, {"attends_school": False, "disability": True})
    needs = _needs(alice.get(f"/services/pathways?case_id={case['id']}"))
    assert set(needs) == {"out_of_school", "disability_support"}
    school_need = needs["out_of_school"]
    assert school_need["from_assessment"] is True
    assert school_need["gap"] is False
    formal = next(
        o for o in school_need["service_types"] if o["service_type"] == "formal_education"
    )
    assert [p["id"] for p in formal["providers"]] == [school["id"]]
    assert needs["disability_support"]["gap"] is True
    assert ok(alice.get(f"/services/pathways?case_id={case['id']}"))["gaps"] == [
        "disability_support"
    ]


def test_a_gap_is_recorded_once_and_audited_then_resolved_when_a_service_opens(
    world: World,
) -> None:
    alice = world.api("alice")
    case = assessed_case(alice, {"disability": True})
    first = alice.post("/services/pathways/gaps", {"case_id": case["id"]})
    assert first.status_code == 201
    assert [g["need"] for g in first.json()] == ["disability_support"]
    again = alice.post("/services/pathways/gaps", {"case_id": case["id"]})
    assert again.status_code == 200
    assert again.json() == []
    gap = ServiceGap.objects.get()
    assert gap.resolved_on is None
    assert gap.service_types == ["rehabilitation"]
    assert Event.objects.filter(action=Event.Action.SERVICE_MAP, case_id=case["id"]).count() == 1
    needs = _needs(alice.get(f"/services/pathways?case_id={case['id']}"))
    assert needs["disability_support"]["gap_recorded"] is True
    # A rehabilitation service opens in a district of the same SOP area: the gap closes.
    district = Area.objects.create(
        code="JO-AM-SAHAB",
        kind=Area.Kind.DISTRICT,
        parent=world.area,
        name_ar="سحاب",
        name_en="Sahab",
    )
    _education(
        world,
        name_ar="مركز التأهيل",
        sector="health",
        service_types=["rehabilitation"],
        area=district.code,
    )
    gap.refresh_from_db()
    assert gap.resolved_on is not None
    needs = _needs(alice.get(f"/services/pathways?case_id={case['id']}"))
    assert needs["disability_support"]["gap"] is False


def test_a_service_that_does_not_take_the_agency_is_not_proposed(world: World) -> None:
    _education(world, accepts_from=["AGN-B"])
    alice = world.api("alice")
    case = assessed_case(alice, {"attends_school": False})
    assert _needs(alice.get(f"/services/pathways?case_id={case['id']}"))["out_of_school"]["gap"]


def test_needs_chosen_by_hand_on_the_plan_are_proposed(world: World) -> None:
    alice = world.api("alice")
    case = assessed_case(alice, {"hours_per_week": 10}, kinds=("initial", "comprehensive"))
    cid = case["id"]
    body = {
        "version": ok(alice.get(f"/cases/{cid}"))["version"],
        "goals": [
            {
                "horizon": "short",
                "description": "وثائق مدنية",
                "actions": [
                    {
                        "description": "استخراج شهادة الميلاد",
                        "responsible": "أمل",
                        "due_on": case["deadlines"]["plan_due_on"] or "2099-01-01",
                        "service_type": "civil_documentation",
                    }
                ],
            }
        ],
    }
    res = alice.put(f"/cases/{cid}/plan", body)
    assert res.status_code in (200, 201), res.content
    needs = _needs(alice.get(f"/services/pathways?case_id={cid}"))
    assert needs["legal_documentation"]["from_plan"] is True
    assert needs["legal_documentation"]["from_assessment"] is False


def test_pathways_of_a_case_not_visible_are_404_and_gaps_are_not_recorded(
    world: World,
) -> None:
    case = assessed_case(world.api("alice"), {"disability": True})
    for name in ("dave", "carol", "sam", "cora"):
        api = world.api(name)
        assert api.get(f"/services/pathways?case_id={case['id']}").status_code == 404
        res = api.post("/services/pathways/gaps", {"case_id": case["id"]})
        assert res.status_code in (403, 404)
    assert ServiceGap.objects.count() == 0
