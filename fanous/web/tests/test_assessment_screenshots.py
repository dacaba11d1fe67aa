"""`make screenshots` for the assessment and plan pages, Arabic phone and English desktop."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from fanous.conftest import World
from fanous.web.tests.test_assessment_pages import assessed_case, registered_case

pytestmark = [pytest.mark.screenshots, pytest.mark.django_db(transaction=True)]

OUT = Path(__file__).resolve().parents[3] / "screenshots"


@pytest.mark.parametrize(("lang", "width"), [("ar", 390), ("en", 1280)])
def test_assessment_screenshots(world: World, login: Any, lang: str, width: int) -> None:
    OUT.mkdir(exist_ok=True)
    new = registered_case(world)
    high = assessed_case(world, {"trafficking": True, "hours_per_week": 30}, comprehensive=True)
    page = login("alice", lang=lang, width=width)
    page.goto(f"/cases/{new['id']}/")
    page.screenshot(path=str(OUT / f"assessment-case-{lang}-{width}.png"), full_page=True)
    page.goto(f"/cases/{new['id']}/assessments/new?kind=initial")
    page.click("#section-hazard-closed_places > summary")
    page.click("label[for=id_fact_hazard__chemicals_yes]")
    page.click("label[for=id_fact_trafficking_yes]")
    page.wait_for_selector("#preview-level[data-level=high]")
    page.screenshot(path=str(OUT / f"assessment-initial-{lang}-{width}.png"))
    page.screenshot(path=str(OUT / f"assessment-initial-full-{lang}-{width}.png"), full_page=True)
    page.goto(f"/cases/{high['id']}/assessments/new?kind=comprehensive")
    page.screenshot(path=str(OUT / f"assessment-comprehensive-{lang}-{width}.png"), full_page=True)
    page.goto(f"/cases/{high['id']}/plan")
    page.click("#add-goal")
    page.wait_for_selector("#id_g1-description")
    page.click("#submit-plan")
    page.wait_for_selector("#form-error")
    page.screenshot(path=str(OUT / f"plan-{lang}-{width}.png"), full_page=True)
