"""`make screenshots` for the service map pages, Arabic phone and English desktop."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from fanous.cases.models import Case
from fanous.conftest import World, assessed_case
from fanous.referrals import demo_services
from fanous.referrals.models import ServiceProvider

pytestmark = [pytest.mark.screenshots, pytest.mark.django_db(transaction=True)]

OUT = Path(__file__).resolve().parents[3] / "screenshots"


@pytest.mark.parametrize(("lang", "width"), [("ar", 390), ("en", 1280)])
def test_services_screenshots(world: World, login: Any, lang: str, width: int) -> None:
    OUT.mkdir(exist_ok=True)
    case = assessed_case(
        world.api("alice"),
        {"attends_school": False, "disability": True, "family_meets_basic_needs": False},
        kinds=("initial", "comprehensive"),
    )
    demo_services.load(
        area=world.area,
        agencies={"AGN-A": world.agency_a, "AGN-B": world.agency_b},
        users={**world.users, "coord": world.users["cora"]},
        cases=[],
    )
    page = login("alice", lang=lang, width=width)
    page.goto("/services/")
    page.screenshot(path=str(OUT / f"services-list-{lang}-{width}.png"), full_page=True)
    provider = ServiceProvider.objects.filter(capacity=0).first()
    assert provider is not None
    page.goto(f"/services/{provider.pk}/")
    page.screenshot(path=str(OUT / f"services-detail-{lang}-{width}.png"), full_page=True)
    page.goto(f"/cases/{case['id']}/plan")
    page.wait_for_selector("#pathways-panel[data-needs]")
    page.locator("#pathways-panel").screenshot(
        path=str(OUT / f"services-pathways-{lang}-{width}.png")
    )
    page.goto("/services/annex/")
    page.screenshot(path=str(OUT / f"services-annex-{lang}-{width}.png"), full_page=True)
    admin = login("adam", lang=lang, width=width)
    own = ServiceProvider.objects.filter(agency=world.agency_a).first()
    assert own is not None
    admin.goto(f"/services/{own.pk}/edit/")
    admin.screenshot(path=str(OUT / f"services-form-{lang}-{width}.png"), full_page=True)
    assert Case.objects.count() == 1
