"""Caseload badges say what is late and who turns 18 soon (issue: caseworker web app)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client

from fanous.conftest import World, assessed_case

pytestmark = pytest.mark.django_db


def _registered_and_assessed(world: World, birth: date, facts: dict[str, Any]) -> str:
    case = assessed_case(
        world.api("alice"),
        facts,
        kinds=("initial", "comprehensive"),
        child={"birth_date": birth.isoformat()},
    )
    return str(case["id"])


def test_overdue_plan_and_turning_18_badges(world: World) -> None:
    today = datetime.now(UTC).date()
    with time_machine.travel(datetime.now(UTC) - timedelta(days=20), tick=False):
        late = _registered_and_assessed(world, date(2012, 1, 1), {"hours_per_week": 20})
    near_18 = today - timedelta(days=17 * 365 + 250)
    _registered_and_assessed(world, near_18, {"hours_per_week": 20})
    client = Client()
    client.force_login(world.users["alice"])
    html = client.get("/").content.decode()
    assert html.count('data-badge="overdue-plan"') == 1
    assert html.count('data-badge="turning-18"') == 1
    assert late in html
