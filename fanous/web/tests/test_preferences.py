"""Language and digits are the user's own, kept on their account (issue: web app)."""

from __future__ import annotations

import pytest
from django.test import Client

from fanous.conftest import World, child_payload

pytestmark = pytest.mark.django_db


def test_arabic_indic_digits_and_language_are_remembered(world: World) -> None:
    world.api("alice").post("/cases", child_payload())
    client = Client()
    client.force_login(world.users["alice"])
    res = client.post("/preferences/", {"language": "ar", "arabic_digits": "1"})
    assert res.status_code == 302
    alice = world.users["alice"]
    alice.refresh_from_db()
    assert (alice.language, alice.arabic_digits) == ("ar", True)
    html = client.get("/").content.decode()
    assert 'dir="rtl"' in html
    assert "العمر ١٣" in html or "العمر ١٢" in html  # the child's age in Arabic-Indic digits
    assert "AGN-A-" in html  # case numbers keep their Latin digits
    client.post("/preferences/", {"language": "en", "arabic_digits": "0"})
    html = client.get("/").content.decode()
    assert 'dir="ltr"' in html
    assert "Age 1" in html
