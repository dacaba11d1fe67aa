"""Concurrent edits never silently overwrite each other (real PostgreSQL row locks)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections

from fanous.accounts.access import Actor
from fanous.cases import services
from fanous.cases.models import Case
from fanous.conftest import World, child_payload
from fanous.core.errors import ConflictError

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL row locks (CI runs them)"
    ),
]


def test_two_simultaneous_updates_from_the_same_version_one_wins_one_gets_409(
    world: World,
) -> None:
    case = world.api("alice").post("/cases", child_payload()).json()
    actor = Actor.of(world.users["alice"])
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def edit(name: str) -> None:
        try:
            barrier.wait()
            services.case_update_child(
                actor=actor,
                case_id=case["id"],
                expected_version=case["version"],
                changes={"given_name": name},
            )
            outcomes.append("ok")
        except ConflictError:
            outcomes.append("conflict")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=edit, args=(n,)) for n in ("محمد", "علي")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict", "ok"]
    stored: Any = Case.objects.get(pk=case["id"])
    assert stored.version == case["version"] + 1
    assert stored.child.given_name in ("محمد", "علي")
