"""A child from identification to approved closure, through the API alone (SPEC §3-§9)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from fanous.audit.models import Event
from fanous.cases.models import Case
from fanous.conftest import ApiClient, World, assessed_case, child_payload, ok
from fanous.conftest import local_today as today

pytestmark = pytest.mark.django_db


def give_consents(api: ApiClient, case_id: str, purposes: tuple[str, ...] = ("services",)) -> None:
    for purpose in purposes:
        for giver in ("caregiver", "child"):
            ok(
                api.post(
                    f"/cases/{case_id}/consents",
                    {
                        "purpose": purpose,
                        "giver": giver,
                        "given": True,
                        "giver_name": "أم أحمد" if giver == "caregiver" else "أحمد",
                    },
                ),
                201,
            )


def to_comprehensive(world: World, facts: dict[str, Any], birth: date) -> dict[str, Any]:
    return assessed_case(
        world.api("alice"),
        facts,
        kinds=("initial", "comprehensive"),
        narrative={"child_wishes": "أريد أن أعود إلى المدرسة"},
        child={"birth_date": birth.isoformat()},
        registration={"workplace_name": "ورشة ميكانيك", "hours_per_day": 8, "days_per_week": 6},
    )


PLAN = {
    "goals": [
        {
            "horizon": "immediate",
            "description": "إبعاد الطفل عن الأعمال الخطرة",
            "actions": [
                {
                    "description": "وساطة مع صاحب العمل",
                    "responsible": "amal",
                    "due_on": (today() + timedelta(days=5)).isoformat(),
                }
            ],
        },
        {
            "horizon": "long",
            "kind": "want",
            "description": "العودة إلى التعليم",
            "actions": [
                {
                    "description": "التسجيل في التعليم غير النظامي",
                    "responsible": "amal",
                    "due_on": (today() + timedelta(days=30)).isoformat(),
                }
            ],
        },
    ],
    "root_causes": "economic",
    "safety_contacts": "0790000000 (caseworker), 911",
    "safe_places": "community centre",
    "warning_signs": "employer threatens, night shifts",
    "protective_equipment": "gloves, goggles",
}


def test_child_walks_from_identification_to_approved_closure(world: World) -> None:
    alice, bob = world.api("alice"), world.api("bob")
    # 16 years old, hazardous work: high risk.
    case = to_comprehensive(
        world, {"hazardous_by_nature": True, "hours_per_week": 48}, date(2010, 5, 1)
    )
    cid = case["id"]
    assert case["status"] == "comprehensive_assessment"
    assert case["risk"]["level"] == "high"
    assert case["risk"]["factors"], "the factors that raised the level are shown"
    assert case["deadlines"]["plan_due_on"] == (today() + timedelta(days=3)).isoformat()

    # SPEC §4: a high-risk case is discussed with the supervisor before any action.
    case = ok(alice.put(f"/cases/{cid}/plan", {**PLAN, "version": case["version"]}))
    res = alice.post(f"/cases/{cid}/plan/submit", {"version": case["version"]})
    assert res.status_code == 422
    assert "high_risk_not_discussed" in {r["code"] for r in res.json()["reasons"]}
    ok(
        bob.post(
            f"/cases/{cid}/reviews",
            {
                "kind": "supervision",
                "held_on": today().isoformat(),
                "summary": "ناقشنا خطة السلامة",
            },
        ),
        201,
    )
    case = ok(alice.get(f"/cases/{cid}"))
    case = ok(alice.post(f"/cases/{cid}/plan/submit", {"version": case["version"]}))
    assert case["status"] == "plan_pending_approval"

    # SPEC §7: the supervisor approves the plan, not the caseworker.
    res = alice.post(f"/cases/{cid}/plan/approve", {"version": case["version"]})
    assert res.status_code == 403
    case = ok(bob.post(f"/cases/{cid}/plan/approve", {"version": case["version"]}))
    assert case["status"] == "plan_approved"
    assert case["deadlines"]["next_follow_up_on"] == (today() + timedelta(days=3)).isoformat()

    case = ok(
        alice.post(
            f"/cases/{cid}/follow-ups",
            {
                "kind": "workplace",
                "happened_on": today().isoformat(),
                "child_seen": True,
                "checks": {"safety_equipment_used": "yes"},
            },
        ),
        201,
    )
    assert case["status"] == "implementation"

    # SPEC §9: a reason whose age condition fails is refused (a 16-year-old cannot "reach 18").
    res = alice.post(
        f"/cases/{cid}/closure",
        {"version": case["version"], "reason": "reached_18", "justification": "x"},
    )
    assert res.status_code == 422
    assert Case.objects.get(pk=cid).status == "implementation"

    # Plan goals achieved needs every action done.
    res = alice.post(
        f"/cases/{cid}/closure",
        {
            "version": case["version"],
            "reason": "plan_goals_achieved",
            "justification": "أهداف الخطة تحققت",
        },
    )
    assert res.status_code == 422
    for goal in case["plan"]["goals"]:
        for action in goal["actions"]:
            case = ok(alice.post(f"/cases/{cid}/plan/actions/{action['id']}", {"status": "done"}))
    case = ok(
        alice.post(
            f"/cases/{cid}/closure",
            {
                "version": case["version"],
                "reason": "plan_goals_achieved",
                "justification": "أهداف الخطة تحققت",
            },
        )
    )
    assert case["status"] == "closure_requested"

    # Closure by the caseworker alone is refused.
    res = alice.post(f"/cases/{cid}/closure/approve", {"version": case["version"]})
    assert res.status_code == 403
    assert Case.objects.get(pk=cid).status == "closure_requested"

    case = ok(bob.post(f"/cases/{cid}/closure/approve", {"version": case["version"]}))
    assert case["status"] == "closed"
    assert case["closure_reason"] == "plan_goals_achieved"
    assert case["closed_at"] is not None

    history: list[dict[str, Any]] = bob.get(f"/cases/{cid}/history").json()
    statuses = [e["changes"]["status"][1] for e in history if "status" in e["changes"]]
    assert statuses == [
        "identified",
        "registered",
        "initial_assessment",
        "comprehensive_assessment",
        "plan_pending_approval",
        "plan_approved",
        "implementation",
        "closure_requested",
        "closed",
    ]
    assert all(e["sop_version"] == "1.0" for e in history)
    assert all(e["actor"] for e in history)


LEVELS = [
    # (facts, birth, level, plan due days, follow-up initial days, stable days) — SPEC §7, §8
    ({"trafficking": True, "hours_per_week": 30}, date(2010, 1, 10), "high", 3, 3, 7),
    ({"night_work": True, "hours_per_week": 30}, date(2010, 1, 10), "medium", 7, 7, 14),
    ({"hours_per_week": 20}, date(2010, 1, 10), "low", 14, 14, 30),
]


@pytest.mark.parametrize(("facts", "birth", "level", "plan_days", "fu_days", "stable_days"), LEVELS)
def test_deadlines_and_schedule_follow_the_sop_for_each_risk_level(
    world: World,
    facts: dict[str, Any],
    birth: date,
    level: str,
    plan_days: int,
    fu_days: int,
    stable_days: int,
) -> None:
    alice, bob = world.api("alice"), world.api("bob")
    case = to_comprehensive(world, facts, birth)
    cid = case["id"]
    assert case["risk"]["level"] == level
    assert case["deadlines"]["plan_due_on"] == (today() + timedelta(days=plan_days)).isoformat()
    if level == "high":
        ok(
            bob.post(
                f"/cases/{cid}/reviews",
                {"kind": "supervision", "held_on": today().isoformat(), "summary": "x"},
            ),
            201,
        )
        case = ok(alice.get(f"/cases/{cid}"))
    case = ok(alice.put(f"/cases/{cid}/plan", {**PLAN, "version": case["version"]}))
    case = ok(alice.post(f"/cases/{cid}/plan/submit", {"version": case["version"]}))
    case = ok(bob.post(f"/cases/{cid}/plan/approve", {"version": case["version"]}))
    assert case["deadlines"]["plan_due_on"] is None
    assert case["deadlines"]["next_follow_up_on"] == (today() + timedelta(days=fu_days)).isoformat()
    # Once stable (a review says so), the schedule slows down (SPEC §8).
    case = ok(
        alice.post(
            f"/cases/{cid}/reviews",
            {
                "kind": "review",
                "held_on": today().isoformat(),
                "summary": "stable",
                "follow_up_phase": "stable",
            },
        ),
        201,
    )
    assert (
        case["deadlines"]["next_follow_up_on"]
        == (today() + timedelta(days=stable_days)).isoformat()
    )


def test_registration_without_consent_or_assent_is_refused(world: World) -> None:
    alice = world.api("alice")
    case = ok(alice.post("/cases", child_payload()), 201)
    events = Event.objects.exclude(action="read").count()
    res = alice.post(f"/cases/{case['id']}/register", {"version": case["version"]})
    assert res.status_code == 422
    assert "consent_missing" in {r["code"] for r in res.json()["reasons"]}
    # The caregiver alone is not enough: the child's assent is needed too.
    ok(
        alice.post(
            f"/cases/{case['id']}/consents",
            {"purpose": "services", "giver": "caregiver", "given": True},
        ),
        201,
    )
    version = ok(alice.get(f"/cases/{case['id']}"))["version"]
    res = alice.post(f"/cases/{case['id']}/register", {"version": version})
    assert res.status_code == 422
    # A refusal by the child counts as no assent.
    ok(
        alice.post(
            f"/cases/{case['id']}/consents",
            {"purpose": "services", "giver": "child", "given": False},
        ),
        201,
    )
    version = ok(alice.get(f"/cases/{case['id']}"))["version"]
    assert alice.post(f"/cases/{case['id']}/register", {"version": version}).status_code == 422
    stored = Case.objects.get(pk=case["id"])
    assert stored.status == "identified"
    assert stored.registered_at is None
    assert Event.objects.filter(action="transition").count() == 0
    assert Event.objects.exclude(action="read").count() == events + 2  # the two consents only


def test_refuses_support_is_refused_below_15(world: World) -> None:
    """SPEC §9: only a child aged 15-18 may refuse further support as a closure reason."""
    alice = world.api("alice")
    case = to_comprehensive(world, {"hours_per_week": 20}, date(2014, 1, 1))  # 12 years old
    res = alice.post(
        f"/cases/{case['id']}/closure",
        {
            "version": case["version"],
            "reason": "refuses_support",
            "flags": ["refusal_recorded"],
            "justification": "الطفل يرفض",
        },
    )
    assert res.status_code == 422
    assert "closure_age_too_low" in {r["code"] for r in res.json()["reasons"]}
    assert Case.objects.get(pk=case["id"]).status == "comprehensive_assessment"


def test_stale_version_is_refused_with_409_and_changes_nothing(world: World) -> None:
    alice = world.api("alice")
    case = ok(alice.post("/cases", child_payload()), 201)
    ok(
        alice.patch(
            f"/cases/{case['id']}/child",
            {"version": case["version"], "child": {"family_name": "الخطيب"}},
        )
    )
    res = alice.patch(
        f"/cases/{case['id']}/child", {"version": case["version"], "child": {"given_name": "محمد"}}
    )
    assert res.status_code == 409
    assert Case.objects.get(pk=case["id"]).child.given_name == "أحمد"


def test_create_is_idempotent_by_client_uuid(world: World) -> None:
    import uuid

    alice = world.api("alice")
    cid = str(uuid.uuid4())
    first = alice.post("/cases", child_payload(id=cid))
    second = alice.post("/cases", child_payload(id=cid))
    assert first.status_code == 201
    assert second.status_code == 200
    assert first.json()["case_number"] == second.json()["case_number"]
    assert Case.objects.count() == 1
    # Someone who cannot see the case cannot use its id to learn anything.
    res = world.api("dave").post("/cases", child_payload(id=cid))
    assert res.status_code == 409
    assert "أحمد" not in res.content.decode()


@pytest.mark.parametrize(
    ("child", "field"),
    [
        ({"birth_date": "2099-01-01"}, "birth_date_future"),
        ({"birth_date": "1950-01-01"}, "birth_date_impossible"),
        ({"given_name": "x" * 500}, "child.given_name"),
        ({"sex": "q"}, "child.sex"),
    ],
)
def test_bad_child_input_gets_a_clear_4xx_and_changes_nothing(
    world: World, child: dict[str, Any], field: str
) -> None:
    body = child_payload()
    body["child"].update(child)
    res = world.api("alice").post("/cases", body)
    assert res.status_code in (400, 422)
    payload = res.json()
    assert payload["message"]
    assert field in {r.get("field") for r in payload["reasons"]} | {payload["code"]}
    assert Case.objects.count() == 0


def test_unknown_codes_are_refused(world: World) -> None:
    alice = world.api("alice")
    res = alice.post("/cases", child_payload(concerns=["not_a_concern"]))
    assert res.status_code == 422
    assert "not_a_concern" in res.json()["message"]
    case = ok(alice.post("/cases", child_payload()), 201)
    give_consents(alice, case["id"])
    version = ok(alice.get(f"/cases/{case['id']}"))["version"]
    ok(alice.post(f"/cases/{case['id']}/register", {"version": version}))
    res = alice.post(
        f"/cases/{case['id']}/assessments",
        {"kind": "initial", "assessed_on": today().isoformat(), "facts": {"hazard.unicorns": True}},
    )
    assert res.status_code == 422
    assert Case.objects.get(pk=case["id"]).status == "registered"


def test_errors_are_translated_to_arabic(world: World) -> None:
    body = child_payload()
    body["child"]["birth_date"] = "2099-01-01"
    res = world.api("alice").post("/cases", body, **{"Accept-Language": "ar"})
    assert res.status_code == 422
    message = res.json()["message"]
    assert any("\u0600" <= ch <= "\u06ff" for ch in message), message


def _in_implementation(world: World) -> dict[str, Any]:
    alice, bob = world.api("alice"), world.api("bob")
    case = to_comprehensive(world, {"hours_per_week": 20}, date(2010, 1, 10))
    cid = case["id"]
    case = ok(alice.put(f"/cases/{cid}/plan", {**PLAN, "version": case["version"]}))
    case = ok(alice.post(f"/cases/{cid}/plan/submit", {"version": case["version"]}))
    case = ok(bob.post(f"/cases/{cid}/plan/approve", {"version": case["version"]}))
    return ok(
        alice.post(
            f"/cases/{cid}/follow-ups", {"kind": "home_visit", "happened_on": today().isoformat()}
        ),
        201,
    )


def test_a_plan_revision_returned_by_the_supervisor_leaves_the_approved_plan_in_force(
    world: World,
) -> None:
    """SPEC §8 review: a revised plan goes to the supervisor; until approved, the old one holds."""
    alice, bob = world.api("alice"), world.api("bob")
    case = _in_implementation(world)
    cid, first_plan = case["id"], case["plan"]["id"]
    revised = {**PLAN, "root_causes": "economic and the employer's pressure"}
    case = ok(alice.put(f"/cases/{cid}/plan", {**revised, "version": case["version"]}))
    assert case["status"] == "implementation"
    case = ok(alice.post(f"/cases/{cid}/plan/submit", {"version": case["version"]}))
    assert case["status"] == "plan_pending_approval"
    case = ok(
        bob.post(
            f"/cases/{cid}/plan/reject",
            {"version": case["version"], "note": "أضف خطوات مع صاحب العمل"},
        )
    )
    assert case["status"] == "implementation"
    assert case["deadlines"]["next_follow_up_on"] is not None
    case = ok(alice.put(f"/cases/{cid}/plan", {**revised, "version": case["version"]}))
    case = ok(alice.post(f"/cases/{cid}/plan/submit", {"version": case["version"]}))
    case = ok(bob.post(f"/cases/{cid}/plan/approve", {"version": case["version"]}))
    assert case["plan"]["id"] != first_plan
    assert case["plan"]["status"] == "approved"
    assert case["plan"]["number"] == 2


def test_a_rejected_closure_returns_the_case_to_follow_up(world: World) -> None:
    alice, bob = world.api("alice"), world.api("bob")
    case = _in_implementation(world)
    cid = case["id"]
    case = ok(
        alice.post(
            f"/cases/{cid}/closure",
            {
                "version": case["version"],
                "reason": "relocated_or_lost_contact",
                "flags": ["contact_attempts_recorded"],
                "justification": "انتقلت الأسرة إلى محافظة أخرى",
            },
        )
    )
    assert case["status"] == "closure_requested"
    case = ok(
        bob.post(
            f"/cases/{cid}/closure/reject",
            {"version": case["version"], "note": "حاول الاتصال بالأسرة مرة أخرى"},
        )
    )
    assert case["status"] == "implementation"
    assert case["closure_request"]["decision"] == "rejected"
