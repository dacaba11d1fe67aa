"""`make screenshots`: the inter-agency report page and the export pages (Arabic phone,
English desktop) into screenshots/."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from fanous.conftest import World
from fanous.exports.tests.support import make_case

pytestmark = [
    pytest.mark.screenshots,
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

OUT = Path(__file__).resolve().parents[3] / "screenshots"


@pytest.mark.parametrize(("lang", "width"), [("ar", 390), ("en", 1280)])
def test_report_and_export_pages(world: World, login: Any, lang: str, width: int) -> None:
    for i in range(30):
        make_case(
            agency=world.agency_a if i % 3 else world.agency_b,
            area=world.area,
            caseworker=world.users["alice"] if i % 3 else world.users["dave"],
            sex="f" if i % 2 else "m",
            birth_date=date(2008 + i % 12, 1 + i % 12, 1),
            risk=["high", "medium", "low"][i % 3],
            facts={"hazard.heavy_loads": bool(i % 4)},
        )
    OUT.mkdir(exist_ok=True)
    page = login("cora", lang=lang, width=width)
    page.goto(f"/reports/interagency/?area={world.area.pk}&start=2026-01-01&end=2026-12-31")
    assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
    assert page.locator("table[data-table]").count() == 7
    page.screenshot(path=str(OUT / f"interagency-{lang}-{width}.png"), full_page=True)
    page = login("alice", lang=lang, width=width)
    page.goto("/exports/")
    page.locator("#export-submit").click()
    page.locator("#export-download").wait_for()
    page.screenshot(path=str(OUT / f"export-job-{lang}-{width}.png"), full_page=True)
