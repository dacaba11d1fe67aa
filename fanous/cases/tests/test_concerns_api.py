"""Several protection concerns on one case (SPEC §2): each has its matrix, the highest wins."""

from __future__ import annotations

import pytest

from fanous.conftest import World, local_today, registered_case

pytestmark = pytest.mark.django_db


def test_a_case_with_two_concerns_takes_the_highest_level(world: World) -> None:
    alice = world.api("alice")
    case = registered_case(alice, child={"sex": "f"}, concerns=["child_labour", "child_marriage"])
    today = local_today().isoformat()
    res = alice.post(
        f"/cases/{case['id']}/assessments",
        {
            "kind": "initial",
            "assessed_on": today,
            "facts": {"hours_per_week": 20, "marriage.married": True},
        },
    )
    assert res.status_code == 201, res.content
    factors = {f["concern"]: f["level"] for f in res.json()["risk_factors"]}
    assert factors["child_marriage"] == "high"
    assert factors["child_labour"] in ("low", "medium")
    assert res.json()["risk_level"] == "high"
    # A fact of a concern the case does not carry is refused.
    res = alice.post(
        f"/cases/{case['id']}/assessments",
        {"kind": "initial", "assessed_on": today, "facts": {"uasc.separated": True}},
    )
    assert res.status_code == 422
