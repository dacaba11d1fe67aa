"""Assessments and the case plan in a real browser, Arabic on a phone and English on a desk
(SPEC §3-§7): the live risk badge, the saved assessments, a plan submitted, a refusal."""

from __future__ import annotations

from typing import Any

import pytest

from fanous.cases.models import Assessment, Case, CasePlan
from fanous.conftest import World
from fanous.web.tests.test_assessment_pages import assessed_case, registered_case, snapshot
from fanous.web.tests.test_plan_pages import in_days

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def level(page: Any) -> str:
    return str(page.locator("#preview-level").get_attribute("data-level"))


def wait_level(page: Any, value: str) -> None:
    page.wait_for_selector(f"#preview-level[data-level={value}]")


def fill_goal(page: Any, i: int, goal: str, action: str, days: int) -> None:
    page.fill(f"#id_g{i}-description", goal)
    page.fill(f"#id_g{i}-a0-description", action)
    page.fill(f"#id_g{i}-a0-responsible", "المرشد الاجتماعي")
    page.fill(f"#id_g{i}-a0-due_on", in_days(days))


@pytest.mark.parametrize(("lang", "width"), [("ar", 390), ("en", 1280)])
def test_caseworker_records_assessments_watching_the_live_risk(
    world: World, login: Any, lang: str, width: int
) -> None:
    case = registered_case(world)
    cid = case["id"]
    page = login("alice", lang=lang, width=width)
    page.goto(f"/cases/{cid}/")
    page.click("#action-initial-assessment")
    page.wait_for_url(f"**/cases/{cid}/assessments/new?kind=initial")
    assert page.get_attribute("html", "dir") == ("rtl" if lang == "ar" else "ltr")
    assert page.locator("#risk-preview").get_attribute("aria-live") == "polite"
    assert page.locator("details[data-section^=hazard-]").count() == 6
    assert page.locator("[name=fact_age]").count() == 0
    assert level(page) == "none"

    # Ticking a hazard gives low risk; a worst form (trafficking) makes it high, live.
    page.click("#section-hazard-closed_places > summary")
    page.click("label[for=id_fact_hazard__chemicals_yes]")
    wait_level(page, "low")
    answered = page.inner_text("#section-hazard-closed_places [data-answered]")
    assert answered == "1"
    page.click("label[for=id_fact_trafficking_yes]")
    wait_level(page, "high")
    assert page.locator("#preview-factors [data-rule='worst_form.trafficking']").count() == 1
    assert not Assessment.objects.exists(), "the preview stores nothing"
    page.click("label[for=id_fact_trafficking_unknown]")
    wait_level(page, "low")
    page.click("#save-assessment")
    page.wait_for_url(f"**/cases/{cid}/")
    assert page.locator(".card [data-risk=low]").count() >= 1

    # Comprehensive assessment: starts from the initial answers; the child's own words.
    page.click("#action-comprehensive-assessment")
    page.wait_for_url(f"**/cases/{cid}/assessments/new?kind=comprehensive")
    assert page.is_checked("#id_fact_hazard__chemicals_yes")
    page.fill("#id_narrative_child_wishes", "أريد أن أعود إلى المدرسة")
    page.click("#save-assessment")
    page.wait_for_url(f"**/cases/{cid}/")
    stored = Case.objects.get(pk=cid)
    assert stored.status == "comprehensive_assessment"
    assert Assessment.objects.get(case_id=cid, kind="comprehensive").narrative == {
        "child_wishes": "أريد أن أعود إلى المدرسة"
    }


@pytest.mark.parametrize(("lang", "width"), [("ar", 390), ("en", 1280)])
def test_caseworker_writes_a_plan_with_two_goals_and_submits_it(
    world: World, login: Any, lang: str, width: int
) -> None:
    # Where the previous test ends: comprehensive assessment done, low risk.
    case = assessed_case(world, {"hazard.chemicals": True}, comprehensive=True)
    cid = case["id"]
    assert case["risk"]["level"] == "low"
    page = login("alice", lang=lang, width=width)
    page.goto(f"/cases/{cid}/")
    # Two goals, the second row added with HTMX, then submitted.
    page.click("#action-case-plan")
    page.wait_for_url(f"**/cases/{cid}/plan")
    assert page.locator("#plan-due time").count() == 1
    fill_goal(page, 0, "إبعاد الطفل عن المواد الكيميائية", "وساطة مع صاحب العمل", 3)
    page.click("#add-goal")
    page.wait_for_selector("#id_g1-description")
    assert page.evaluate("document.activeElement.id") == "id_g1-description"
    assert page.input_value("#id_g0-description") == "إبعاد الطفل عن المواد الكيميائية"
    page.select_option("#id_g1-horizon", "long")
    page.select_option("#id_g1-kind", "want")
    fill_goal(page, 1, "العودة إلى التعليم", "التسجيل في التعليم غير النظامي", 30)
    page.select_option("#id_g1-a0-service_type", "education")
    page.click("#submit-plan")
    page.wait_for_url(f"**/cases/{cid}/")
    assert Case.objects.get(pk=cid).status == "plan_pending_approval"
    plan = CasePlan.objects.get(case_id=cid)
    assert plan.status == "submitted"
    assert [g.horizon for g in plan.goals.order_by("position")] == ["immediate", "long"]


@pytest.mark.parametrize(("lang", "width"), [("en", 1280), ("ar", 390)])
def test_high_risk_plan_submission_shows_the_refusal_and_changes_nothing(
    world: World, login: Any, lang: str, width: int
) -> None:
    case = assessed_case(world, {"trafficking": True}, comprehensive=True)
    cid = case["id"]
    before = snapshot(cid)
    page = login("alice", lang=lang, width=width)
    page.goto(f"/cases/{cid}/plan")
    assert page.locator("#notice-discussion").is_visible()
    assert page.get_attribute("#safety-plan", "data-required") == "true"
    # The safety plan comes first on a high-risk case.
    safety_y = page.locator("#safety-plan").bounding_box()["y"]
    assert safety_y < page.locator("#goals-h").bounding_box()["y"]
    if lang == "en":
        assert "supervisor must record a discussion" in page.inner_text("#notice-discussion")
    fill_goal(page, 0, "إبعاد الطفل عن الاتجار", "إحالة عاجلة", 1)
    page.click("#submit-plan")
    page.wait_for_selector("#form-error")
    codes = page.locator("#form-error [data-reason]").evaluate_all(
        "els => els.map(e => e.dataset.reason)"
    )
    assert set(codes) == {"safety_plan_missing", "high_risk_not_discussed"}
    assert page.input_value("#id_g0-description") == "إبعاد الطفل عن الاتجار"
    assert not CasePlan.objects.exists()
    assert snapshot(cid) == before
