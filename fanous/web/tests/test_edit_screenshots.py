"""`make screenshots` for the correction pages, the yes/no/not known answers and the
approvals count: Arabic phone and English desktop."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from fanous.conftest import World, registered_case

from .followup_support import plan_pending

pytestmark = [pytest.mark.screenshots, pytest.mark.django_db(transaction=True)]

OUT = Path(__file__).resolve().parents[3] / "screenshots"


@pytest.mark.parametrize(("lang", "width"), [("ar", 390), ("en", 1280)])
def test_edit_screenshots(world: World, login: Any, lang: str, width: int) -> None:
    OUT.mkdir(exist_ok=True)
    case = registered_case(
        world.api("alice"),
        registration={"workplace_name": "ورشة الحدادة", "hours_per_day": 8, "days_per_week": 6},
    )
    cid = case["id"]
    plan_pending(world, name="سارة")
    page = login("alice", lang=lang, width=width)
    page.goto(f"/cases/{cid}/")
    page.screenshot(path=str(OUT / f"edit-case-{lang}-{width}.png"), full_page=True)
    page.goto(f"/cases/{cid}/child/edit")
    page.fill("#id_given_name", "")
    page.click("#save")
    page.screenshot(path=str(OUT / f"edit-child-error-{lang}-{width}.png"), full_page=True)
    page.goto(f"/cases/{cid}/registration/edit")
    page.screenshot(path=str(OUT / f"edit-registration-{lang}-{width}.png"), full_page=True)
    page.goto(f"/cases/{cid}/household-members/new")
    page.screenshot(path=str(OUT / f"edit-household-{lang}-{width}.png"), full_page=True)
    page.goto(f"/cases/{cid}/assessments/new?kind=initial")
    page.click("label[for=id_fact_trafficking_no]")
    page.click("#section-hazard-closed_places > summary")
    page.click("label[for=id_fact_hazard__chemicals_yes]")
    page.wait_for_selector("#preview-factors [data-rule=any_hazard]")
    page.screenshot(path=str(OUT / f"edit-assessment-yn-{lang}-{width}.png"))
    page.screenshot(path=str(OUT / f"edit-assessment-yn-full-{lang}-{width}.png"), full_page=True)
    bob = login("bob", lang=lang, width=width)
    if width < 768:
        bob.click(".navbar-toggler")
        bob.wait_for_selector("#nav.show")
    bob.screenshot(path=str(OUT / f"edit-approvals-count-{lang}-{width}.png"))
