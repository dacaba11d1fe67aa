"""Referrals in a real browser (SPEC §8, §12): the caseworker in Arabic on a phone, the
service provider in English on a desktop, and the other way round; screenshots of the
form, the referral page and the inbox."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from fanous.conftest import World
from fanous.referrals.models import Referral
from fanous.web.tests.referrals_support import a_case, make_clinic, send

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[3] / "screenshots"
DETAIL = re.compile(r".*/referrals/[0-9a-f-]{36}/$")


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"referrals-{name}.png"), full_page=True)


def test_full_lifecycle_from_the_form_to_the_closed_referral(world: World, login: Any) -> None:
    """§8: sent -> acknowledged -> accepted -> delivered -> closed, each side on its page."""
    make_clinic(world)
    case = a_case(world)
    alice = login("alice", lang="ar", width=390)
    alice.goto(f"/cases/{case['id']}/referrals/new/")
    assert alice.get_attribute("html", "dir") == "rtl"
    ticked = alice.locator("#sections input[name=sections]:checked")
    assert [ticked.nth(i).get_attribute("value") for i in range(ticked.count())] == [
        "identity",
        "contact",
        "caregiver",
    ]
    assert alice.locator("#consent-status[data-consent='1']").count() == 1
    alice.fill("#id_reason", "فحص طبي للسعال المزمن")
    alice.check("#acc-transport")
    shot(alice, "new-ar-390")
    alice.click("#send-referral")
    alice.wait_for_url(DETAIL)
    assert alice.get_attribute("#referral", "data-status") == "sent"
    assert alice.locator("#back-to-case").count() == 1
    reference = alice.inner_text("#reference")

    sam = login("sam", lang="en", width=1280)
    assert sam.url.endswith("/referrals/inbox/")
    rows = sam.locator("#referral-inbox li[data-referral]")
    assert rows.count() == 1
    assert reference in rows.first.inner_text()
    shot(sam, "inbox-en-1280")
    rows.first.locator("a").click()
    sam.wait_for_url(DETAIL)
    sam.click("#act-acknowledge")
    sam.wait_for_selector("#referral[data-status=acknowledged]")
    sam.click("#act-accept")
    sam.wait_for_selector("#referral[data-status=accepted]")
    sam.fill("#id_deliver-outcome", "Examined; treatment given.")
    sam.click("#act-deliver")
    sam.wait_for_selector("#referral[data-status=delivered]")
    shot(sam, "detail-en-1280")
    sam.goto("/referrals/inbox/")
    assert sam.locator("#referral-inbox li[data-referral]").count() == 0

    alice.reload()
    assert "Examined; treatment given." in alice.inner_text("#outcome")
    alice.fill("#id_close-feedback", "تلقى الطفل العلاج")
    alice.click("#act-close")
    alice.wait_for_selector("#referral[data-status=closed]")
    states = alice.locator("#steps li")
    assert [states.nth(i).get_attribute("data-state") for i in range(5)] == ["done"] * 5
    shot(alice, "detail-ar-390")
    assert Referral.objects.get().status == "closed"


def test_without_consent_and_without_a_ground_the_form_refuses(world: World, login: Any) -> None:
    """§12: no information leaves without consent or a recorded best-interests ground."""
    make_clinic(world)
    case = a_case(world, sharing=False)
    page = login("alice", lang="en", width=1280)
    page.goto(f"/cases/{case['id']}/referrals/new/")
    assert page.get_attribute("html", "dir") == "ltr"
    assert page.locator("#consent-status[data-consent='0']").count() == 1
    page.fill("#id_reason", "Medical check")
    page.click("#send-referral")
    page.wait_for_selector("#form-errors[data-code=referral_consent_missing]")
    assert page.locator("#override-error").count() == 1
    shot(page, "new-en-1280")
    assert not Referral.objects.exists()


def test_override_waits_for_the_supervisor_then_reaches_the_service(
    world: World, login: Any
) -> None:
    """§12: a caseworker's ground waits; the supervisor approves; the service then sees it."""
    make_clinic(world)
    case = a_case(world, sharing=False)
    alice = login("alice", lang="ar", width=390)
    alice.goto(f"/cases/{case['id']}/referrals/new/")
    alice.fill("#id_override_reason", "خطر وشيك على صحة الطفل")
    alice.fill("#id_reason", "فحص طبي عاجل")
    alice.click("#send-referral")
    alice.wait_for_url(DETAIL)
    assert alice.get_attribute("#referral", "data-status") == "pending_approval"

    sam = login("sam", lang="ar", width=390)
    assert sam.get_attribute("html", "dir") == "rtl"
    assert sam.locator("#referral-inbox li[data-referral]").count() == 0

    bob = login("bob", lang="en", width=1280)
    bob.goto("/referrals/overrides/")
    assert bob.locator("#overrides[data-count='1']").count() == 1
    bob.locator("form[data-act=approve_override] button").click()
    bob.wait_for_selector("#no-overrides")

    # The open inbox picks the referral up on its next poll (triggered here, not waited for).
    sam.evaluate("htmx.trigger(document.body, 'referrals-refresh')")
    sam.wait_for_selector("#referral-inbox li[data-referral]")
    shot(sam, "inbox-ar-390")
    assert Referral.objects.get().status == "sent"


def test_the_provider_sees_the_shared_identity_and_nothing_else_of_the_case(
    world: World, login: Any
) -> None:
    """§1, §12: no case link, no risk level, no workplace when they were not shared."""
    clinic = make_clinic(world)
    case = a_case(world)
    referral = send(world, case, clinic)
    sam = login("sam", lang="en", width=1280)
    sam.goto(f"/referrals/{referral['id']}/")
    assert "أحمد" in sam.inner_text("#shared-name")
    assert sam.locator("a[href*='/cases/']").count() == 0
    assert sam.locator("[data-shared=risk_level], [data-shared=work], [data-risk]").count() == 0
    text = sam.inner_text("main")
    assert "Risk level" not in text
    assert "ورشة الحدادة" not in text
    assert "Workplace" not in text
    response = sam.goto(f"/cases/{case['id']}/")
    assert response.status == 404
