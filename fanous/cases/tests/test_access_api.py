"""Need to know (SPEC §1, §12): nobody lists, reads, searches or changes a case they may not see.

Every case endpoint is checked with the STYLE.md personas. Outsiders get 404 (never a hint
that the case exists) on reads and writes alike, and a refused write changes nothing.
"""

from __future__ import annotations

from typing import Any

import pytest

from fanous.audit.models import Event
from fanous.cases.models import Case
from fanous.conftest import World, child_payload

pytestmark = pytest.mark.django_db

OUTSIDERS = ["dave", "dora", "carol", "erin", "cora", "sam", "adam"]


@pytest.fixture
def case(world: World) -> dict[str, Any]:
    res = world.api("alice").post("/cases", child_payload())
    assert res.status_code == 201, res.content
    body: dict[str, Any] = res.json()
    return body


READS = [
    "/cases/{id}",
    "/cases/{id}/assessments",
    "/cases/{id}/risk-changes",
    "/cases/{id}/reviews",
    "/cases/{id}/follow-ups",
    "/cases/{id}/history",
]

WRITES: list[tuple[str, str, dict[str, Any]]] = [
    ("patch", "/cases/{id}/child", {"version": 1, "child": {"given_name": "X"}}),
    ("post", "/cases/{id}/consents", {"purpose": "services", "giver": "caregiver", "given": True}),
    ("post", "/cases/{id}/register", {"version": 1}),
    ("post", "/cases/{id}/not-eligible", {"version": 1, "reason": "x"}),
    ("post", "/cases/{id}/refer-out", {"version": 1, "referred_to": "x"}),
    ("post", "/cases/{id}/assign", {"version": 1, "caseworker_id": 1}),
    ("post", "/cases/{id}/household-members", {"name": "x", "relation": "sibling", "sex": "f"}),
    (
        "post",
        "/cases/{id}/assessments",
        {"kind": "initial", "assessed_on": "2026-01-01", "facts": {}},
    ),
    ("post", "/cases/{id}/risk-override", {"version": 1, "level": "high", "reason": "x" * 20}),
    ("post", "/cases/{id}/reviews", {"kind": "review", "held_on": "2026-01-01", "summary": "x"}),
    ("put", "/cases/{id}/plan", {"version": 1, "goals": []}),
    ("post", "/cases/{id}/plan/submit", {"version": 1}),
    ("post", "/cases/{id}/plan/approve", {"version": 1}),
    ("post", "/cases/{id}/plan/reject", {"version": 1, "note": "x"}),
    ("post", "/cases/{id}/follow-ups", {"kind": "phone", "happened_on": "2026-01-01"}),
    ("post", "/cases/{id}/closure", {"version": 1, "reason": "death", "justification": "x"}),
    ("post", "/cases/{id}/closure/approve", {"version": 1}),
    ("post", "/cases/{id}/closure/reject", {"version": 1, "note": "x"}),
    ("post", "/cases/{id}/reopen", {"version": 1, "reason": "x"}),
]


@pytest.mark.parametrize("who", OUTSIDERS)
@pytest.mark.parametrize("path", READS)
def test_outsider_cannot_read_case(world: World, case: dict[str, Any], who: str, path: str) -> None:
    res = world.api(who).get(path.format(id=case["id"]))
    assert res.status_code == 404, (who, path, res.status_code)
    assert case["child"]["given_name"] not in res.content.decode()


@pytest.mark.parametrize("who", OUTSIDERS)
@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_outsider_cannot_change_case(
    world: World, case: dict[str, Any], who: str, method: str, path: str, body: dict[str, Any]
) -> None:
    events_before = Event.objects.count()
    api = world.api(who)
    res = getattr(api, method)(path.format(id=case["id"]), body)
    assert res.status_code in (403, 404), (who, path, res.status_code, res.content)
    assert Case.objects.get(pk=case["id"]).version == case["version"]
    assert Event.objects.count() == events_before


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsider_does_not_list_or_find_case(world: World, case: dict[str, Any], who: str) -> None:
    api = world.api(who)
    for query in ("", "?q=أحمد", f"?q={case['case_number']}", "?include_closed=true"):
        res = api.get(f"/cases{query}")
        assert res.status_code in (200, 403), res.content
        if res.status_code == 200:
            assert all(item["id"] != case["id"] for item in res.json()["items"])


@pytest.mark.parametrize("who", ["alice", "bob"])
def test_assigned_caseworker_and_her_supervisor_see_the_case(
    world: World, case: dict[str, Any], who: str
) -> None:
    api = world.api(who)
    assert api.get(f"/cases/{case['id']}").status_code == 200
    ids = [c["id"] for c in api.get("/cases").json()["items"]]
    assert case["id"] in ids
    found = api.get("/cases?q=احمد").json()["items"]
    assert case["id"] in [c["id"] for c in found]


def test_moving_a_caseworker_to_another_team_moves_visibility_without_rewriting_cases(
    world: World, case: dict[str, Any]
) -> None:
    from fanous.accounts.models import TeamMembership

    bob, erin = world.api("bob"), world.api("erin")
    assert bob.get(f"/cases/{case['id']}").status_code == 200
    assert erin.get(f"/cases/{case['id']}").status_code == 404
    membership = TeamMembership.objects.get(user=world.users["alice"])
    membership.team = world.users["erin"].supervised_teams.get()
    membership.save()
    assert bob.get(f"/cases/{case['id']}").status_code == 404
    assert erin.get(f"/cases/{case['id']}").status_code == 200
    assert Case.objects.get(pk=case["id"]).version == case["version"]


def test_unauthenticated_requests_are_refused(world: World, case: dict[str, Any]) -> None:
    from django.test import Client

    res = Client().get(f"/api/v1/cases/{case['id']}")
    assert res.status_code == 401
    res = Client().get("/api/v1/cases", HTTP_AUTHORIZATION="Bearer not-a-token")
    assert res.status_code == 401
