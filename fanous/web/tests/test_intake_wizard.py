"""The intake wizard through the Django client: every step, validation, refusals (SPEC §3)."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from fanous.cases.models import Case, Consent, Registration
from fanous.conftest import World, child_payload

pytestmark = pytest.mark.django_db


def _client(world: World, name: str = "alice", lang: str = "en") -> Client:
    user = world.users[name]
    user.language = lang
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    return client


def _child_step(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "step": "child",
        "draft_id": str(uuid.uuid4()),
        "needs": ["food"],
        "needs_notes": "Given a meal",
        "given_name": "سارة",
        "father_name": "محمود",
        "family_name": "الخطيب",
        "sex": "f",
        "birth_date": "2013-05-02",
        "nationality": "SY",
        "legal_status": "refugee",
        "phone": "+962 7 9000 0000",
        "current_address": "Sahab",
        "source": "outreach",
        "eligibility_criteria": ["in_child_labour"],
    }
    body.update(overrides)
    return body


def _identify(client: Client, **overrides: Any) -> Any:
    return client.post(reverse("web:intake_new"), _child_step(**overrides))


def _new_case(world: World, **overrides: Any) -> Case:
    response = _identify(_client(world), **overrides)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Case.objects.get()


def _consent(client: Client, case: Case, **decisions: str) -> Any:
    body = {
        "batch": str(uuid.uuid4()),
        "caregiver_name": "Mariam",
        "caregiver_relation": "mother",
        "method": "verbal",
        "recorded_on": "",
        **decisions,
    }
    return client.post(reverse("web:intake_consent", args=[case.pk]), body)


def _register(client: Client, case: Case, version: int | None = None, **fields: Any) -> Any:
    case.refresh_from_db()
    body = {
        "version": case.version if version is None else version,
        "workplace_name": "Abu Khaled's workshop",
        "workplace_location": "Sahab industrial area",
        "work_type": "mechanic_workshop",
        "tasks": "Carries car parts",
        "hours_per_day": "9",
        "days_per_week": "6",
        "whereabouts_when_not_working": "At home",
        "concern_hazardous_work": "on",
        "education_status": "out_of_school",
        **fields,
    }
    return client.post(reverse("web:intake_registration", args=[case.pk]), body)


def test_needs_step_leads_to_the_child_step_carrying_the_needs(world: World) -> None:
    client = _client(world)
    page = client.get(reverse("web:intake_new") + "?given_name=سارة&birth_date=2014-01-01")
    html = page.content.decode()
    assert 'data-step="needs"' in html
    assert 'aria-current="step"' in html
    assert 'name="given_name" value="سارة"' in html  # carried from the search
    response = client.post(
        reverse("web:intake_new") + "?given_name=سارة",
        {"step": "needs", "draft_id": str(uuid.uuid4()), "needs": ["medical", "food"]},
    )
    html = response.content.decode()
    assert 'data-step="child"' in html
    assert 'name="needs" value="medical"' in html
    assert 'name="needs" value="food"' in html
    assert re.search(r'name="given_name"[^>]*value="سارة"', html)
    # Criteria come from the SOP in force, labelled in the user's language.
    assert "A child in one of the worst forms of child labour" in html
    assert Case.objects.count() == 0


def test_the_whole_wizard_registers_the_child(world: World) -> None:
    client = _client(world)
    response = _identify(client)
    case = Case.objects.get()
    assert response["Location"] == reverse("web:intake_consent", args=[case.pk])
    assert case.status == "identified"
    assert case.immediate_needs == ["food"]
    assert case.child.name_digest  # blind index for the duplicate search
    page = client.get(response["Location"]).content.decode()
    assert 'data-assent-needed="1"' in page
    assert 'data-assent-min-age="7"' in page
    response = _consent(
        client,
        case,
        caregiver__services="yes",
        child__services="yes",
        caregiver__information_sharing="yes",
        child__information_sharing="no",
    )
    assert response["Location"] == reverse("web:intake_registration", args=[case.pk])
    assert Consent.objects.filter(case=case).count() == 4
    response = _register(client, case)
    assert response.status_code == 302
    assert response["Location"] == reverse("web:case_detail", args=[case.pk])
    case.refresh_from_db()
    assert case.status == "registered"
    registration = Registration.objects.get(case=case)
    assert registration.hours_per_day == 9
    assert registration.concern_hazardous_work is True
    page = client.get(response["Location"]).content.decode()
    assert 'data-status="registered"' in page


def test_the_same_child_form_sent_twice_opens_one_case(world: World) -> None:
    client = _client(world)
    body = _child_step()
    first = client.post(reverse("web:intake_new"), body)
    second = client.post(reverse("web:intake_new"), body)
    assert first["Location"] == second["Location"]
    assert Case.objects.count() == 1


def test_the_same_consent_form_sent_twice_records_each_decision_once(world: World) -> None:
    case = _new_case(world)
    client = _client(world)
    body = {
        "batch": str(uuid.uuid4()),
        "method": "verbal",
        "caregiver__services": "yes",
        "child__services": "yes",
    }
    url = reverse("web:intake_consent", args=[case.pk])
    client.post(url, body)
    client.post(url, body)
    assert Consent.objects.filter(case=case).count() == 2


@pytest.mark.parametrize(
    ("birth_date", "code"),
    [
        (
            (datetime.now(ZoneInfo("Asia/Amman")).date() + timedelta(days=30)).isoformat(),
            "birth_date_future",
        ),
        ("1980-01-01", "birth_date_impossible"),
    ],
)
def test_an_impossible_birth_date_is_refused_next_to_the_field(
    world: World, birth_date: str, code: str
) -> None:
    response = _identify(_client(world), birth_date=birth_date)
    html = response.content.decode()
    assert response.status_code == 200
    assert f'data-error-code="{code}"' in html
    assert 'data-error-for="birth_date"' in html
    assert 'aria-invalid="true"' in html
    assert 'role="alert"' in html
    assert Case.objects.count() == 0


def test_an_unknown_criterion_is_refused_next_to_the_criteria(world: World) -> None:
    response = _identify(_client(world), eligibility_criteria=["in_child_labour", "made_up"])
    html = response.content.decode()
    assert 'data-error-for="eligibility_criteria"' in html
    assert "made_up" in html
    assert Case.objects.count() == 0


def test_refusals_are_translated_into_the_users_language(world: World) -> None:
    response = _identify(_client(world, lang="ar"), birth_date="1980-01-01")
    html = response.content.decode()
    assert 'lang="ar"' in html
    assert 'data-error-for="birth_date"' in html
    assert Case.objects.count() == 0


def test_registration_without_the_childs_assent_is_refused_and_nothing_is_registered(
    world: World,
) -> None:
    case = _new_case(world)
    client = _client(world)
    _consent(client, case, caregiver__services="yes", child__services="no")
    page = client.get(reverse("web:intake_registration", args=[case.pk])).content.decode()
    assert 'id="register-blockers"' in page  # said before the form is filled in
    response = _register(client, case)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-reason="consent_missing"' in html
    case.refresh_from_db()
    assert case.status == "identified"
    assert case.registered_at is None
    assert not Registration.objects.filter(case=case).exists()


def test_out_of_range_hours_are_refused_by_the_service(world: World) -> None:
    case = _new_case(world)
    client = _client(world)
    _consent(client, case, caregiver__services="yes", child__services="yes")
    response = _register(client, case, hours_per_day="30")
    html = response.content.decode()
    assert 'data-error-code="hours"' in html
    assert 'data-error-for="hours_per_day"' in html
    assert not Registration.objects.filter(case=case).exists()


def test_a_stale_version_shows_a_conflict_and_changes_nothing(world: World) -> None:
    case = _new_case(world)
    client = _client(world)
    _consent(client, case, caregiver__services="yes", child__services="yes")
    case.refresh_from_db()
    response = _register(client, case, version=case.version - 1)
    html = response.content.decode()
    assert 'data-stale="1"' in html
    case.refresh_from_db()
    assert case.status == "identified"
    assert not Registration.objects.filter(case=case).exists()


def test_a_consent_form_without_any_decision_records_nothing(world: World) -> None:
    case = _new_case(world)
    response = _consent(_client(world), case)
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert not Consent.objects.filter(case=case).exists()


def test_a_child_meeting_no_criterion_is_declared_not_eligible_and_referred_out(
    world: World,
) -> None:
    client = _client(world)
    response = _identify(client, eligibility_criteria=[])
    case = Case.objects.get()
    assert case.eligible is False
    url = reverse("web:intake_not_eligible", args=[case.pk])
    assert response["Location"] == url
    page = client.get(url).content.decode()
    assert 'id="not-eligible-why"' in page
    # Without the service named, the service refuses and nothing is saved (not even the
    # "not eligible" step, which ran in the same transaction).
    case.refresh_from_db()
    response = client.post(
        url, {"version": case.version, "reason": "No criterion met", "referred_to": ""}
    )
    assert 'data-error-for="referred_to"' in response.content.decode()
    case.refresh_from_db()
    assert case.status == "identified"
    response = client.post(
        url,
        {
            "version": case.version,
            "reason": "Not working; the family needs cash assistance",
            "referred_to": "Cash assistance programme",
            "feedback": "Referred on",
        },
    )
    assert response["Location"] == reverse("web:case_detail", args=[case.pk])
    case.refresh_from_db()
    assert case.status == "referred_out"
    assert case.not_eligible_reason.startswith("Not working")
    assert case.referred_out_to == "Cash assistance programme"


def test_the_case_page_offers_the_next_step_of_the_wizard(world: World) -> None:
    case = _new_case(world)
    client = _client(world)
    detail = reverse("web:case_detail", args=[case.pk])
    assert 'data-intake-action="consent"' in client.get(detail).content.decode()
    _consent(client, case, caregiver__services="yes", child__services="yes")
    assert 'data-intake-action="registration"' in client.get(detail).content.decode()
    _register(client, case)
    html = client.get(detail).content.decode()
    assert "data-intake-action" not in html


def test_the_case_page_of_a_child_not_eligible_offers_the_referral(world: World) -> None:
    case = _new_case(world, eligibility_criteria=[])
    html = _client(world).get(reverse("web:case_detail", args=[case.pk])).content.decode()
    assert 'data-intake-action="not_eligible"' in html


def test_a_helpline_counsellor_identifies_and_lands_on_the_case_page(world: World) -> None:
    client = _client(world, "hana")
    assert 'data-nav="register"' in client.get("/").content.decode()
    response = _identify(client)
    case = Case.objects.get()
    assert response["Location"] == reverse("web:case_detail", args=[case.pk])
    assert case.caseworker_id is None
    html = client.get(response["Location"]).content.decode()
    assert "data-intake-action" not in html  # recording consent is for the case team


def test_api_and_web_identify_the_same_way(world: World) -> None:
    """One service, two doors: the API's case and the web's case have the same name index."""
    api = world.api("alice").post("/cases", child_payload()).json()
    _identify(_client(world), given_name="أحمد", father_name="محمود", family_name="الخطيب")
    keys = set(Case.objects.values_list("child__name_digest", flat=True))
    assert len(keys) == 1
    assert Case.objects.filter(pk=api["id"]).exists()
