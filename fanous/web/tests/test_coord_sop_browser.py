"""The coordinator's SOP pages in a real browser (SPEC §2): a new version, a validation
error from the SOP schema, the fix, and putting it in force."""

from __future__ import annotations

from typing import Any

import pytest

from fanous.conftest import World
from fanous.sop.models import SopVersion

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_coordinator_makes_a_new_version_fixes_an_error_and_puts_it_in_force(
    world: World, login: Any
) -> None:
    old = SopVersion.objects.get(status=SopVersion.Status.IN_FORCE)
    page = login("cora", lang="en", width=1280)
    page.click("a[data-nav=sop]")
    page.wait_for_url("**/sop/")
    page.click(f"li[data-sop='{old.pk}'] a[data-action=new-version]")
    assert page.input_value("#id_version") == "1.1"
    page.click("button[type=submit].btn-primary")
    page.wait_for_url("**/sop/*/")
    assert page.locator("#sop-version").inner_text() == "1.1"
    assert page.locator("[data-sop-status=draft]").count() == 1

    page.click("a[data-action=edit-timeframes]")
    page.fill("input[name='high-plan_due_days']", "10")  # longer than medium (7): refused
    page.click("#timeframes-form button[type=submit]")
    alert = page.locator("#form-errors[role=alert]")
    assert alert.count() == 1
    assert "must not be longer than “Medium risk”" in alert.inner_text()
    assert page.locator("input[name='high-plan_due_days'].is-invalid").count() == 1
    page.fill("input[name='high-plan_due_days']", "2")
    page.click("#timeframes-form button[type=submit]")
    page.wait_for_url("**/sop/*/#timeframes")
    cell = page.locator("tr[data-level=high] td[data-field=plan_due_days]")
    assert cell.inner_text().strip() == "2"

    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button[data-action=publish]")
    page.wait_for_selector("[data-sop-status=in_force]")
    assert page.locator("a[data-action=edit-timeframes]").count() == 0

    page.goto("/sop/")
    assert page.locator(f"li[data-sop='{old.pk}'] [data-sop-status=superseded]").count() == 1
    new = SopVersion.objects.get(status=SopVersion.Status.IN_FORCE)
    assert new.version == "1.1"
    assert new.data["timeframes"]["high"]["plan_due_days"] == 2


def test_arabic_sop_page_on_a_phone_is_readable_and_printable(world: World, login: Any) -> None:
    row = SopVersion.objects.get(status=SopVersion.Status.IN_FORCE)
    page = login("alice", lang="ar", width=390)
    page.goto(f"/sop/{row.pk}/")
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.locator("[data-concern]").count() == len(row.data["concerns"])
    assert page.locator("button[data-action=publish]").count() == 0
    # The page itself does not scroll sideways; wide tables scroll inside their box.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.emulate_media(media="print")
    assert page.locator(".sop-print-footer").is_visible()
    assert "1.0" in page.locator(".sop-print-footer").inner_text()
    assert not page.locator("nav.navbar").is_visible()
