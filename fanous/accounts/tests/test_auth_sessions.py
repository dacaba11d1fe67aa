"""Sessions (issue 4): expiry after inactivity and after a maximum age, log out
everywhere; security headers and the password policy."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client

from fanous.accounts.models import ApiToken
from fanous.audit.models import Event
from fanous.conftest import World

from .auth_support import log_in

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 1, 9, 0, 0, tzinfo=UTC)


@pytest.fixture
def timeouts(settings: Any) -> None:
    settings.FANOUS_SESSION_IDLE_MINUTES = 30
    settings.FANOUS_SESSION_MAX_HOURS = 12


def test_a_session_ends_after_thirty_idle_minutes(world: World, timeouts: None) -> None:
    with time_machine.travel(START, tick=False) as clock:
        c = Client()
        log_in(c, "alice")
        for _ in range(3):  # active: each request moves the deadline on
            clock.shift(25 * 60)
            assert c.get("/").status_code == 200
        clock.shift(31 * 60)
        res = c.get("/")
        assert res.status_code == 302
        assert res["Location"].startswith("/accounts/login/?next=")
        assert c.get("/").status_code == 302
        assert c.get("/api/v1/me").status_code == 401


def test_an_htmx_request_after_expiry_sends_the_page_to_the_log_in(
    world: World, timeouts: None
) -> None:
    with time_machine.travel(START, tick=False) as clock:
        c = Client()
        log_in(c, "alice")
        clock.shift(31 * 60)
        res = c.get("/", HTTP_HX_REQUEST="true")
        assert res["HX-Redirect"].startswith("/accounts/login/")


def test_a_session_ends_after_its_maximum_age_even_when_active(
    world: World, timeouts: None
) -> None:
    with time_machine.travel(START, tick=False) as clock:
        c = Client()
        log_in(c, "alice")
        for _ in range(24):  # 11 h 36 min of activity
            clock.shift(29 * 60)
            assert c.get("/").status_code == 200
        clock.shift(29 * 60)  # 12 h 5 min after the log-in
        assert c.get("/").status_code == 302


def test_log_out_everywhere_ends_other_sessions_and_tokens(world: World) -> None:
    here, there = Client(), Client()
    log_in(here, "alice")
    log_in(there, "alice")
    bob = Client()
    log_in(bob, "bob")
    _, raw = ApiToken.issue(world.users["alice"])
    assert there.get("/").status_code == 200

    res = here.post("/accounts/logout-everywhere/")
    assert res.status_code == 302
    assert res["Location"] == "/accounts/login/"
    assert here.get("/").status_code == 302
    assert there.get("/").status_code == 302
    assert ApiToken.lookup(raw) is None
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    assert bob.get("/").status_code == 200  # someone else's session is untouched
    event = Event.objects.get(summary="logged out everywhere")
    assert event.changes == {"sessions": 2, "tokens": 1}


def test_log_out_everywhere_is_a_post(world: World) -> None:
    c = Client()
    log_in(c, "alice")
    assert c.get("/accounts/logout-everywhere/").status_code == 405
    assert c.get("/").status_code == 200


@pytest.mark.parametrize("path", ["/accounts/login/", "/", "/preferences/"])
def test_pages_carry_the_security_headers(world: World, path: str) -> None:
    c = Client()
    if path != "/accounts/login/":
        c.force_login(world.users["alice"])
    res = c.get(path)
    assert res.status_code == 200
    csp = res["Content-Security-Policy"]
    script_src = next(d for d in csp.split(";") if d.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src
    assert "'unsafe-eval'" not in script_src
    assert "'nonce-" in script_src
    assert "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp
    assert res["X-Content-Type-Options"] == "nosniff"
    assert res["Referrer-Policy"] == "same-origin"
    assert "camera=()" in res["Permissions-Policy"]
    assert res["X-Frame-Options"] == "DENY"


def test_the_nonce_changes_per_request_and_is_the_one_in_the_page(world: World) -> None:
    c = Client()
    c.force_login(world.users["alice"])
    one, two = c.get("/services/"), c.get("/services/")
    nonce = one["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    assert nonce != two["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    assert f'<script nonce="{nonce}">' in one.content.decode()


def test_the_api_carries_the_headers_too(world: World) -> None:
    res = world.api("alice").get("/me")
    assert "frame-ancestors 'none'" in res["Content-Security-Policy"]


def test_password_policy() -> None:
    from config.settings import base

    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    validators: list[dict[str, str]] = base.AUTH_PASSWORD_VALIDATORS  # type: ignore[assignment]
    names = [v["NAME"].rsplit(".", 1)[1] for v in validators]
    assert {
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "UserAttributeSimilarityValidator",
        "NumericPasswordValidator",
    } <= set(names)
    for weak in ("short1", "1234567890123", "password123"):
        with pytest.raises(ValidationError):
            validate_password(weak)
    validate_password("lantern-over-the-river-2026")


def test_production_and_base_settings_require_two_factor() -> None:
    from config.settings import base

    assert base.FANOUS_REQUIRE_2FA is True
    assert base.FANOUS_SESSION_IDLE_MINUTES == 30
    assert set(base.FANOUS_2FA_REQUIRED_ROLES) == {"supervisor", "agency_admin", "coordinator"}
