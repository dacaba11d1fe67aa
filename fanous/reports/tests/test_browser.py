"""The dashboard in a real browser: Arabic right to left on a phone, English on a desktop."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[3] / "screenshots"


def test_dashboard_in_arabic_on_a_phone_draws_bars_from_the_right(
    board: dict[str, Any],
    login: Any,
) -> None:
    page = login("bob", lang="ar", width=390)
    page.goto("/dashboard/")
    assert page.get_attribute("html", "dir") == "rtl"
    chart = page.locator("#chart-risk")
    assert chart.get_attribute("data-dir") == "rtl"
    assert chart.get_attribute("role") == "img"
    # Bars end at the same right edge (the labels' side) and grow leftwards.
    rects = page.locator("#chart-risk rect")
    ends = {
        round(float(r.get_attribute("x")) + float(r.get_attribute("width")), 1) for r in rects.all()
    }
    assert len(ends) == 1
    high = page.locator('#chart-risk g[data-key="high"]')
    assert high.get_attribute("data-value") == "2"
    # The table follows the chart and opens.
    page.locator('details[data-table-for="chart-risk"] summary').click()
    assert page.locator("#chart-risk-table tbody tr").count() == 4
    # No horizontal scrolling on a 390 px phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "dashboard-ar-390.png"), full_page=True)


def test_dashboard_in_english_changes_period_with_htmx_and_links_to_the_caseload(
    board: dict[str, Any],
    login: Any,
) -> None:
    page = login("bob", lang="en", width=1280)
    page.goto("/dashboard/")
    assert page.get_attribute("html", "dir") == "ltr"
    assert page.locator("#chart-risk").get_attribute("data-dir") == "ltr"
    rects = page.locator("#chart-risk rect")
    starts = {round(float(r.get_attribute("x")), 1) for r in rects.all()}
    assert len(starts) == 1  # bars start together at the left
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "dashboard-en-1280.png"), full_page=True)
    # HTMX: a new period swaps the body, the page stays.
    page.evaluate("window.__marker = 1")
    page.fill("#id_start", "2020-01-01")
    page.locator("#dashboard-filters button[type=submit]").click()
    page.wait_for_selector('#dashboard-period[data-start="2020-01-01"]')
    assert page.evaluate("window.__marker") == 1
    # A bar opens the filtered caseload.
    page.locator('#chart-overdue a[href="/?due=overdue_plan"]').first.click()
    page.wait_for_url("**/?due=overdue_plan")
    assert page.locator('[data-badge="overdue-plan"]').count() == 1


def test_coordinator_dashboard_in_english_has_no_names(
    board: dict[str, Any],
    login: Any,
) -> None:
    page = login("cora", lang="en", width=1280)
    page.goto("/dashboard/")
    text = page.locator("main").inner_text()
    assert "Alice" not in text
    assert "T-0" not in text
    assert page.locator("#chart-risk-table").count() == 1
    page.screenshot(path=str(SHOTS / "dashboard-coordinator-en-1280.png"), full_page=True)
