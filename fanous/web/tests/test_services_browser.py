"""The service map in a real browser: Arabic phone, live filtering (SPEC §2)."""

from __future__ import annotations

from typing import Any

import pytest

from fanous.accounts.models import Area
from fanous.conftest import World, assessed_case, ok
from fanous.referrals.tests.test_services_providers import provider_body

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _map(world: World) -> None:
    Area.objects.create(
        code="JO-AM-MARKA",
        kind=Area.Kind.DISTRICT,
        parent=world.area,
        name_ar="ماركا",
        name_en="Marka",
    )
    cora = world.api("cora")
    ok(cora.post("/services", provider_body(name_ar="مركز فاطمة للتعليم", name_en="")), 201)
    ok(
        cora.post(
            "/services",
            provider_body(
                name_ar="عيادة مصطفى الصحية",
                name_en="Mustafa Clinic",
                sector="health",
                service_types=["primary_health"],
                area="JO-AM-MARKA",
                phone="+962 6 489 1020",
                capacity=0,
                in_app=False,
            ),
        ),
        201,
    )
    ok(
        cora.post(
            "/services",
            provider_body(
                name_ar="جمعية إحسان",
                sector="livelihoods",
                service_types=["cash_assistance"],
                agency="AGN-B",
            ),
        ),
        201,
    )


def test_arabic_phone_filters_the_service_map_live(world: World, login: Any) -> None:
    _map(world)
    page = login("alice", lang="ar", width=390)
    page.goto("/services/")
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.get_attribute("html", "lang") == "ar"
    cards = page.locator("#services-cards li.service-card")
    assert cards.count() == 3
    assert page.locator("#services-table").is_hidden()  # the table is for desktops
    # No horizontal scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # A spelling variant (ة written ه) finds the centre, live, without a page load.
    page.fill("#q", "فاطمه")
    page.wait_for_function("document.querySelectorAll('#services-cards li').length == 1")
    assert "مركز فاطمة للتعليم" in cards.first.inner_text()
    page.fill("#q", "")
    page.wait_for_function("document.querySelectorAll('#services-cards li').length == 3")
    page.click("[data-bs-target='#more-filters']")  # the filters fold away on a phone
    page.wait_for_selector("#f-sector", state="visible")
    page.select_option("#f-sector", "health")
    page.wait_for_function("document.querySelectorAll('#services-cards li').length == 1")
    assert cards.first.get_attribute("data-sector") == "health"
    assert cards.first.locator("[data-badge=full]").count() == 1
    assert "sector=health" in page.url
    cards.first.locator("a").click()
    page.wait_for_selector("#service[data-service]")
    assert "عيادة مصطفى الصحية" in page.locator("h1").inner_text()
    assert page.locator("#edit-service").count() == 0  # a caseworker only reads


def test_plan_page_shows_the_pathways_panel_and_records_a_gap(world: World, login: Any) -> None:
    _map(world)
    case = assessed_case(
        world.api("alice"),
        {"attends_school": False, "disability": True},
        kinds=("initial", "comprehensive"),
    )
    page = login("alice", lang="en", width=1280)
    page.goto(f"/cases/{case['id']}/plan")
    page.wait_for_selector("#pathways-panel[data-needs]")
    assert page.locator("[data-need=out_of_school][data-gap='0']").count() == 1
    assert page.locator("[data-need=disability_support][data-gap='1']").count() == 1
    page.click("#record-gaps")
    page.wait_for_selector("#gaps-recorded[data-recorded='1']")
    assert page.locator("[data-badge=gap-recorded]").count() == 1
