"""Lock-out after repeated failures (issue 4): five failures for a username within 15
minutes lock it for 15 minutes, on the web log-in and the API token alike; an address
that fails too often is throttled; nothing tells whether the username exists."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.test import Client

from fanous.accounts.models import LoginLock
from fanous.audit.models import Event
from fanous.conftest import World

from .auth_support import PASSWORD, current_code, enrol, log_in

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 1, 9, 0, 0, tzinfo=UTC)
LOCKED = "Too many failed attempts"


def _token(username: str, password: str, **extra: str) -> Any:
    return Client().post(
        "/api/v1/auth/token",
        {"username": username, "password": password, **extra},
        content_type="application/json",
    )


def test_five_failures_lock_the_web_log_in_for_fifteen_minutes(world: World) -> None:
    with time_machine.travel(START, tick=False) as clock:
        c = Client()
        for _ in range(4):
            html = log_in(c, "alice", "wrong-password").content.decode()
            assert "The username or password is wrong" in html
        assert LOCKED in log_in(c, "alice", "wrong-password").content.decode()
        # The right password does not help while locked, in the browser or the API.
        res = log_in(Client(), "alice")
        assert res.status_code == 200
        assert LOCKED in res.content.decode()
        res = _token("alice", PASSWORD)
        assert res.status_code == 429
        assert res.json()["code"] == "locked"
        clock.shift(14 * 60)
        assert log_in(Client(), "alice").status_code == 200
        clock.shift(61)
        res = log_in(Client(), "alice")
        assert res.status_code == 302
    summaries = list(
        Event.objects.filter(action=Event.Action.LOGIN).values_list("summary", flat=True)
    )
    assert summaries.count("login failed (password)") == 5
    assert "account locked after repeated failed log-ins" in summaries


def test_the_count_starts_again_after_a_successful_log_in(world: World) -> None:
    for _ in range(4):
        log_in(Client(), "alice", "wrong-password")
    assert log_in(Client(), "alice").status_code == 302
    for _ in range(4):
        log_in(Client(), "alice", "wrong-password")
    assert log_in(Client(), "alice").status_code == 302


def test_an_unknown_username_is_locked_the_same_way(world: World) -> None:
    """Same messages, same lock: the lock-out does not tell which accounts exist."""
    known = [log_in(Client(), "alice", "nope").content.decode() for _ in range(5)]
    unknown = [log_in(Client(), "nobody", "nope").content.decode() for _ in range(5)]
    for a, b in zip(known, unknown, strict=True):
        assert ("wrong" in a) == ("wrong" in b)
        assert (LOCKED in a) == (LOCKED in b)
    assert LoginLock.objects.filter(username="nobody").exists()
    # Case and spaces do not give five more tries.
    assert LOCKED in log_in(Client(), " ALICE ", PASSWORD).content.decode()


def test_the_api_token_counts_and_locks_too(world: World) -> None:
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(4):
            res = _token("alice", "wrong")
            assert res.status_code == 401
            assert res.json()["code"] == "bad_credentials"
        assert _token("alice", "wrong").status_code == 429
        assert _token("alice", PASSWORD).status_code == 429
        assert LOCKED in log_in(Client(), "alice").content.decode()
        clock.shift(15 * 60 + 1)
        assert _token("alice", PASSWORD).status_code == 200


def test_wrong_codes_count_towards_the_lock(world: World) -> None:
    with time_machine.travel(START, tick=False) as clock:
        secret = enrol(world.users["alice"])
        clock.shift(30)
        c = Client()
        log_in(c, "alice")
        for _ in range(4):
            assert c.post("/accounts/2fa/verify/", {"code": "000000"}).status_code == 200
        res = c.post("/accounts/2fa/verify/", {"code": "000000"})
        # Locked: logged out, back to the log-in page.
        assert res.status_code == 302
        assert res["Location"] == "/accounts/login/"
        assert c.get("/").status_code == 302
        assert LOCKED in log_in(Client(), "alice").content.decode()
        res = _token("alice", PASSWORD, otp=current_code(secret))
        assert res.status_code == 429


def test_one_address_failing_too_often_is_throttled(world: World, settings: Any) -> None:
    settings.FANOUS_IP_THROTTLE_ATTEMPTS = 6
    for name in ("u1", "u2", "u3", "u4", "u5", "u6"):
        log_in(Client(), name, "guess")
    assert LOCKED in log_in(Client(), "alice").content.decode()
    assert _token("alice", PASSWORD).status_code == 429
    other = Client(REMOTE_ADDR="10.9.8.7")
    assert log_in(other, "alice").status_code == 302
