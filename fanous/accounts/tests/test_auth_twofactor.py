"""Two-factor authentication (issue 4): required for supervisors, agency focal points and
coordinators, optional for the others; codes good once; recovery codes; the API token."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from fanous.accounts import twofactor
from fanous.accounts.models import ApiToken, RecoveryCode, TwoFactorDevice
from fanous.audit.models import Event
from fanous.conftest import World

from .auth_support import PASSWORD, current_code, enrol, log_in

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 1, 9, 0, 0, tzinfo=UTC)


@pytest.fixture
def required(settings: Any) -> None:
    settings.FANOUS_REQUIRE_2FA = True


def test_supervisor_reaches_the_caseload_only_after_a_valid_code(
    world: World, required: None
) -> None:
    with time_machine.travel(START, tick=False) as clock:
        secret = enrol(world.users["bob"])
        clock.shift(30)
        c = Client()
        res = log_in(c, "bob")
        assert res.status_code == 302
        assert res["Location"].startswith("/accounts/2fa/verify/")
        # Password alone opens nothing: every page sends to the verification.
        for path in ("/", "/preferences/", "/admin/"):
            res = c.get(path)
            assert res.status_code == 302, path
            assert res["Location"].startswith("/accounts/2fa/verify/?next=")
        # The session is not accepted by the API either.
        assert c.get("/api/v1/cases").status_code == 401
        # A fragment gets no redirect (it would reload the page it sits on).
        assert c.get(reverse("web:notifications_badge"), HTTP_HX_REQUEST="true").status_code == 403

        res = c.post("/accounts/2fa/verify/", {"code": "000000", "next": "/"})
        assert res.status_code == 200
        assert 'role="alert"' in res.content.decode()
        assert c.get("/").status_code == 302

        code = current_code(secret)
        res = c.post("/accounts/2fa/verify/", {"code": code, "next": "/"})
        assert res.status_code == 302
        assert res["Location"] == "/"
        assert c.get("/").status_code == 200
        assert c.get("/api/v1/me").status_code == 200

        # The same code, in the same time step, is refused on another log-in.
        other = Client()
        log_in(other, "bob")
        res = other.post("/accounts/2fa/verify/", {"code": code, "next": "/"})
        assert res.status_code == 200
        assert other.get("/").status_code == 302
        # The next time step's code is good.
        clock.shift(30)
        res = other.post("/accounts/2fa/verify/", {"code": current_code(secret), "next": "/"})
        assert res.status_code == 302
    summaries = set(
        Event.objects.filter(action=Event.Action.LOGIN).values_list("summary", flat=True)
    )
    assert {"password accepted", "logged in (2fa)", "login failed (otp)"} <= summaries


def test_a_supervisor_without_two_factor_is_sent_to_enrolment(world: World, required: None) -> None:
    c = Client()
    res = log_in(c, "bob")
    assert res["Location"].startswith("/accounts/2fa/setup/")
    assert c.get("/")["Location"].startswith("/accounts/2fa/setup/")
    page = c.get("/accounts/2fa/setup/")
    html = page.content.decode()
    assert "<svg" in html
    assert 'id="twofactor-secret"' in html
    assert "otpauth://totp/" in html
    # The same secret on reload (the app may already have scanned it).
    secret = twofactor.unseal(c.session[twofactor.PENDING_SECRET])
    assert twofactor.grouped(secret) in html
    assert twofactor.grouped(secret) in c.get("/accounts/2fa/setup/").content.decode()

    assert c.post("/accounts/2fa/setup/", {"code": "123456"}).status_code == 200
    assert not TwoFactorDevice.objects.filter(user=world.users["bob"]).exists()

    res = c.post("/accounts/2fa/setup/", {"code": current_code(secret), "next": "/"})
    assert res.status_code == 200
    codes = res.content.decode().count("data-recovery-code")
    assert codes == 10 == RecoveryCode.objects.filter(user=world.users["bob"]).count()
    assert c.get("/").status_code == 200
    device = TwoFactorDevice.objects.get(user=world.users["bob"])
    # Stored sealed, never shown again.
    assert secret not in device.secret_sealed
    assert twofactor.unseal(device.secret_sealed) == secret
    manage = c.get("/accounts/2fa/").content.decode()
    assert 'data-enrolled="1"' in manage
    assert twofactor.grouped(secret) not in manage
    assert secret not in manage
    assert c.get("/accounts/2fa/setup/")["Location"] == "/accounts/2fa/"


@pytest.mark.parametrize("name", ["adam", "cora"])
def test_agency_admins_and_coordinators_need_it_too(
    world: World, required: None, name: str
) -> None:
    c = Client()
    assert log_in(c, name)["Location"].startswith("/accounts/2fa/setup/")


def test_two_factor_is_optional_for_caseworkers(world: World, required: None) -> None:
    c = Client()
    res = log_in(c, "alice")
    assert res.status_code == 302
    assert res["Location"] == "/"
    assert c.get("/").status_code == 200
    prefs = c.get("/preferences/").content.decode()
    assert 'href="/accounts/2fa/"' in prefs
    assert 'id="logout-everywhere"' in prefs
    assert 'data-enrolled="0"' in c.get("/accounts/2fa/").content.decode()


def test_an_enrolled_caseworker_is_asked_for_the_code_and_may_turn_it_off(
    world: World,
) -> None:
    with time_machine.travel(START, tick=False) as clock:
        secret = enrol(world.users["alice"])
        clock.shift(30)
        c = Client()
        assert log_in(c, "alice")["Location"].startswith("/accounts/2fa/verify/")
        c.post("/accounts/2fa/verify/", {"code": current_code(secret)})
        assert c.get("/").status_code == 200
        clock.shift(30)
        res = c.post("/accounts/2fa/", {"op": "off", "code": current_code(secret)})
        assert res.status_code == 302
    assert not TwoFactorDevice.objects.filter(user=world.users["alice"]).exists()
    assert not RecoveryCode.objects.filter(user=world.users["alice"]).exists()


def test_a_supervisor_cannot_turn_it_off(world: World, required: None) -> None:
    with time_machine.travel(START, tick=False) as clock:
        secret = enrol(world.users["bob"])
        clock.shift(30)
        c = Client()
        log_in(c, "bob")
        c.post("/accounts/2fa/verify/", {"code": current_code(secret)})
        clock.shift(30)
        html = c.get("/accounts/2fa/").content.decode()
        assert 'id="turn-off"' not in html
        c.post("/accounts/2fa/", {"op": "off", "code": current_code(secret)})
    assert TwoFactorDevice.objects.filter(user=world.users["bob"]).exists()


def test_a_recovery_code_works_once(world: World, required: None) -> None:
    bob = world.users["bob"]
    enrol(bob)
    codes = twofactor.recovery_codes_issue(bob)
    c = Client()
    log_in(c, "bob")
    res = c.post("/accounts/2fa/verify/", {"code": codes[0].upper(), "next": "/"})
    assert res.status_code == 302
    assert c.get("/").status_code == 200
    assert twofactor.recovery_codes_left(bob) == 9
    again = Client()
    log_in(again, "bob")
    assert again.post("/accounts/2fa/verify/", {"code": codes[0]}).status_code == 200
    assert again.get("/").status_code == 302
    assert Event.objects.filter(summary="recovery code used").count() == 1


def test_api_token_needs_the_code_when_enrolled(world: World) -> None:
    with time_machine.travel(START, tick=False) as clock:
        secret = enrol(world.users["alice"])
        clock.shift(30)
        c = Client()
        body = {"username": "alice", "password": PASSWORD}
        res = c.post("/api/v1/auth/token", body, content_type="application/json")
        assert res.status_code == 401
        assert res.json()["code"] == "otp_required"
        assert "otp" in res.json()["message"]
        res = c.post(
            "/api/v1/auth/token", {**body, "otp": "111111"}, content_type="application/json"
        )
        assert res.status_code == 401
        assert res.json()["code"] == "otp_invalid"
        code = current_code(secret)
        res = c.post("/api/v1/auth/token", {**body, "otp": code}, content_type="application/json")
        assert res.status_code == 200
        token = res.json()["token"]
        assert c.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
        # Not twice.
        res = c.post("/api/v1/auth/token", {**body, "otp": code}, content_type="application/json")
        assert res.status_code == 401


def test_api_token_without_otp_for_users_without_two_factor(world: World) -> None:
    res = Client().post(
        "/api/v1/auth/token",
        {"username": "alice", "password": PASSWORD},
        content_type="application/json",
    )
    assert res.status_code == 200


def test_api_token_refused_to_a_supervisor_who_has_not_enrolled(
    world: World, required: None
) -> None:
    res = Client().post(
        "/api/v1/auth/token",
        {"username": "bob", "password": PASSWORD},
        content_type="application/json",
    )
    assert res.status_code == 403
    assert res.json()["code"] == "two_factor_setup_required"


def test_agency_admin_resets_a_colleagues_two_factor_with_a_reason(world: World) -> None:
    bob, dave = world.users["bob"], world.users["dave"]
    enrol(bob)
    enrol(dave)
    _, raw = ApiToken.issue(bob)
    admin = Client()
    admin.force_login(world.users["adam"])
    page = admin.get("/accounts/2fa/reset/").content.decode()
    assert f'data-user="{bob.pk}" data-enrolled="1"' in page
    assert f'data-user="{dave.pk}"' not in page  # another agency

    res = admin.post("/accounts/2fa/reset/", {"user_id": bob.pk, "reason": ""})
    assert res.status_code == 200
    assert 'role="alert"' in res.content.decode()
    assert TwoFactorDevice.objects.filter(user=bob).exists()
    # Another agency's user: refused, nothing changes.
    res = admin.post("/accounts/2fa/reset/", {"user_id": dave.pk, "reason": "lost phone"})
    assert TwoFactorDevice.objects.filter(user=dave).exists()

    res = admin.post("/accounts/2fa/reset/", {"user_id": bob.pk, "reason": "lost phone"})
    assert res.status_code == 302
    assert not TwoFactorDevice.objects.filter(user=bob).exists()
    assert ApiToken.lookup(raw) is None
    event = Event.objects.get(summary="two-factor reset")
    assert event.actor == world.users["adam"]
    assert event.changes["reason"] == [None, "lost phone"]


@pytest.mark.parametrize("name", ["alice", "bob"])
def test_only_agency_admins_reset_two_factor(world: World, name: str) -> None:
    enrol(world.users["carol"])
    c = Client()
    c.force_login(world.users[name])
    assert c.get("/accounts/2fa/reset/").status_code == 403
    c.post("/accounts/2fa/reset/", {"user_id": world.users["carol"].pk, "reason": "x"})
    assert TwoFactorDevice.objects.filter(user=world.users["carol"]).exists()


def test_api_reset_of_two_factor(world: World) -> None:
    enrol(world.users["bob"])
    res = world.api("adam").post(
        f"/users/{world.users['bob'].pk}/two-factor/reset", {"reason": "lost phone"}
    )
    assert res.status_code == 204
    assert not TwoFactorDevice.objects.filter(user=world.users["bob"]).exists()
    res = world.api("alice").post(
        f"/users/{world.users['carol'].pk}/two-factor/reset", {"reason": "x"}
    )
    assert res.status_code == 403


def test_totp_matches_the_rfc_6238_vectors() -> None:
    # RFC 6238 appendix B, SHA-1, secret "12345678901234567890", 8 digits -> last 6 digits.
    import base64

    secret = base64.b32encode(b"12345678901234567890").decode()
    assert twofactor.totp(secret, 59 // 30) == "287082"
    assert twofactor.totp(secret, 1111111109 // 30) == "081804"
    assert twofactor.totp(secret, 1234567890 // 30) == "005924"
