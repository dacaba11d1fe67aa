"""Correction pages through the Django client (SPEC §3, §5): the child's details, the
registration and household members. Success, validation, a stale version, and access: another
agency's caseworker gets 404 and a POST changes nothing."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from fanous import conftest
from fanous.audit.models import Event
from fanous.cases.models import Case, Child, HouseholdMember, Registration
from fanous.conftest import World, ok

pytestmark = pytest.mark.django_db


def client_for(world: World, name: str, lang: str = "en") -> Client:
    user = world.users[name]
    user.language = lang
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def case(world: World) -> dict[str, Any]:
    return conftest.registered_case(
        world.api("alice"),
        registration={"workplace_name": "ورشة الحدادة", "hours_per_day": 8, "days_per_week": 6},
    )


def snapshot(case_id: str) -> tuple[Any, ...]:
    c = Case.objects.select_related("child").get(pk=case_id)
    reg = Registration.objects.get(case=c)
    return (
        c.version,
        c.child.version,
        c.child.given_name,
        reg.version,
        reg.workplace_name,
        HouseholdMember.objects.filter(household__children=c.child).count(),
        Event.objects.filter(case=c).exclude(action=Event.Action.READ).count(),
    )


def child_form(case: dict[str, Any], **changes: str) -> dict[str, str]:
    child = case["child"]
    body = {
        "version": str(case["version"]),
        "given_name": child["given_name"],
        "father_name": child["father_name"],
        "grandfather_name": child["grandfather_name"],
        "family_name": child["family_name"],
        "sex": child["sex"],
        "birth_date": child["birth_date"],
        "nationality": child["nationality"],
        "legal_status": child["legal_status"],
        "phone": child["phone"],
        "languages": "",
        "current_address": child["current_address"],
    }
    body.update(changes)
    return body


def registration_form(case: dict[str, Any], **changes: str) -> dict[str, str]:
    reg = case["registration"]
    body = {"version": str(case["version"])}
    for key, value in reg.items():
        if isinstance(value, bool):
            if value:
                body[key] = "on"
        elif value is not None:
            body[key] = str(value)
    body.update(changes)
    return body


# ------------------------------------------------------------------ the child's details


def test_case_page_links_to_the_edit_pages_for_its_caseworker(
    world: World, case: dict[str, Any]
) -> None:
    page = client_for(world, "alice").get(f"/cases/{case['id']}/").content.decode()
    assert f'href="/cases/{case["id"]}/child/edit"' in page
    assert f'href="/cases/{case["id"]}/registration/edit"' in page
    assert f'href="/cases/{case["id"]}/household-members/new"' in page


def test_child_edit_form_is_prefilled_with_the_version(world: World, case: dict[str, Any]) -> None:
    res = client_for(world, "alice").get(f"/cases/{case['id']}/child/edit")
    assert res.status_code == 200
    page = res.content.decode()
    assert 'name="given_name" value="أحمد"' in page
    assert f'name="version" value="{case["version"]}"' in page
    assert 'value="2013-03-14"' in page


def test_child_edit_sends_only_what_changed_and_history_keeps_old_and_new(
    world: World, case: dict[str, Any]
) -> None:
    alice = client_for(world, "alice")
    res = alice.post(
        f"/cases/{case['id']}/child/edit", child_form(case, given_name="محمد", languages="عربي")
    )
    assert res.status_code == 302
    assert res["Location"] == f"/cases/{case['id']}/"
    child = Child.objects.get(pk=case["child"]["id"])
    assert child.given_name == "محمد"
    event = Event.objects.filter(case_id=case["id"]).order_by("-at", "-id").first()
    assert event is not None
    # Encrypted at rest: the audit records that it changed, never the values (SECURITY.md).
    assert event.changes["child.given_name"] == ["•changed•", "•changed•"]
    assert event.changes["child.languages"] == ["", "عربي"]
    assert not any(
        k.startswith("child.")
        and k
        not in (
            "child.given_name",
            "child.languages",
        )
        for k in event.changes
    ), event.changes
    page = alice.get(res["Location"]).content.decode()
    assert "محمد" in page
    assert "The child&#x27;s details were corrected." in page


def test_child_edit_without_a_name_shows_the_error_beside_the_field(
    world: World, case: dict[str, Any]
) -> None:
    before = snapshot(case["id"])
    res = client_for(world, "alice").post(
        f"/cases/{case['id']}/child/edit", child_form(case, given_name="")
    )
    assert res.status_code == 422
    page = res.content.decode()
    assert 'data-error-for="given_name"' in page
    assert 'role="alert" id="error-summary"' in page
    assert snapshot(case["id"]) == before


def test_child_edit_with_a_future_birth_date_is_refused_by_the_service(
    world: World, case: dict[str, Any]
) -> None:
    before = snapshot(case["id"])
    future = f"{datetime.now(ZoneInfo('Asia/Amman')).year + 1}-01-01"
    res = client_for(world, "alice").post(
        f"/cases/{case['id']}/child/edit", child_form(case, birth_date=future)
    )
    assert res.status_code == 422
    page = res.content.decode()
    assert 'data-error-for="birth_date"' in page
    assert "in the future" in page
    assert snapshot(case["id"]) == before


def test_child_edit_with_a_stale_version_asks_to_reload(world: World, case: dict[str, Any]) -> None:
    ok(
        world.api("bob").patch(
            f"/cases/{case['id']}/child",
            {"version": case["version"], "child": {"family_name": "الأحمد"}},
        )
    )
    before = snapshot(case["id"])
    res = client_for(world, "alice").post(
        f"/cases/{case['id']}/child/edit", child_form(case, given_name="محمد")
    )
    assert res.status_code == 409
    page = res.content.decode()
    assert 'data-stale="1"' in page
    assert "changed by someone else" in page
    assert snapshot(case["id"]) == before
    assert Child.objects.get(pk=case["child"]["id"]).given_name == "أحمد"


def test_child_edit_with_nothing_changed_saves_nothing(world: World, case: dict[str, Any]) -> None:
    before = snapshot(case["id"])
    res = client_for(world, "alice").post(f"/cases/{case['id']}/child/edit", child_form(case))
    assert res.status_code == 302
    assert snapshot(case["id"]) == before


# ------------------------------------------------------------------ registration


def test_registration_edit_is_prefilled_and_saves_the_changes(
    world: World, case: dict[str, Any]
) -> None:
    alice = client_for(world, "alice")
    page = alice.get(f"/cases/{case['id']}/registration/edit").content.decode()
    assert 'name="workplace_name" value="ورشة الحدادة"' in page
    assert 'name="hours_per_day" value="8"' in page
    res = alice.post(
        f"/cases/{case['id']}/registration/edit",
        registration_form(case, workplace_name="مخبز النور", hours_per_day="10"),
    )
    assert res.status_code == 302, res.content.decode()
    reg = Registration.objects.get(case_id=case["id"])
    assert (reg.workplace_name, reg.hours_per_day, reg.days_per_week) == ("مخبز النور", 10, 6)
    event = Event.objects.filter(case_id=case["id"]).order_by("-at", "-id").first()
    assert event is not None
    assert event.changes["registration.hours_per_day"] == [8, 10]
    assert "registration.days_per_week" not in event.changes
    assert "مخبز النور" in alice.get(res["Location"]).content.decode()


def test_registration_edit_with_too_many_hours_shows_the_error_beside_the_field(
    world: World, case: dict[str, Any]
) -> None:
    before = snapshot(case["id"])
    res = client_for(world, "alice").post(
        f"/cases/{case['id']}/registration/edit", registration_form(case, hours_per_day="30")
    )
    assert res.status_code == 422
    page = res.content.decode()
    assert 'data-error-for="hours_per_day"' in page
    assert "between 0 and 24" in page
    assert snapshot(case["id"]) == before


def test_registration_edit_with_a_stale_version_asks_to_reload(
    world: World, case: dict[str, Any]
) -> None:
    ok(
        world.api("alice").patch(
            f"/cases/{case['id']}/registration", {"version": case["version"], "tasks": "حمل"}
        )
    )
    before = snapshot(case["id"])
    res = client_for(world, "alice").post(
        f"/cases/{case['id']}/registration/edit", registration_form(case, workplace_name="x")
    )
    assert res.status_code == 409
    assert 'data-stale="1"' in res.content.decode()
    assert snapshot(case["id"]) == before


def test_registration_edit_of_an_unregistered_case_goes_to_the_wizard(world: World) -> None:
    case = ok(world.api("alice").post("/cases", conftest.child_payload()), 201)
    alice = client_for(world, "alice")
    res = alice.get(f"/cases/{case['id']}/registration/edit")
    assert res.status_code == 302
    assert res["Location"] == f"/cases/{case['id']}/register/details/"
    res = alice.post(
        f"/cases/{case['id']}/registration/edit",
        {"version": str(case["version"]), "workplace_name": "x"},
    )
    assert res.status_code == 422
    assert 'data-error-code="not_registered"' in res.content.decode()
    assert not Registration.objects.filter(case_id=case["id"]).exists()


# ------------------------------------------------------------------ household member


def test_household_member_is_added_once_even_if_the_form_is_sent_twice(
    world: World, case: dict[str, Any]
) -> None:
    alice = client_for(world, "alice")
    page = alice.get(f"/cases/{case['id']}/household-members/new").content.decode()
    assert 'name="works" value="" class="form-check-input" id="id_works_2" checked' in page
    body = {
        "member_id": str(uuid.uuid4()),
        "name": "سارة محمود",
        "relation": "sibling",
        "sex": "f",
        "birth_date": "2015-05-01",
        "works": "yes",
        "in_school": "",
    }
    for _ in range(2):
        res = alice.post(f"/cases/{case['id']}/household-members/new", body)
        assert res.status_code == 302, res.content.decode()
    # The name is encrypted at rest: compare after loading, not in SQL.
    members = [m for m in HouseholdMember.objects.all() if m.name == "سارة محمود"]
    assert len(members) == 1
    member = members[0]
    assert (member.works, member.in_school) == (True, None)
    assert "سارة محمود" in alice.get(f"/cases/{case['id']}/").content.decode()


def test_household_member_without_a_name_is_refused(world: World, case: dict[str, Any]) -> None:
    before = snapshot(case["id"])
    res = client_for(world, "alice").post(
        f"/cases/{case['id']}/household-members/new",
        {"member_id": str(uuid.uuid4()), "name": "", "relation": "sibling", "sex": "f"},
    )
    assert res.status_code == 422
    assert 'data-error-for="name"' in res.content.decode()
    assert snapshot(case["id"]) == before


# ------------------------------------------------------------------ access


PAGES = ["child/edit", "registration/edit", "household-members/new"]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("who", ["dave", "dora", "carol"])
def test_outsider_gets_404_and_a_post_changes_nothing(
    world: World, case: dict[str, Any], page: str, who: str
) -> None:
    client = client_for(world, who)
    url = f"/cases/{case['id']}/{page}"
    before = snapshot(case["id"])
    res = client.get(url)
    assert res.status_code == 404
    assert "أحمد" not in res.content.decode()
    body = {
        **child_form(case, given_name="X"),
        **registration_form(case, workplace_name="X"),
        "member_id": str(uuid.uuid4()),
        "name": "X",
        "relation": "sibling",
    }
    res = client.post(url, body)
    assert res.status_code == 404
    assert snapshot(case["id"]) == before


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_user_is_sent_to_log_in(case: dict[str, Any], page: str) -> None:
    res = Client().get(f"/cases/{case['id']}/{page}")
    assert res.status_code == 302
    assert "/accounts/login/" in res["Location"]


@pytest.mark.parametrize("who", ["alice", "bob"])
def test_case_team_may_open_every_edit_page(world: World, case: dict[str, Any], who: str) -> None:
    client = client_for(world, who)
    for page in PAGES:
        assert client.get(f"/cases/{case['id']}/{page}").status_code == 200, page
