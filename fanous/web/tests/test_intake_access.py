"""Need to know on the intake pages: outsiders get 404, POSTs change nothing, and the
duplicate search never shows another agency's child (SPEC §3, §12)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from fanous.audit.models import Event
from fanous.cases.models import Case, Consent, Registration
from fanous.conftest import World, child_payload

pytestmark = pytest.mark.django_db

STEPS = ("web:intake_consent", "web:intake_registration", "web:intake_not_eligible")


def _client(world: World, name: str) -> Client:
    client = Client()
    client.force_login(world.users[name])
    return client


def _alices_case(world: World, **overrides: object) -> dict[str, Any]:
    made: dict[str, Any] = world.api("alice").post("/cases", child_payload(**overrides)).json()
    return made


def _state(case_id: str) -> tuple[object, ...]:
    case = Case.objects.get(pk=case_id)
    return (
        case.version,
        case.status,
        case.not_eligible_reason,
        Consent.objects.filter(case=case).count(),
        Registration.objects.filter(case=case).count(),
        Event.objects.filter(case=case).count(),
    )


@pytest.mark.parametrize("step", STEPS)
@pytest.mark.parametrize("outsider", ["dave", "dora", "carol", "cora", "sam", "adam"])
def test_outsiders_get_404_on_each_step_and_their_posts_change_nothing(
    world: World, step: str, outsider: str
) -> None:
    case = _alices_case(world)
    before = _state(case["id"])
    client = _client(world, outsider)
    url = reverse(step, args=[case["id"]])
    assert client.get(url).status_code == 404
    posts = {
        "web:intake_consent": {
            "batch": str(uuid.uuid4()),
            "method": "verbal",
            "caregiver__services": "yes",
            "child__services": "yes",
        },
        "web:intake_registration": {"version": case["version"], "workplace_name": "x"},
        "web:intake_not_eligible": {
            "version": case["version"],
            "reason": "x",
            "referred_to": "y",
        },
    }
    response = client.post(url, posts[step])
    assert response.status_code == 404
    assert "الخطيب" not in response.content.decode()
    assert _state(case["id"]) == before


@pytest.mark.parametrize("insider", ["alice", "bob"])
def test_the_assigned_caseworker_and_her_supervisor_open_the_steps(
    world: World, insider: str
) -> None:
    case = _alices_case(world)
    client = _client(world, insider)
    for step in STEPS:
        assert client.get(reverse(step, args=[case["id"]])).status_code == 200


def test_the_duplicate_search_never_lists_another_agencys_child(world: World) -> None:
    mine = _alices_case(world)
    theirs = world.api("dave").post("/cases", child_payload()).json()  # the same name
    page = _client(world, "alice").get(reverse("web:intake_search"), {"name": "احمد الخطيب"})
    html = page.content.decode()
    assert mine["id"] in html
    assert theirs["id"] not in html
    assert theirs["case_number"] not in html
    assert html.count("data-case=") == 1

    # Dave of the other agency sees his own child, not Alice's.
    page = _client(world, "dave").get(reverse("web:intake_search"), {"name": "أحمد"})
    assert theirs["id"] in page.content.decode()
    assert mine["id"] not in page.content.decode()


def test_a_child_only_another_agency_has_gets_the_same_answer_as_no_child(
    world: World,
) -> None:
    body = child_payload()
    body["child"]["given_name"] = "يوسف"
    world.api("dave").post("/cases", body)
    for name in ("يوسف", "زكريا"):  # one exists in agency B only, one nowhere
        html = _client(world, "alice").get(reverse("web:intake_search"), {"name": name})
        text = html.content.decode()
        assert 'data-duplicates="0"' in text
        assert "data-case=" not in text
        assert "AGN-B" not in text


def test_a_caseworker_does_not_see_a_colleagues_child_in_the_search(world: World) -> None:
    mine = _alices_case(world)
    html = _client(world, "carol").get(reverse("web:intake_search"), {"name": "أحمد"}).content
    assert mine["id"] not in html.decode()
    assert 'data-duplicates="0"' in html.decode()


@pytest.mark.parametrize("name", ["cora", "sam", "adam"])
def test_roles_that_cannot_open_cases_have_no_register_page(world: World, name: str) -> None:
    client = _client(world, name)
    assert 'data-nav="register"' not in client.get("/").content.decode()
    assert client.get(reverse("web:intake_search")).status_code == 403
    assert client.get(reverse("web:intake_new")).status_code == 403
    response = client.post(
        reverse("web:intake_new"),
        {"step": "child", "given_name": "x", "sex": "m", "birth_date": "2012-01-01"},
    )
    assert response.status_code == 403
    assert Case.objects.count() == 0


def test_the_intake_pages_need_a_login(world: World) -> None:
    case = _alices_case(world)
    client = Client()
    for url in (
        reverse("web:intake_search"),
        reverse("web:intake_new"),
        *(reverse(step, args=[case["id"]]) for step in STEPS),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
