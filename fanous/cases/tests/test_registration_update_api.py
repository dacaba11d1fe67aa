"""Correcting the registration details after registration (SPEC §3): PATCH /cases/{id}/registration.

The history keeps old and new values; a stale version, an outsider, an unregistered case or
out-of-range hours are refused and change nothing.
"""

from __future__ import annotations

from typing import Any

import pytest

from fanous.audit.models import Event
from fanous.cases.models import Case, Registration
from fanous.conftest import World, child_payload, ok, registered_case

pytestmark = pytest.mark.django_db


def state(case_id: str) -> tuple[int, int, dict[str, Any] | None]:
    """Case version, events and registration fields: what a refusal must leave untouched."""
    case = Case.objects.get(pk=case_id)
    reg = Registration.objects.filter(case=case).first()
    fields = (
        {
            "version": reg.version,
            "workplace_name": reg.workplace_name,
            "hours_per_day": reg.hours_per_day,
            "tasks": reg.tasks,
        }
        if reg
        else None
    )
    return case.version, Event.objects.filter(case=case).count(), fields


@pytest.fixture
def case(world: World) -> dict[str, Any]:
    return registered_case(
        world.api("alice"),
        registration={"workplace_name": "ورشة الحدادة", "hours_per_day": 8, "days_per_week": 6},
    )


def test_caseworker_corrects_registration_and_history_keeps_old_and_new(
    world: World, case: dict[str, Any]
) -> None:
    api = world.api("alice")
    body = {"version": case["version"], "workplace_name": "مخبز النور", "hours_per_day": 10}
    out = ok(api.patch(f"/cases/{case['id']}/registration", body))
    assert out["version"] == case["version"] + 1
    assert out["registration"]["workplace_name"] == "مخبز النور"
    assert out["registration"]["hours_per_day"] == 10
    assert out["registration"]["days_per_week"] == 6, "a field not sent is left as it is"
    reg = Registration.objects.get(case_id=case["id"])
    assert reg.version == 2
    event = Event.objects.filter(case_id=case["id"]).order_by("-at", "-id").first()
    assert event is not None
    assert event.actor == world.users["alice"]
    # Encrypted at rest: the audit records that it changed, never the values (SECURITY.md).
    assert event.changes["registration.workplace_name"] == ["•changed•", "•changed•"]
    assert event.changes["registration.hours_per_day"] == [8, 10]
    assert "registration.days_per_week" not in event.changes
    history = ok(api.get(f"/cases/{case['id']}/history"))
    assert any("registration.workplace_name" in str(e) for e in history), history


def test_supervisor_of_the_team_may_correct_registration(
    world: World, case: dict[str, Any]
) -> None:
    out = ok(
        world.api("bob").patch(
            f"/cases/{case['id']}/registration",
            {"version": case["version"], "concern_hazardous_work": True},
        )
    )
    assert out["registration"]["concern_hazardous_work"] is True


def test_stale_version_gets_409_and_changes_nothing(world: World, case: dict[str, Any]) -> None:
    before = state(case["id"])
    res = world.api("alice").patch(
        f"/cases/{case['id']}/registration",
        {"version": case["version"] - 1, "workplace_name": "x"},
    )
    assert res.status_code == 409, res.content
    assert state(case["id"]) == before


@pytest.mark.parametrize(
    ("who", "status"),
    [("dave", 404), ("dora", 404), ("carol", 404), ("erin", 404), ("cora", 403), ("sam", 403)],
)
def test_outsider_is_refused_and_changes_nothing(
    world: World, case: dict[str, Any], who: str, status: int
) -> None:
    """Staff of another agency or team get 404; roles that never edit cases get 403."""
    before = state(case["id"])
    res = world.api(who).patch(
        f"/cases/{case['id']}/registration",
        {"version": case["version"], "workplace_name": "x"},
    )
    assert res.status_code == status, (who, res.status_code)
    assert "ورشة" not in res.content.decode()
    assert state(case["id"]) == before


def test_unregistered_case_is_refused_with_a_clear_message(world: World) -> None:
    api = world.api("alice")
    case = ok(api.post("/cases", child_payload()), 201)
    before = state(case["id"])
    res = api.patch(
        f"/cases/{case['id']}/registration", {"version": case["version"], "workplace_name": "x"}
    )
    assert res.status_code == 409, res.content
    body = res.json()
    assert body["code"] == "not_registered"
    assert "not registered" in body["message"]
    assert state(case["id"]) == before


@pytest.mark.parametrize(
    ("field", "value"), [("hours_per_day", 25), ("days_per_week", 8), ("hours_per_day", -1)]
)
def test_hours_and_days_out_of_range_are_refused(
    world: World, case: dict[str, Any], field: str, value: int
) -> None:
    before = state(case["id"])
    res = world.api("alice").patch(
        f"/cases/{case['id']}/registration", {"version": case["version"], field: value}
    )
    assert res.status_code == 422, res.content
    assert state(case["id"]) == before


def test_null_text_clears_the_field_and_null_hours_means_not_known(
    world: World, case: dict[str, Any]
) -> None:
    out = ok(
        world.api("alice").patch(
            f"/cases/{case['id']}/registration",
            {"version": case["version"], "workplace_name": None, "hours_per_day": None},
        )
    )
    assert out["registration"]["workplace_name"] == ""
    assert out["registration"]["hours_per_day"] is None
