"""The data-protection annexes of the SOP (issue 4, SPEC §2, §12): the DPIA template and the
information sharing protocol, printable with the SOP version and date on every page."""

from __future__ import annotations

import io
import re
import unicodedata

import pytest
from django.test import Client
from django.utils.html import escape
from pypdf import PdfReader

from fanous.conftest import World
from fanous.sop.models import SopVersion
from fanous.sop.selectors import default_sop_data
from fanous.web.views_annex import dpia_pdf

pytestmark = pytest.mark.django_db


def client_for(world: World, name: str, lang: str = "ar") -> Client:
    user = world.users[name]
    user.language = lang
    user.save(update_fields=["language"])
    c = Client()
    c.force_login(user)
    return c


def dpia_titles(lang: str) -> list[str]:
    return [d["title"][lang] for d in default_sop_data()["data_protection"]["dpia"]]


def test_default_sop_has_a_dpia_of_eight_to_ten_headings_in_three_languages():
    dpia = default_sop_data()["data_protection"]["dpia"]
    assert 8 <= len(dpia) <= 10
    for heading in dpia:
        for part in ("title", "guidance"):
            assert all(heading[part][lang].strip() for lang in ("ar", "en", "fr")), heading["code"]


@pytest.mark.parametrize("lang", ["ar", "en", "fr"])
def test_dpia_page_renders_every_heading_with_the_sop_version_and_date(world, lang):
    row = SopVersion.objects.get(area=world.area)
    res = client_for(world, "bob", lang).get(f"/sop/{row.pk}/annex/dpia/")
    assert res.status_code == 200
    page = res.content.decode()
    assert f'data-sop-version="{row.version}"' in page
    assert f'data-endorsed-on="{row.endorsed_on.isoformat()}"' in page
    assert "@page" in page
    assert f'lang="{lang}"' in page
    assert ('dir="rtl"' in page) is (lang == "ar")
    assert page.count("data-dpia=") == len(dpia_titles(lang))
    for title in dpia_titles(lang):
        assert escape(title) in page


@pytest.mark.parametrize("lang", ["ar", "en", "fr"])
def test_sharing_protocol_renders_sections_types_purposes_and_sensitive_rules(world, lang):
    data = default_sop_data()
    res = client_for(world, "cora", lang).get("/annex/sharing/")
    assert res.status_code == 200
    page = res.content.decode()
    assert f'data-sop-version="{data["version"]}"' in page
    for section in data["referrals"]["sections"]:
        assert f'data-section="{section["code"]}"' in page
        assert escape(section["label"][lang]) in page
    for kind in data["referrals"]["types"]:
        assert f'data-referral-type="{kind["code"]}"' in page
    for purpose in data["consent_purposes"]:
        assert f'data-purpose="{purpose["code"]}"' in page
    assert 'data-timeframe="urgent"' in page
    for section in data["data_protection"]["sensitive_sections"]:
        assert f'data-sensitive="{section["code"]}"' in page


def test_in_force_annex_is_in_the_menu_of_supervisors_and_admins_and_on_the_sop_page(world):
    row = SopVersion.objects.get(area=world.area)
    for name in ("bob", "adam"):
        page = client_for(world, name).get("/").content.decode()
        assert 'data-nav="annex-dpia"' in page, name
    assert 'data-nav="annex-dpia"' not in client_for(world, "alice").get("/").content.decode()
    sop_page = client_for(world, "cora").get(f"/sop/{row.pk}/").content.decode()
    assert 'data-action="annex-dpia"' in sop_page
    assert 'data-action="annex-sharing"' in sop_page
    assert client_for(world, "adam").get("/annex/dpia/").status_code == 200


def test_service_provider_without_sop_access_is_refused(world):
    res = client_for(world, "sam").get("/annex/dpia/")
    assert res.status_code in (403, 404)


def pdf_text(pdf: bytes) -> tuple[str, PdfReader]:
    reader = PdfReader(io.BytesIO(pdf))
    raw = " ".join(page.extract_text() or "" for page in reader.pages)
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", raw)), reader


def test_dpia_pdf_holds_the_arabic_headings_in_logical_order(world):
    row = SopVersion.objects.get(area=world.area)
    text, reader = pdf_text(dpia_pdf(row, "ar"))
    assert len(reader.pages) >= 2
    positions = [text.find(title) for title in dpia_titles("ar")]
    assert all(p >= 0 for p in positions), list(zip(dpia_titles("ar"), positions, strict=True))
    assert positions == sorted(positions)
    assert row.version in text


def test_dpia_pdf_in_english_over_http(world):
    row = SopVersion.objects.get(area=world.area)
    res = client_for(world, "bob", "en").get(f"/sop/{row.pk}/annex/dpia.pdf?lang=en")
    assert res.status_code == 200
    assert res["Content-Type"] == "application/pdf"
    text, _ = pdf_text(res.content)
    for title in dpia_titles("en"):
        assert title in text
    assert f"SOP version {row.version}" in text
