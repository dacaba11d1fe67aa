"""The audit log viewer in a real browser: Arabic on a phone, English on a desktop."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from fanous.conftest import World, registered_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[3] / "screenshots"


def test_supervisor_reads_the_log_in_arabic_and_english(world: World, login: Any) -> None:
    case = registered_case(world.api("alice"))
    SHOTS.mkdir(exist_ok=True)
    page = login("bob", lang="ar", width=390)
    page.goto(f"/cases/{case['id']}/")  # the supervisor's own read is logged too
    page.goto("/audit/")
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.locator("#audit-table tr[data-action=read]").count() >= 1
    assert page.locator("#audit-table tr[data-seq]").count() >= 3
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    page.screenshot(path=str(SHOTS / "audit-log-ar-390.png"), full_page=True)
    page = login("bob", lang="en", width=1280)
    page.goto("/audit/?action=read")
    assert page.get_attribute("html", "dir") == "ltr"
    assert (
        page.locator("#audit-table tr[data-seq]").count()
        == page.locator("#audit-table tr[data-action=read]").count()
    )
    page.screenshot(path=str(SHOTS / "audit-log-en-1280.png"), full_page=True)
