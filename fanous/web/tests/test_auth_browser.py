"""Two-factor enrolment and verification in a real browser, and the Content-Security-Policy
breaking nothing (issue 4)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from fanous.accounts import twofactor
from fanous.accounts.tests.auth_support import enrol
from fanous.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[3] / "screenshots"


def _csp_violations(page: Any) -> list[str]:
    seen: list[str] = []
    page.on(
        "console",
        lambda msg: seen.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    return seen


@pytest.mark.parametrize(("lang", "width"), [("ar", 390), ("en", 1280)])
def test_a_supervisor_enrols_then_reaches_the_caseload(
    world: World, login: Any, settings: Any, lang: str, width: int
) -> None:
    settings.FANOUS_REQUIRE_2FA = True
    page = login("bob", lang=lang, width=width)
    violations = _csp_violations(page)
    assert "/accounts/2fa/setup/" in page.url
    assert page.get_attribute("html", "dir") == ("rtl" if lang == "ar" else "ltr")
    assert page.locator("#twofactor-qr svg").is_visible()
    assert page.locator("#notifications-bell").count() == 0  # no menu before the factor
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"auth-setup-{lang}-{width}.png"), full_page=True)
    # No horizontal overflow on a phone.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

    page.fill("#id_code", "000000")
    page.click("#setup-submit")
    assert page.locator("#twofactor-errors[role=alert]").is_visible()
    assert page.locator("#id_code[aria-invalid=true]").count() == 1

    secret = page.locator("#twofactor-secret").inner_text().replace(" ", "")
    page.fill("#id_code", twofactor.totp(secret, twofactor.counter_at()))
    page.click("#setup-submit")
    page.wait_for_selector("#recovery-codes")
    assert page.locator("[data-recovery-code]").count() == 10
    page.screenshot(path=str(SHOTS / f"auth-recovery-{lang}-{width}.png"), full_page=True)
    page.click("#recovery-continue")
    page.wait_for_url(lambda url: "/accounts/" not in url)
    assert page.locator("#notifications-bell").count() == 1
    assert violations == []


def test_an_enrolled_caseworker_types_the_code_after_the_password(world: World, login: Any) -> None:
    secret = enrol(world.users["alice"])
    # The enrolment used this time step's code: the log-in takes the next one.
    device = world.users["alice"].two_factor
    device.last_counter -= 1
    device.save()
    page = login("alice", lang="ar", width=390)
    assert "/accounts/2fa/verify/" in page.url
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "auth-verify-ar-390.png"), full_page=True)
    page.fill("#id_code", twofactor.totp(secret, twofactor.counter_at()))
    page.click("#verify-submit")
    page.wait_for_selector("#caseload")
    assert "/accounts/" not in page.url


def test_pages_work_under_the_content_security_policy(world: World, login: Any) -> None:
    page = login("alice", lang="en", width=1280)
    violations = _csp_violations(page)
    page.reload()
    # The overdue filter submits itself (a data-autosubmit behaviour, not an inline handler).
    page.check("#overdue")
    page.wait_for_url("**overdue=1**")
    page.goto("/preferences/")
    assert page.locator("#logout-everywhere").is_visible()
    page.screenshot(path=str(SHOTS / "auth-preferences-en-1280.png"), full_page=True)
    page.goto("/services/")
    page.wait_for_load_state()
    assert violations == []
