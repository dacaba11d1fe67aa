"""The intake wizard in a real browser: Arabic on a phone, English on a desktop (SPEC §3)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from fanous.cases.models import Case, Registration
from fanous.conftest import World, child_payload

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[3] / "screenshots"


def _no_horizontal_scroll(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], width


def _steps_run_start_to_end(page: Any, rtl: bool) -> None:
    steps = page.locator(".intake-steps li")
    assert steps.count() == 4
    first, last = steps.nth(0).bounding_box(), steps.nth(3).bounding_box()
    # In Arabic the first step is on the right, in English on the left.
    assert (first["x"] > last["x"]) if rtl else (first["x"] < last["x"])


def _walk(page: Any, *, rtl: bool, shots: str | None = None) -> str:
    """Search (no match) -> needs -> child -> consent -> registration; returns the case id."""

    def shot(name: str) -> None:
        if shots:
            SHOTS.mkdir(exist_ok=True)
            page.screenshot(path=str(SHOTS / f"intake-{name}-{shots}.png"), full_page=True)

    page.goto("/register/")
    page.fill("#id_name", "سارة محمود العلي")
    page.fill("#id_age_or_year", "11")
    page.click("#dup-search-submit")
    page.wait_for_selector("#dup-none")
    assert page.locator("#dup-warning").count() == 0
    shot("search")
    page.click("#register-new")

    page.wait_for_selector("form[data-step=needs]")
    _steps_run_start_to_end(page, rtl)
    assert page.get_attribute(".intake-step[aria-current=step]", "data-step") == "needs"
    page.check("input[name=needs][value=food]")
    page.fill("#id_needs_notes", "وجبة ساخنة")
    shot("needs")
    page.click("#next")

    page.wait_for_selector("form[data-step=child]")
    assert page.input_value("#id_given_name") == "سارة"  # from the search
    assert page.input_value("#id_family_name") == "العلي"
    assert page.is_checked("#id_birth_date_estimated")
    page.check("input[name=sex][value=f]")
    page.fill("#id_birth_date", "2014-06-01")
    page.select_option("#id_nationality", "SY")
    page.check("input[name=eligibility_criteria][value=in_child_labour]")
    _no_horizontal_scroll(page)
    shot("child")
    page.click("#next")

    page.wait_for_selector("#consent-form")
    assert page.get_attribute("#assent-rule", "data-assent-needed") == "1"
    assert page.get_attribute(".intake-step[aria-current=step]", "data-step") == "consent"
    # Each decision is a toggle button (the label of a hidden radio), big enough for a thumb.
    page.click("label[for=id_caregiver__services_0]")
    page.click("label[for=id_child__services_0]")
    assert page.is_checked("input[name=child__services][value=yes]")
    page.fill("#id_caregiver_name", "مريم")
    _no_horizontal_scroll(page)
    shot("consent")
    page.click("#next")

    page.wait_for_selector("#registration-form")
    assert page.locator("#register-blockers").count() == 0
    page.fill("#id_workplace_name", "ورشة أبو خالد")
    page.fill("#id_hours_per_day", "9")
    page.fill("#id_days_per_week", "6")
    page.check("#id_concern_hazardous_work")
    page.select_option("#id_education_status", "out_of_school")
    _no_horizontal_scroll(page)
    shot("registration")
    page.click("#next")

    page.wait_for_selector("[data-status=registered]")
    shot("case")
    url: str = page.url
    return url.rstrip("/").split("/")[-1]


def test_arabic_phone_walks_search_to_registration(world: World, login: Any) -> None:
    page = login("alice", lang="ar", width=390)
    assert page.get_attribute("html", "dir") == "rtl"
    page.click(".navbar-toggler")
    page.click("[data-nav=register]")
    page.wait_for_url("**/register/")
    case_id = _walk(page, rtl=True)
    case = Case.objects.get(pk=case_id)
    assert case.status == "registered"
    assert case.child.full_name == "سارة محمود العلي"
    assert case.immediate_needs == ["food"]
    assert Registration.objects.get(case=case).hours_per_day == 9


def test_english_desktop_walks_search_to_registration(world: World, login: Any) -> None:
    page = login("alice", lang="en", width=1280)
    assert page.get_attribute("html", "dir") == "ltr"
    page.click("[data-nav=register]")
    assert page.locator("h1").inner_text() == "Register a child"
    case_id = _walk(page, rtl=False)
    assert page.locator("[data-status=registered]").inner_text() == "Registered"
    assert Case.objects.get(pk=case_id).status == "registered"


def test_a_spelling_variant_shows_the_duplicate_warning(world: World, login: Any) -> None:
    ahmad = world.api("alice").post("/cases", child_payload()).json()  # أحمد محمود الخطيب
    body = child_payload()
    body["child"]["given_name"] = "عبد الله"
    abdallah = world.api("alice").post("/cases", body).json()
    theirs = world.api("dave").post("/cases", child_payload()).json()
    page = login("alice", lang="ar", width=390)
    page.goto("/register/")
    page.fill("#id_name", "احمد")
    page.click("#dup-search-submit")
    page.wait_for_selector("#dup-warning")
    assert page.locator(f"#dup-list [data-case='{ahmad['id']}']").count() == 1
    assert page.locator(f"[data-case='{theirs['id']}']").count() == 0
    page.fill("#id_name", "عبدالله الخطيب")
    page.click("#dup-search-submit")
    page.wait_for_selector(f"#dup-list [data-case='{abdallah['id']}']")
    assert page.locator("#dup-list li").count() == 1
    _no_horizontal_scroll(page)
    page.locator("#dup-list a").first.click()
    page.wait_for_url(f"**/cases/{abdallah['id']}/")


def test_a_child_not_eligible_is_referred_out(world: World, login: Any) -> None:
    page = login("alice", lang="en", width=1280)
    page.goto("/register/new/?given_name=Omar")
    page.click("#next")
    page.wait_for_selector("form[data-step=child]")
    page.check("input[name=sex][value=m]")
    page.fill("#id_birth_date", "2012-02-02")
    page.click("#next")  # no criterion ticked
    page.wait_for_selector("#not-eligible-form")
    assert page.locator("#not-eligible-why li").count() >= 1
    page.fill("#id_referred_to", "Community centre: cash assistance")
    page.click("#next")
    page.wait_for_selector("[data-status=referred_out]")
    case = Case.objects.get()
    assert case.status == "referred_out"
    assert case.not_eligible_reason  # the explanation given to the family
    assert case.referred_out_to == "Community centre: cash assistance"


@pytest.mark.screenshots
@pytest.mark.parametrize(("lang", "width"), [("ar", 390), ("en", 1280)])
def test_intake_screenshots(world: World, login: Any, lang: str, width: int) -> None:
    world.api("alice").post("/cases", child_payload())
    page = login("alice", lang=lang, width=width)
    _walk(page, rtl=lang == "ar", shots=f"{lang}-{width}")
    page.goto("/register/?name=احمد")
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"intake-duplicates-{lang}-{width}.png"), full_page=True)
