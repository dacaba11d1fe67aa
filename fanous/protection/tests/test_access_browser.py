"""Sharing a case and reading it as the colleague, in a real browser, in Arabic on a phone
(issue 4, SPEC §12): the colleague sees the case with the "restricted" notice, not its
sensitive sections. Arabic pages show English for new strings until the translations are
merged, so this checks structure (ids, data-* attributes, dir), not texts."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from fanous.conftest import World, assessed_case, local_today
from fanous.protection.models import CaseAccessGrant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[3] / "screenshots"
HEALTH = "ربو-يحتاج-بخاخ-4417"


def test_share_then_read_as_the_colleague_shows_the_restricted_notice(
    world: World,
    login: Any,
) -> None:
    case = assessed_case(
        world.api("alice"),
        {"sexual_abuse": True, "caafag.recruitment_risk": True},
        concerns=["child_labour", "caafag"],
        registration={"health_wellbeing": HEALTH},
    )
    cid = case["id"]
    page = login("alice", lang="ar", width=390)
    page.goto(f"/cases/{cid}/")
    page.click("#case-access-link")
    page.wait_for_url(f"**/cases/{cid}/access/")
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.locator("[name=include_sensitive]").count() == 0  # the caseworker cannot
    page.select_option("#id_user", str(world.users["carol"].pk))
    page.fill("#id_until", (local_today() + timedelta(days=5)).isoformat())
    page.fill("#id_reason", "تغطية خلال الإجازة السنوية")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.click("#share-submit")
    page.wait_for_url(f"**/cases/{cid}/access/")
    assert page.locator("[data-grant][data-kind=share][data-state=live]").count() == 1
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "access-share-ar-390.png"), full_page=True)
    grant = CaseAccessGrant.objects.get()
    assert grant.user == world.users["carol"]
    assert not grant.include_sensitive

    carol = login("carol", lang="ar", width=390)
    carol.goto(f"/cases/{cid}/")
    assert carol.get_attribute("html", "dir") == "rtl"
    notice = carol.locator("#restricted-notice[role=note]")
    assert notice.count() == 1
    assert notice.get_attribute("data-restricted") == "sexual_violence caafag trafficking health"
    assert carol.locator("#restricted-notice [data-section]").count() == 4
    assert carol.locator("#shared-banner").count() == 1
    assert carol.locator("#child-edit-link, #registration-edit-link").count() == 0
    assert HEALTH not in carol.content()
    assert carol.evaluate("document.documentElement.scrollWidth") <= 390
    carol.screenshot(path=str(SHOTS / "access-grantee-ar-390.png"), full_page=True)
