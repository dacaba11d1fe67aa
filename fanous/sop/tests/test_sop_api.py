"""The SOP as versioned configuration (SPEC §2), through the API."""

from __future__ import annotations

import copy
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from fanous.cases.models import Assessment
from fanous.conftest import World, child_payload
from fanous.sop.models import SopVersion
from fanous.sop.selectors import default_sop_data

pytestmark = pytest.mark.django_db


def new_version(number: str, **changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(default_sop_data())
    data["area_code"] = "JO-AM"
    data["version"] = number
    data.update(changes)
    return data


def test_only_the_coordinator_writes_sop_versions(world: World) -> None:
    for who in ("alice", "bob", "adam", "sam"):
        res = world.api(who).post("/sop/versions", {"area": "JO-AM", "data": new_version("2.0")})
        assert res.status_code == 403, who
    assert SopVersion.objects.count() == 1
    res = world.api("cora").post("/sop/versions", {"area": "JO-AM", "data": new_version("2.0")})
    assert res.status_code == 201, res.content
    assert res.json()["status"] == "draft"


def test_an_invalid_sop_is_refused_with_readable_reasons(world: World) -> None:
    data = new_version("2.0")
    data["timeframes"]["high"]["plan_due_days"] = 30  # longer than medium's week
    res = world.api("cora").post("/sop/versions", {"area": "JO-AM", "data": data})
    assert res.status_code == 422
    body = res.json()
    assert body["reasons"], body
    assert SopVersion.objects.count() == 1


def test_a_version_in_force_is_never_edited_and_a_new_one_supersedes_it(world: World) -> None:
    cora = world.api("cora")
    in_force = SopVersion.objects.get()
    res = cora.put(
        f"/sop/versions/{in_force.pk}",
        {"row_version": in_force.row_version, "data": new_version("1.0")},
    )
    assert res.status_code == 409
    draft = cora.post("/sop/versions", {"area": "JO-AM", "data": new_version("1.1")}).json()
    edited = new_version("1.1")
    edited["timeframes"]["low"]["plan_due_days"] = 10
    res = cora.put(
        f"/sop/versions/{draft['id']}", {"row_version": draft["row_version"], "data": edited}
    )
    assert res.status_code == 200, res.content
    stale = cora.put(
        f"/sop/versions/{draft['id']}", {"row_version": draft["row_version"], "data": edited}
    )
    assert stale.status_code == 409
    published = cora.post(f"/sop/versions/{draft['id']}/publish").json()
    assert published["status"] == "in_force"
    in_force.refresh_from_db()
    assert in_force.status == "superseded"
    assert in_force.data["version"] == "1.0"  # kept as it was, for decisions made under it


def test_every_decision_records_the_sop_version_it_was_made_under(world: World) -> None:
    alice, cora = world.api("alice"), world.api("cora")
    case = alice.post("/cases", child_payload()).json()
    for giver in ("caregiver", "child"):
        alice.post(
            f"/cases/{case['id']}/consents", {"purpose": "services", "giver": giver, "given": True}
        )
    version = alice.get(f"/cases/{case['id']}").json()["version"]
    alice.post(f"/cases/{case['id']}/register", {"version": version})
    today = datetime.now(ZoneInfo("Asia/Amman")).date().isoformat()
    first = alice.post(
        f"/cases/{case['id']}/assessments",
        {"kind": "initial", "assessed_on": today, "facts": {"hours_per_week": 20}},
    )
    assert first.json()["sop_version"] == "1.0"
    draft = cora.post("/sop/versions", {"area": "JO-AM", "data": new_version("1.1")}).json()
    cora.post(f"/sop/versions/{draft['id']}/publish")
    second = alice.post(
        f"/cases/{case['id']}/assessments",
        {"kind": "comprehensive", "assessed_on": today, "facts": {"hours_per_week": 20}},
    )
    assert second.json()["sop_version"] == "1.1"
    assert [a.sop_version.version for a in Assessment.objects.order_by("created_at")] == [
        "1.0",
        "1.1",
    ]
    history = alice.get(f"/cases/{case['id']}/history").json()
    assert {e["sop_version"] for e in history} == {"1.0", "1.1"}


def test_six_monthly_review_date_is_computed_and_flagged_when_passed(world: World) -> None:
    """SPEC §2: a review is due every six months; the system reminds the coordinator."""
    cora = world.api("cora")
    old = (date.today() - timedelta(days=400)).isoformat()  # noqa: DTZ011
    draft = cora.post(
        "/sop/versions", {"area": "JO-AM", "data": new_version("0.9", endorsed_on=old)}
    ).json()
    assert draft["review_overdue"] is False  # a draft is not in force: nothing to remind
    published = cora.post(f"/sop/versions/{draft['id']}/publish").json()
    assert published["review_overdue"] is True
    current = world.api("alice").get("/sop/active").json()
    assert current["version"] == "0.9"
    assert current["review_due_on"] < date.today().isoformat()  # noqa: DTZ011


def test_caseworkers_read_the_sop_in_force_but_not_drafts(world: World) -> None:
    cora, alice = world.api("cora"), world.api("alice")
    draft = cora.post("/sop/versions", {"area": "JO-AM", "data": new_version("3.0")}).json()
    assert alice.get(f"/sop/versions/{draft['id']}").status_code == 404
    versions = [v["version"] for v in alice.get("/sop/versions").json()]
    assert versions == ["1.0"]
    labels = alice.get("/sop/active").json()["data"]["concerns"][0]["label"]
    assert all(labels[lang] for lang in ("ar", "en", "fr"))
