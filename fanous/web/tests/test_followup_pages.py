"""Follow-up, review and closure pages through the Django client (SPEC §4, §8, §9)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client

from fanous.audit.models import Event
from fanous.cases.models import Case, ClosureRequest, FollowUp, Review
from fanous.conftest import World
from fanous.conftest import local_today as today

from .followup_support import HIGH, at_comprehensive, plan_approved

pytestmark = pytest.mark.django_db


def client_for(world: World, name: str, lang: str = "en") -> Client:
    user = world.users[name]
    user.language = lang
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    return client


def test_caseworker_records_a_follow_up_and_the_next_due_date_moves(world: World) -> None:
    case = plan_approved(world, days_ago=15)
    before = Case.objects.get(pk=case["id"]).next_follow_up_on
    assert before is not None
    assert before < today(), "the slot after approval is overdue"
    alice = client_for(world, "alice")
    page = alice.get(f"/cases/{case['id']}/follow-ups/new")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('data-check="') == 9
    assert 'id="next-follow-up"' in html
    res = alice.post(
        f"/cases/{case['id']}/follow-ups/new",
        {
            "record_id": "1b0f3a6e-3d54-4a3c-9d0a-0a4c5d2c7e11",
            "kind": "school",
            "happened_on": today().isoformat(),
            "child_seen": "on",
            "check_school_enrolment_attendance": "yes",
            "check_safety_equipment_used": "partly",
            "notes": "حضر الطفل إلى المدرسة",
        },
    )
    assert res.status_code == 302
    assert res["Location"] == f"/cases/{case['id']}/"
    fu = FollowUp.objects.get(case_id=case["id"])
    assert fu.checks == {"school_enrolment_attendance": "yes", "safety_equipment_used": "partly"}
    assert fu.child_seen
    assert fu.kind == "school"
    stored = Case.objects.get(pk=case["id"])
    assert stored.status == "implementation"
    assert stored.next_follow_up_on is not None
    assert stored.next_follow_up_on > today()
    listing = alice.get(f"/cases/{case['id']}/follow-ups/").content.decode()
    assert 'data-follow-up="school"' in listing
    assert 'data-answer="partly"' in listing


def test_follow_up_in_the_future_is_refused_in_the_form_and_nothing_is_saved(
    world: World,
) -> None:
    case = plan_approved(world)
    events = Event.objects.count()
    res = client_for(world, "alice").post(
        f"/cases/{case['id']}/follow-ups/new",
        {
            "record_id": "2b0f3a6e-3d54-4a3c-9d0a-0a4c5d2c7e11",
            "kind": "phone",
            "happened_on": (today() + timedelta(days=2)).isoformat(),
        },
    )
    assert res.status_code == 422
    html = res.content.decode()
    assert 'role="alert"' in html
    assert 'data-code="date_future"' in html
    assert "future date" in html
    assert FollowUp.objects.count() == 0
    assert Event.objects.count() == events


def test_closure_refused_for_age_shows_the_domain_reason_then_a_valid_reason_is_sent(
    world: World,
) -> None:
    case = plan_approved(world)  # the child is 16
    alice = client_for(world, "alice")
    url = f"/cases/{case['id']}/closure"
    page = alice.get(url).content.decode()
    assert 'data-reason="reached_18" data-min-age="18"' in page
    assert 'data-reason="refuses_support" data-min-age="15" data-max-age="18"' in page
    assert page.count('data-condition="flag"') >= 4
    res = alice.post(
        url, {"version": case["version"], "reason": "reached_18", "justification": "بلغ 18"}
    )
    assert res.status_code == 422
    html = res.content.decode()
    assert 'data-reason="closure_age_too_low"' in html
    assert "applies from age 18; the child is 16" in html
    assert 'value="reached_18" id="reason-reached_18" checked' in html, "the choice is kept"
    assert Case.objects.get(pk=case["id"]).status == "plan_approved"
    assert not ClosureRequest.objects.exists()
    res = alice.post(
        url,
        {
            "version": case["version"],
            "reason": "adolescent_sufficient_improvement",
            "justification": "تحسّن كافٍ في السلامة",
        },
    )
    assert res.status_code == 302
    assert Case.objects.get(pk=case["id"]).status == "closure_requested"
    assert ClosureRequest.objects.get().reason == "adolescent_sufficient_improvement"


def test_a_stale_closure_form_says_reload_and_changes_nothing(world: World) -> None:
    case = plan_approved(world)
    res = client_for(world, "alice").post(
        f"/cases/{case['id']}/closure",
        {
            "version": case["version"] - 1,
            "reason": "death",
            "justification": "x",
        },
    )
    assert res.status_code == 409
    assert 'data-action="reload"' in res.content.decode()
    assert Case.objects.get(pk=case["id"]).status == "plan_approved"


def test_transition_plan_is_asked_for_a_child_turning_18_soon(world: World) -> None:
    birth = today().replace(year=today().year - 18) + timedelta(days=60)
    case = plan_approved(world, birth=birth)
    alice = client_for(world, "alice")
    assert 'id="transition-needed"' in alice.get(f"/cases/{case['id']}/closure").content.decode()
    res = alice.post(
        f"/cases/{case['id']}/closure",
        {
            "version": case["version"],
            "reason": "adolescent_sufficient_improvement",
            "justification": "x",
        },
    )
    assert res.status_code == 422
    assert 'data-reason="closure_transition_plan_missing"' in res.content.decode()


def test_only_the_supervisor_records_the_discussion_that_unlocks_a_high_risk_case(
    world: World,
) -> None:
    case = at_comprehensive(world.api("alice"), facts=HIGH, birth=date(2010, 5, 1))
    cid = case["id"]
    alice, bob = client_for(world, "alice"), client_for(world, "bob")
    detail = alice.get(f"/cases/{cid}/").content.decode()
    assert 'data-discussed="no"' in detail
    assert 'id="act-supervision"' not in detail, "the caseworker cannot record it"
    form = alice.get(f"/cases/{cid}/reviews/new").content.decode()
    assert 'id="needs-discussion"' in form
    assert 'value="supervision"' not in form
    res = alice.post(
        f"/cases/{cid}/reviews/new",
        {
            "record_id": "3b0f3a6e-3d54-4a3c-9d0a-0a4c5d2c7e11",
            "kind": "supervision",
            "held_on": today().isoformat(),
            "summary": "x",
        },
    )
    assert res.status_code == 422
    assert Case.objects.get(pk=cid).high_risk_discussed_at is None
    assert 'id="act-supervision"' in bob.get(f"/cases/{cid}/").content.decode()
    res = bob.post(
        f"/cases/{cid}/reviews/new",
        {
            "record_id": "4b0f3a6e-3d54-4a3c-9d0a-0a4c5d2c7e11",
            "kind": "supervision",
            "held_on": today().isoformat(),
            "participants": "Alice, Bob",
            "summary": "ناقشنا خطة السلامة",
        },
    )
    assert res.status_code == 302
    assert Case.objects.get(pk=cid).high_risk_discussed_at is not None
    assert 'data-discussed="yes"' in alice.get(f"/cases/{cid}/").content.decode()


def test_a_review_moves_follow_up_to_the_stable_phase(world: World) -> None:
    case = plan_approved(world)
    before = Case.objects.get(pk=case["id"]).next_follow_up_on
    res = client_for(world, "alice").post(
        f"/cases/{case['id']}/reviews/new",
        {
            "record_id": "5b0f3a6e-3d54-4a3c-9d0a-0a4c5d2c7e11",
            "kind": "review",
            "held_on": today().isoformat(),
            "summary": "الطفل عاد إلى المدرسة",
            "follow_up_phase": "stable",
        },
    )
    assert res.status_code == 302
    stored = Case.objects.get(pk=case["id"])
    assert stored.follow_up_phase == "stable"
    assert before is not None
    assert stored.next_follow_up_on is not None
    assert stored.next_follow_up_on > before
    assert Review.objects.get().follow_up_phase == "stable"


PAGES = [
    ("get", "/cases/{id}/follow-ups/", {}),
    ("get", "/cases/{id}/follow-ups/new", {}),
    ("get", "/cases/{id}/reviews/new", {}),
    ("get", "/cases/{id}/closure", {}),
    (
        "post",
        "/cases/{id}/follow-ups/new",
        {
            "record_id": "6b0f3a6e-3d54-4a3c-9d0a-0a4c5d2c7e11",
            "kind": "phone",
            "happened_on": "{today}",
        },
    ),
    (
        "post",
        "/cases/{id}/reviews/new",
        {
            "record_id": "7b0f3a6e-3d54-4a3c-9d0a-0a4c5d2c7e11",
            "kind": "review",
            "held_on": "{today}",
            "summary": "x",
        },
    ),
    (
        "post",
        "/cases/{id}/closure",
        {"version": "{version}", "reason": "death", "justification": "x"},
    ),
]


@pytest.mark.parametrize("who", ["dave", "dora", "carol", "erin"])
def test_outsiders_get_404_on_every_follow_up_page_and_change_nothing(
    world: World, who: str
) -> None:
    """Another agency's caseworker and supervisor, and another team of the same agency."""
    case = plan_approved(world)
    events = Event.objects.count()
    client = client_for(world, who)
    for method, url, body in PAGES:
        data: dict[str, Any] = {
            k: v.format(today=today().isoformat(), version=case["version"]) for k, v in body.items()
        }
        res = getattr(client, method)(url.format(id=case["id"]), data)
        assert res.status_code == 404, (method, url)
        assert "أحمد" not in res.content.decode()
    assert Event.objects.count() == events
    assert not FollowUp.objects.exists()
    assert not Review.objects.exists()
    assert Case.objects.get(pk=case["id"]).status == "plan_approved"
