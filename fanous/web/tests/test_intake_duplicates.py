"""Search before create: spelling variants find the child already registered (SPEC §3, §12)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from fanous.accounts.access import Actor
from fanous.cases.duplicates import DuplicateQuery, likely_duplicates
from fanous.cases.selectors import today_for
from fanous.conftest import World, child_payload

pytestmark = pytest.mark.django_db


def _child(world: World, user: str = "alice", **child: object) -> dict[str, Any]:
    body = child_payload()
    body["child"].update(child)
    made: dict[str, Any] = world.api(user).post("/cases", body).json()
    return made


def _search(world: World, **params: str) -> str:
    client = Client()
    client.force_login(world.users["alice"])
    return client.get(reverse("web:intake_search"), params).content.decode()


@pytest.mark.parametrize(
    ("stored", "typed"),
    [
        ("أحمد", "احمد"),
        ("احمد", "أحمد"),
        ("عبد الله", "عبدالله"),
        ("عبدالله", "عبد الله"),
        ("فاطمة", "فاطمه"),
    ],
)
def test_a_spelling_variant_finds_the_child_and_warns(
    world: World, stored: str, typed: str
) -> None:
    case = _child(world, given_name=stored)
    html = _search(world, name=f"{typed} الخطيب")
    assert 'id="dup-warning"' in html
    assert f'data-case="{case["id"]}"' in html
    assert 'data-match="name"' in html


def test_no_match_offers_to_register_a_new_child_with_the_details_typed(world: World) -> None:
    _child(world)
    html = _search(world, name="سارة علي", age_or_year="11", location="Sahab")
    assert 'data-duplicates="0"' in html
    assert 'id="dup-warning"' not in html
    assert 'id="register-new"' in html
    assert "given_name=%D8%B3%D8%A7%D8%B1%D8%A9" in html  # سارة, ready for the child's form
    assert "birth_date_estimated=on" in html


def test_an_age_far_from_the_childs_is_not_a_likely_duplicate(world: World) -> None:
    case = _child(world, birth_date="2013-03-14")
    assert f'data-case="{case["id"]}"' in _search(world, name="احمد", age_or_year="2014")
    assert f'data-case="{case["id"]}"' not in _search(world, name="احمد", age_or_year="2003")


def test_the_caregivers_name_alone_finds_the_child(world: World) -> None:
    case = _child(world)  # father محمود
    html = _search(world, caregiver="محمود")
    assert f'data-case="{case["id"]}"' in html
    assert 'data-match="caregiver"' in html
    assert 'data-duplicates="0"' in _search(world, caregiver="خليل")


def test_matches_on_more_details_come_first(world: World) -> None:
    far = _child(world, given_name="أحمد", father_name="سليم", current_address="Zarqa")
    near = _child(world, given_name="أحمد", father_name="محمود", current_address="Sahab")
    found = likely_duplicates(
        actor=Actor.of(world.users["alice"]),
        query=DuplicateQuery(name="احمد", caregiver_name="محمود", location="sahab"),
        today=today_for(Actor.of(world.users["alice"])),
    )
    assert [str(c.case.pk) for c in found] == [near["id"], far["id"]]
    assert found[0].matched == ("name", "caregiver", "location")


def test_an_empty_search_lists_nothing(world: World) -> None:
    _child(world)
    html = _search(world, name="  ")
    assert "data-case=" not in html
    assert 'id="dup-hint"' in html
