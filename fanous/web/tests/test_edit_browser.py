"""Correcting the child's name in a real browser, in Arabic on a phone (SPEC §3)."""

from __future__ import annotations

from typing import Any

import pytest

from fanous.cases.models import Child
from fanous.conftest import World, registered_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_caseworker_corrects_the_childs_name_on_a_phone_in_arabic(world: World, login: Any) -> None:
    case = registered_case(world.api("alice"))
    cid = case["id"]
    page = login("alice", lang="ar", width=390)
    page.goto(f"/cases/{cid}/")
    page.click("#child-edit-link")
    page.wait_for_url(f"**/cases/{cid}/child/edit")
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.get_attribute("html", "lang") == "ar"
    assert page.input_value("#id_given_name") == "أحمد"
    assert page.input_value("#id_version") == str(case["version"])
    # Nothing overflows the phone's width.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.fill("#id_given_name", "")
    page.click("#save")
    assert page.locator("#error-summary[role=alert]").count() == 1
    assert page.locator("[data-error-for=given_name]").count() == 1
    assert page.get_attribute("#id_given_name", "aria-invalid") == "true"
    page.fill("#id_given_name", "محمّد")
    page.click("#save")
    page.wait_for_url(f"**/cases/{cid}/")
    assert "محمّد" in page.inner_text("h1")
    assert page.locator("main .alert-success[role=status]").count() == 1
    assert Child.objects.get(pk=case["child"]["id"]).given_name == "محمّد"
