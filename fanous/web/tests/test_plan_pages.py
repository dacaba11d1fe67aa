"""The case plan editor through the Django client (SPEC §7): rows without JavaScript, draft,
submission, the high-risk refusals and stale versions."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from fanous.cases.models import Case, CasePlan, PlanAction
from fanous.conftest import World, ok
from fanous.web.tests.test_assessment_pages import assessed_case, client_for, snapshot

pytestmark = pytest.mark.django_db


def in_days(n: int) -> str:
    return (datetime.now(ZoneInfo("Asia/Amman")).date() + timedelta(days=n)).isoformat()


def plan_post(case: dict[str, Any], op: str = "save", **extra: str) -> dict[str, str]:
    """Two goals as the page posts them, plus an empty goal row the page offered."""
    return {
        "version": str(case["version"]),
        "op": op,
        "goals": "3",
        "g0-horizon": "immediate",
        "g0-kind": "need",
        "g0-description": "إبعاد الطفل عن الأعمال الخطرة",
        "g0-actions": "2",
        "g0-a0-description": "وساطة مع صاحب العمل",
        "g0-a0-responsible": "المرشد الاجتماعي",
        "g0-a0-due_on": in_days(5),
        "g0-a0-service_type": "direct_support",
        "g0-a1-description": "",
        "g0-a1-responsible": "",
        "g0-a1-due_on": "",
        "g0-a1-service_type": "",
        "g1-horizon": "long",
        "g1-kind": "want",
        "g1-description": "العودة إلى التعليم",
        "g1-actions": "1",
        "g1-a0-description": "التسجيل في التعليم غير النظامي",
        "g1-a0-responsible": "الأم",
        "g1-a0-due_on": in_days(30),
        "g1-a0-service_type": "education",
        "g2-horizon": "immediate",
        "g2-kind": "need",
        "g2-description": "",
        "g2-actions": "1",
        "g2-a0-description": "",
        "g2-a0-responsible": "",
        "g2-a0-due_on": "",
        "g2-a0-service_type": "",
        "root_causes": "اقتصادية",
        "child_views": "يريد أن يتعلم",
        "caregiver_views": "",
        **extra,
    }


SAFETY = {
    "safety_contacts": "0790000000",
    "safe_places": "المركز المجتمعي",
    "warning_signs": "تهديد صاحب العمل",
    "protective_equipment": "قفازات",
}


def test_plan_page_shows_the_deadline_and_one_empty_goal(world: World) -> None:
    case = assessed_case(world, {"hours_per_week": 10}, comprehensive=True)
    page = client_for(world, "alice").get(f"/cases/{case['id']}/plan").content.decode()
    assert f'data-due="{case["deadlines"]["plan_due_on"]}"' in page
    assert 'name="g0-description"' in page
    assert 'name="g1-description"' not in page
    assert 'id="submit-plan"' in page
    assert 'data-notice="high_risk_not_discussed"' not in page
    assert 'id="safety-plan" aria-labelledby="safety-h" data-required="false"' in page


def test_draft_with_two_goals_is_saved_and_empty_rows_are_left_out(world: World) -> None:
    case = assessed_case(world, {"hours_per_week": 10}, comprehensive=True)
    alice = client_for(world, "alice")
    res = alice.post(f"/cases/{case['id']}/plan", plan_post(case))
    assert res.status_code == 302
    assert res["Location"] == f"/cases/{case['id']}/plan"
    plan = CasePlan.objects.get(case_id=case["id"])
    assert plan.status == "draft"
    goals = list(plan.goals.order_by("position"))
    assert [(g.horizon, g.kind) for g in goals] == [("immediate", "need"), ("long", "want")]
    assert PlanAction.objects.filter(goal__plan=plan).count() == 2
    assert plan.root_causes == "اقتصادية"
    assert Case.objects.get(pk=case["id"]).status == "comprehensive_assessment"
    # The page reopens on the saved draft.
    page = alice.get(f"/cases/{case['id']}/plan").content.decode()
    assert "العودة إلى التعليم" in page
    assert 'data-plan-status="draft"' in page


def test_add_and_remove_rows_work_without_javascript_and_save_nothing(world: World) -> None:
    case = assessed_case(world, {"hours_per_week": 10}, comprehensive=True)
    before = snapshot(case["id"])
    alice = client_for(world, "alice")
    page = alice.post(f"/cases/{case['id']}/plan", plan_post(case, op="add_goal")).content.decode()
    assert 'name="g3-description"' in page
    assert 'data-focus="id_g3-description"' in page
    assert "العودة إلى التعليم" in page, "what was typed is kept"
    page = alice.post(
        f"/cases/{case['id']}/plan", plan_post(case, op="add_action-1")
    ).content.decode()
    assert 'name="g1-a1-description"' in page
    page = alice.post(
        f"/cases/{case['id']}/plan", plan_post(case, op="remove_goal-0")
    ).content.decode()
    assert "إبعاد الطفل عن الأعمال الخطرة" not in page
    assert 'name="g0-description"' in page
    assert 'name="g2-description"' not in page
    assert not CasePlan.objects.exists()
    assert snapshot(case["id"]) == before


def test_medium_risk_plan_is_submitted_for_approval(world: World) -> None:
    case = assessed_case(world, {"hours_per_week": 20}, comprehensive=True)
    assert case["risk"]["level"] == "medium"
    res = client_for(world, "alice").post(f"/cases/{case['id']}/plan", plan_post(case, op="submit"))
    assert res.status_code == 302
    assert res["Location"] == f"/cases/{case['id']}/"
    assert CasePlan.objects.get(case_id=case["id"]).status == "submitted"
    assert Case.objects.get(pk=case["id"]).status == "plan_pending_approval"
    page = client_for(world, "alice").get(f"/cases/{case['id']}/plan").content.decode()
    assert 'id="notice-pending"' in page
    assert 'id="plan-form"' not in page


def test_high_risk_submission_without_safety_plan_or_discussion_changes_nothing(
    world: World,
) -> None:
    case = assessed_case(world, {"trafficking": True}, comprehensive=True)
    assert case["risk"]["level"] == "high"
    alice = client_for(world, "alice")
    page = alice.get(f"/cases/{case['id']}/plan").content.decode()
    assert 'data-notice="high_risk_not_discussed"' in page
    assert 'data-required="true"' in page
    assert 'aria-required="true"' in page
    before = snapshot(case["id"])
    res = alice.post(f"/cases/{case['id']}/plan", plan_post(case, op="submit"))
    assert res.status_code == 422
    page = res.content.decode()
    assert 'role="alert"' in page
    assert 'data-reason="safety_plan_missing"' in page
    assert 'data-reason="high_risk_not_discussed"' in page
    assert "discuss it with your supervisor" in page
    assert "العودة إلى التعليم" in page, "what was typed is kept"
    assert not CasePlan.objects.exists(), "the draft is not half-saved"
    assert snapshot(case["id"]) == before


def test_high_risk_plan_goes_once_safety_plan_and_discussion_are_recorded(world: World) -> None:
    case = assessed_case(world, {"trafficking": True}, comprehensive=True)
    ok(
        world.api("bob").post(
            f"/cases/{case['id']}/reviews",
            {"kind": "supervision", "held_on": in_days(0), "summary": "ناقشنا خطة السلامة"},
        ),
        201,
    )
    case = ok(world.api("alice").get(f"/cases/{case['id']}"))
    alice = client_for(world, "alice")
    assert 'data-notice="high_risk_not_discussed"' not in (
        alice.get(f"/cases/{case['id']}/plan").content.decode()
    )
    res = alice.post(f"/cases/{case['id']}/plan", plan_post(case, op="submit", **SAFETY))
    assert res.status_code == 302
    assert Case.objects.get(pk=case["id"]).status == "plan_pending_approval"


def test_missing_action_fields_are_shown_next_to_them(world: World) -> None:
    case = assessed_case(world, {"hours_per_week": 10}, comprehensive=True)
    before = snapshot(case["id"])
    body = plan_post(case)
    body["g1-a0-responsible"] = ""
    body["g1-a0-due_on"] = "not a date"
    res = client_for(world, "alice").post(f"/cases/{case['id']}/plan", body)
    assert res.status_code == 422
    page = res.content.decode()
    assert 'data-error="invalid"' in page
    assert 'aria-describedby="id_g1-a0-responsible_error"' in page
    assert 'aria-describedby="id_g1-a0-due_on_error"' in page
    assert not CasePlan.objects.exists()
    assert snapshot(case["id"]) == before


def test_stale_version_shows_the_conflict_message(world: World) -> None:
    case = assessed_case(world, {"hours_per_week": 10}, comprehensive=True)
    alice = client_for(world, "alice")
    assert alice.post(f"/cases/{case['id']}/plan", plan_post(case)).status_code == 302
    before = snapshot(case["id"])
    res = alice.post(f"/cases/{case['id']}/plan", plan_post(case, child_views="نسخة قديمة"))
    assert res.status_code == 422
    assert 'data-error="stale"' in res.content.decode()
    assert CasePlan.objects.get().child_views == "يريد أن يتعلم"
    assert snapshot(case["id"]) == before
