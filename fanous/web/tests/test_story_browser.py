"""One child, start to finish, in the browser (SPEC §3-§9): the caseworker searches,
registers, assesses and plans; the supervisor approves the plan; the caseworker follows up
and proposes closure; the supervisor approves it. Arabic on a phone, English on a desktop.
"""

from __future__ import annotations

from typing import Any

import pytest

from fanous.audit.models import Event
from fanous.cases.models import Case
from fanous.conftest import World
from fanous.web.tests.test_intake_browser import _walk
from fanous.web.tests.test_plan_pages import in_days
from fanous.web.tests.untranslated import untranslated

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _check_language(page: Any, lang: str) -> None:
    assert page.get_attribute("html", "dir") == ("rtl" if lang == "ar" else "ltr")
    if lang == "ar":
        assert untranslated(page.locator("body").inner_text()) == [], page.url


def _supervisor_approves(bob: Any, cid: str, subject: str, lang: str) -> None:
    bob.goto("/supervision/")
    item = bob.locator(f"#approvals [data-case='{cid}']")
    assert item.get_attribute("data-subject") == subject
    item.locator("a").click()
    bob.wait_for_url(f"**/supervision/cases/{cid}/")
    _check_language(bob, lang)
    bob.click("#approve")
    bob.wait_for_url("**/supervision/")


@pytest.mark.parametrize(("lang", "width"), [("ar", 390), ("en", 1280)])
def test_a_child_from_search_to_approved_closure(
    world: World, login: Any, lang: str, width: int
) -> None:
    alice = login("alice", lang=lang, width=width)
    cid = _walk(alice, rtl=lang == "ar")
    _check_language(alice, lang)

    # Initial and comprehensive assessments, with a hazard of the §6 checklist.
    alice.click("#action-initial-assessment")
    alice.wait_for_url(f"**/cases/{cid}/assessments/new?kind=initial")
    _check_language(alice, lang)
    alice.click("#section-hazard-closed_places > summary")
    alice.click("label[for=id_fact_hazard__chemicals_yes]")
    alice.wait_for_selector("#preview-level[data-level]:not([data-level=none])")
    alice.click("#save-assessment")
    alice.wait_for_url(f"**/cases/{cid}/")
    alice.click("#action-comprehensive-assessment")
    alice.wait_for_url(f"**/cases/{cid}/assessments/new?kind=comprehensive")
    alice.fill("#id_narrative_child_wishes", "أريد أن أعود إلى المدرسة")
    alice.click("#save-assessment")
    alice.wait_for_url(f"**/cases/{cid}/")
    # 12 years old, 54 hours a week in a workshop with chemicals: high risk (SPEC §4).
    assert Case.objects.get(pk=cid).risk_level == "high"

    # A high-risk case is discussed with the supervisor before any action.
    bob = login("bob", lang=lang, width=width)
    bob.goto(f"/cases/{cid}/reviews/new")
    _check_language(bob, lang)
    bob.select_option("#id_kind", "supervision")
    bob.fill("#id_summary", "ناقشنا المخاطر وخطة السلامة مع المرشدة")
    bob.click("#save-review")
    bob.wait_for_url(f"**/cases/{cid}/")
    assert Case.objects.get(pk=cid).high_risk_discussed_at is not None

    # The case plan with its safety plan, submitted for approval.
    alice.click("#action-case-plan")
    alice.wait_for_url(f"**/cases/{cid}/plan")
    _check_language(alice, lang)
    alice.fill("#id_g0-description", "إبعاد الطفل عن المواد الكيميائية")
    alice.fill("#id_g0-a0-description", "وساطة مع صاحب العمل")
    alice.fill("#id_g0-a0-responsible", "المرشد الاجتماعي")
    alice.fill("#id_g0-a0-due_on", in_days(5))
    assert alice.get_attribute("#safety-plan", "data-required") == "true"
    alice.fill("#id_safety_contacts", "0790000000")
    alice.fill("#id_safe_places", "المركز المجتمعي")
    alice.fill("#id_warning_signs", "العمل ليلاً")
    alice.fill("#id_protective_equipment", "قفازات")
    alice.click("#submit-plan")
    alice.wait_for_url(f"**/cases/{cid}/")
    assert Case.objects.get(pk=cid).status == "plan_pending_approval"

    # The supervisor approves the plan from the approvals queue.
    _supervisor_approves(bob, cid, "plan", lang)
    assert Case.objects.get(pk=cid).status == "plan_approved"

    # A follow-up visit starts implementation; then the caseworker proposes closure.
    alice.goto(f"/cases/{cid}/follow-ups/new")
    _check_language(alice, lang)
    alice.select_option("#id_kind", "home_visit")
    alice.check("#id_child_seen")
    alice.click("#save-follow-up")
    alice.wait_for_url(f"**/cases/{cid}/")
    assert Case.objects.get(pk=cid).status == "implementation"
    alice.goto(f"/cases/{cid}/closure")
    _check_language(alice, lang)
    alice.click("label[data-reason=relocated_or_lost_contact]")
    alice.check("#flag-contact_attempts_recorded")
    alice.fill("#id_justification", "انتقلت الأسرة إلى محافظة أخرى ولم نتمكن من الوصول إليها")
    alice.click("#send-closure")
    alice.wait_for_url(f"**/cases/{cid}/")
    assert Case.objects.get(pk=cid).status == "closure_requested"

    # Closure is the supervisor's decision.
    _supervisor_approves(bob, cid, "closure", lang)
    case = Case.objects.get(pk=cid)
    assert case.status == "closed"
    assert case.closure_reason == "relocated_or_lost_contact"
    bob.goto(f"/cases/{cid}/")
    assert bob.locator("[data-status=closed]").count() >= 1
    _check_language(bob, lang)
    statuses = [
        e.changes["status"][1]
        for e in Event.objects.filter(case_id=cid).order_by("at")
        if "status" in e.changes
    ]
    assert statuses[0] == "identified"
    assert statuses[-3:] == ["implementation", "closure_requested", "closed"]
