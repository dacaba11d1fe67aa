"""Cases at the follow-up and decision steps, built quickly through the API (as the phone app
would build them), for the follow-up and supervision page tests."""

from __future__ import annotations

from contextlib import nullcontext
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import time_machine

from fanous.conftest import ApiClient, World, assessed_case, ok
from fanous.conftest import local_today as today

LOW = {"hours_per_week": 20}
HIGH = {"hazardous_by_nature": True, "hours_per_week": 48}


def plan_body(day: date) -> dict[str, Any]:
    return {
        "goals": [
            {
                "horizon": "immediate",
                "description": "إبعاد الطفل عن الأعمال الخطرة",
                "actions": [
                    {
                        "description": "وساطة مع صاحب العمل",
                        "responsible": "alice",
                        "due_on": (day + timedelta(days=5)).isoformat(),
                    }
                ],
            }
        ],
        "root_causes": "economic",
        "safety_contacts": "0790000000",
        "safe_places": "community centre",
        "warning_signs": "night shifts",
        "protective_equipment": "gloves",
    }


def at_comprehensive(
    api: ApiClient, *, facts: dict[str, Any], birth: date, name: str = "أحمد"
) -> dict[str, Any]:
    return assessed_case(
        api,
        facts,
        kinds=("initial", "comprehensive"),
        child={"birth_date": birth.isoformat(), "given_name": name},
    )


def plan_pending(
    world: World,
    *,
    worker: str = "alice",
    supervisor: str = "bob",
    facts: dict[str, Any] = LOW,
    birth: date = date(2010, 1, 10),
    name: str = "أحمد",
) -> dict[str, Any]:
    """A case whose plan waits for the supervisor's approval."""
    api, sup = world.api(worker), world.api(supervisor)
    case = at_comprehensive(api, facts=facts, birth=birth, name=name)
    cid = case["id"]
    if case["risk"]["level"] == "high":
        ok(
            sup.post(
                f"/cases/{cid}/reviews",
                {"kind": "supervision", "held_on": today().isoformat(), "summary": "ناقشنا"},
            ),
            201,
        )
        case = ok(api.get(f"/cases/{cid}"))
    case = ok(api.put(f"/cases/{cid}/plan", {**plan_body(today()), "version": case["version"]}))
    return ok(api.post(f"/cases/{cid}/plan/submit", {"version": case["version"]}))


def plan_approved(world: World, *, days_ago: int = 0, **kwargs: Any) -> dict[str, Any]:
    """A case whose plan the supervisor approved ``days_ago`` days ago (follow-up starts)."""
    travel = (
        time_machine.travel(datetime.now(ZoneInfo("UTC")) - timedelta(days=days_ago), tick=True)
        if days_ago
        else nullcontext()
    )
    with travel:
        case = plan_pending(world, **kwargs)
        sup = world.api(kwargs.get("supervisor", "bob"))
        return ok(sup.post(f"/cases/{case['id']}/plan/approve", {"version": case["version"]}))


def closure_requested(world: World, **kwargs: Any) -> dict[str, Any]:
    """A 16-year-old's case in follow-up whose caseworker asked to close it."""
    case = plan_approved(world, **kwargs)
    api = world.api(kwargs.get("worker", "alice"))
    cid = case["id"]
    case = ok(
        api.post(
            f"/cases/{cid}/follow-ups", {"kind": "home_visit", "happened_on": today().isoformat()}
        ),
        201,
    )
    return ok(
        api.post(
            f"/cases/{cid}/closure",
            {
                "version": case["version"],
                "reason": "adolescent_sufficient_improvement",
                "justification": "تحسّن كافٍ",
            },
        )
    )
