"""Cases with deadlines in the past, today and this week, built through the API (no tests here).

A case is walked to an approved plan ``days_ago`` days ago with time_machine, so its
follow-up schedule (SPEC §8) puts the next visit where the test needs it:
high risk (twice a week) is due 3 days after approval, medium (weekly) 7, low (every two
weeks) 14.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import time_machine

from fanous.conftest import ApiClient, World, child_payload

FACTS = {
    "high": {"hazardous_by_nature": True, "hours_per_week": 48},
    "medium": {"hours_per_week": 20, "night_work": True},
    "low": {"hours_per_week": 10},
}


def today() -> date:
    return datetime.now(ZoneInfo("Asia/Amman")).date()


def ok(res: Any, status: int = 200) -> dict[str, Any]:
    assert res.status_code == status, res.content.decode()
    return res.json()  # type: ignore[no-any-return]


def _travel(days_ago: int) -> AbstractContextManager[Any]:
    if not days_ago:
        return nullcontext()
    return time_machine.travel(datetime.now(UTC) - timedelta(days=days_ago), tick=False)


def _identify(api: ApiClient, name: str, address: str) -> str:
    body = child_payload()
    body["child"]["given_name"] = name
    # 16 or 17 years old: under 15, any work is already medium risk.
    body["child"]["birth_date"] = date(today().year - 17, 12, 31).isoformat()
    body["household_address"] = address
    case = ok(api.post("/cases", body), 201)
    for giver in ("caregiver", "child"):
        ok(
            api.post(
                f"/cases/{case['id']}/consents",
                {"purpose": "services", "giver": giver, "given": True},
            ),
            201,
        )
    version = ok(api.get(f"/cases/{case['id']}"))["version"]
    ok(
        api.post(
            f"/cases/{case['id']}/register",
            {
                "version": version,
                "workplace_name": "ورشة ميكانيك",
                "workplace_location": "ماركا الشمالية",
                "hours_per_day": 8,
                "days_per_week": 6,
            },
        )
    )
    return str(case["id"])


def case_at(
    world: World,
    *,
    risk: str,
    name: str,
    days_ago: int = 0,
    step: str = "plan_approved",
    worker: str = "alice",
    supervisor: str = "bob",
    action_in_days: int = 60,
    address: str = "جبل النزهة، شارع 12",
) -> dict[str, Any]:
    """A case of ``worker`` at ``step`` (initial_assessment, comprehensive_assessment,
    plan_pending_approval, plan_approved), reached ``days_ago`` days ago."""
    with _travel(days_ago):
        day = today()
        api, sup = world.api(worker), world.api(supervisor)
        cid = _identify(api, name, address)
        kinds = ["initial"] if step == "initial_assessment" else ["initial", "comprehensive"]
        for kind in kinds:
            ok(
                api.post(
                    f"/cases/{cid}/assessments",
                    {"kind": kind, "assessed_on": day.isoformat(), "facts": FACTS[risk]},
                ),
                201,
            )
        case = ok(api.get(f"/cases/{cid}"))
        assert case["risk"]["level"] == risk
        if step in ("initial_assessment", "comprehensive_assessment"):
            return case
        if risk == "high":
            ok(
                sup.post(
                    f"/cases/{cid}/reviews",
                    {"kind": "supervision", "held_on": day.isoformat(), "summary": "ناقشنا"},
                ),
                201,
            )
            case = ok(api.get(f"/cases/{cid}"))
        plan = {
            "goals": [
                {
                    "horizon": "immediate",
                    "description": "إبعاد الطفل عن الأعمال الخطرة",
                    "actions": [
                        {
                            "description": "وساطة مع صاحب العمل",
                            "responsible": worker,
                            "due_on": (day + timedelta(days=action_in_days)).isoformat(),
                        }
                    ],
                }
            ],
            "root_causes": "economic",
            "safety_contacts": "0790000000",
            "safe_places": "community centre",
            "warning_signs": "night shifts",
            "protective_equipment": "gloves",
            "version": case["version"],
        }
        case = ok(api.put(f"/cases/{cid}/plan", plan))
        case = ok(api.post(f"/cases/{cid}/plan/submit", {"version": case["version"]}))
        if step == "plan_pending_approval":
            return case
        return ok(sup.post(f"/cases/{cid}/plan/approve", {"version": case["version"]}))
