"""Follow-up, closure and the supervisor's decisions in a real browser (SPEC §8, §9).

Arabic on a phone (390 px) and English on a desktop (1280 px). Arabic tests assert structure
and data, not the new UI texts (their translations are merged later).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from fanous.cases.models import Case
from fanous.conftest import World
from fanous.conftest import local_today as today

from .followup_support import HIGH, closure_requested, plan_approved, plan_pending

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def record_follow_up(page: Any, case_id: str) -> None:
    page.goto(f"/cases/{case_id}/follow-ups/")
    before = page.get_attribute("#next-follow-up", "datetime")
    assert before is not None
    assert before < today().isoformat(), "overdue before the visit"
    page.click("#act-follow-up")
    page.wait_for_url(f"**/cases/{case_id}/follow-ups/new")
    page.select_option("#id_kind", "workplace")
    page.check("#id_child_seen")
    page.click("[data-check=safety_equipment_used] label >> nth=2")  # "partly"
    page.fill("#id_notes", "الطفل يستخدم القفازات أحياناً")
    page.click("#save-follow-up")
    page.wait_for_url(f"**/cases/{case_id}/")
    page.goto(f"/cases/{case_id}/follow-ups/")
    after = page.get_attribute("#next-follow-up", "datetime")
    assert after is not None
    assert after > today().isoformat(), (before, after)
    assert page.locator("[data-follow-up=workplace] [data-answer=partly]").count() == 1


def request_closure(page: Any, case_id: str) -> None:
    page.goto(f"/cases/{case_id}/")
    page.click("#act-closure")
    page.wait_for_url(f"**/cases/{case_id}/closure")
    page.click("label[data-reason=reached_18]")
    page.fill("#id_justification", "بلغ الطفل 18 عاماً")
    page.click("#send-closure")
    alert = page.locator("#form-errors[role=alert]")
    alert.wait_for()
    assert alert.locator("[data-reason=closure_age_too_low]").count() == 1
    assert page.is_checked("#reason-reached_18"), "the form keeps what was entered"
    page.click("label[data-reason=adolescent_sufficient_improvement]")
    page.fill("#id_justification", "تحسّن كافٍ في السلامة والرفاه")
    page.click("#send-closure")
    page.wait_for_url(f"**/cases/{case_id}/")
    assert page.locator("[data-status=closure_requested]").count() >= 1


def test_arabic_phone_caseworker_follows_up_then_closure_is_refused_then_sent(
    world: World, login: Any
) -> None:
    case = plan_approved(world, days_ago=15)
    cid = case["id"]
    page = login("alice", lang="ar", width=390)
    assert page.get_attribute("html", "dir") == "rtl"
    record_follow_up(page, cid)
    request_closure(page, cid)
    # No page is wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_arabic_phone_supervisor_approves_the_closure_from_the_queue(
    world: World, login: Any
) -> None:
    cid = closure_requested(world)["id"]
    bob = login("bob", lang="ar", width=390)
    assert bob.get_attribute("html", "lang") == "ar"
    bob.click("button.navbar-toggler")
    bob.click("[data-nav=approvals]")
    bob.wait_for_url("**/supervision/")
    item = bob.locator(f"#approvals [data-case='{cid}']")
    assert item.get_attribute("data-subject") == "closure"
    item.locator("a").click()
    bob.wait_for_url(f"**/supervision/cases/{cid}/")
    assert bob.locator("#closure-request").get_attribute("data-reason") == (
        "adolescent_sufficient_improvement"
    )
    assert bob.evaluate("document.documentElement.scrollWidth") <= 390
    bob.click("#approve")
    bob.wait_for_url("**/supervision/")
    assert bob.locator("#approvals-empty").count() == 1
    assert Case.objects.get(pk=cid).status == "closed"
    bob.goto(f"/cases/{cid}/")
    assert bob.locator("[data-status=closed]").count() >= 1


def test_english_desktop_caseworker_sees_why_closure_is_refused(world: World, login: Any) -> None:
    case = plan_approved(world, days_ago=15)
    page = login("alice", lang="en", width=1280)
    assert page.get_attribute("html", "dir") == "ltr"
    record_follow_up(page, case["id"])
    request_closure(page, case["id"])
    # The caseworker never sees the supervisor's buttons.
    page.goto(f"/supervision/cases/{case['id']}/")
    assert page.locator("#approve").count() == 0
    assert page.locator("#no-decision").count() == 1


def test_english_desktop_supervisor_approves_a_pending_plan_from_the_queue(
    world: World, login: Any
) -> None:
    high = plan_pending(world, facts=HIGH, birth=date(2010, 5, 1), name="Sami")
    closing = closure_requested(world, name="Laila")
    page = login("bob", lang="en", width=1280)
    page.click("[data-nav=approvals]")
    page.wait_for_url("**/supervision/")
    items = page.locator("#approvals li")
    assert items.count() == 2
    assert items.nth(0).get_attribute("data-case") == high["id"], "high risk first"
    assert items.nth(0).locator("[data-risk=high]").count() == 1
    items.nth(0).locator("a").click()
    page.wait_for_url(f"**/supervision/cases/{high['id']}/")
    assert page.locator("#safety-plan").count() == 1
    assert "Approve case plan" in page.locator("#approve").inner_text()
    page.click("#approve")
    page.wait_for_url("**/supervision/")
    assert "Case plan approved." in page.locator("main [role=status]").first.inner_text()
    assert page.locator("#approvals li").count() == 1
    assert page.locator("#approvals li").get_attribute("data-case") == closing["id"]
    assert Case.objects.get(pk=high["id"]).status == "plan_approved"


@pytest.mark.screenshots
@pytest.mark.parametrize(("lang", "width"), [("ar", 390), ("en", 1280)])
def test_followup_screenshots(world: World, login: Any, lang: str, width: int) -> None:
    """`pytest -m screenshots`: the follow-up and supervision pages, to look at after a change."""
    from .test_screenshots import OUT

    OUT.mkdir(exist_ok=True)
    follow = plan_approved(world, days_ago=15, name="سارة")
    high = plan_pending(world, facts=HIGH, birth=date(2010, 5, 1), name="يوسف")
    closure_requested(world, name="ليلى")
    page = login("alice", lang=lang, width=width)
    shots = {
        "case": f"/cases/{follow['id']}/",
        "follow-up": f"/cases/{follow['id']}/follow-ups/new",
        "review": f"/cases/{high['id']}/reviews/new",
        "closure": f"/cases/{follow['id']}/closure",
    }
    for name, url in shots.items():
        page.goto(url)
        page.screenshot(path=str(OUT / f"followup-{name}-{lang}-{width}.png"), full_page=True)
    page.click("label[data-reason=reached_18]")
    page.fill("#id_justification", "x")
    page.click("#send-closure")
    page.locator("#form-errors").wait_for()
    page.screenshot(path=str(OUT / f"followup-closure-error-{lang}-{width}.png"), full_page=True)
    bob = login("bob", lang=lang, width=width)
    for name, url in {
        "approvals": "/supervision/",
        "decision": f"/supervision/cases/{high['id']}/",
        "team": "/supervision/team",
        "case-supervisor": f"/cases/{high['id']}/",
        "list": f"/cases/{follow['id']}/follow-ups/",
    }.items():
        bob.goto(url)
        bob.screenshot(path=str(OUT / f"followup-{name}-{lang}-{width}.png"), full_page=True)
