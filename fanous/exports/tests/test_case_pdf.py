"""The case file PDF (issue 5): Arabic and English, SOP version and date on every page,
"CONFIDENTIAL / سري", page x of y; only for the people who work the case; audited."""

from __future__ import annotations

import io
import re
import unicodedata
from typing import Any

import pytest
from django.test import Client
from pypdf import PdfReader

from fanous.accounts.access import Actor
from fanous.audit.models import Event
from fanous.conftest import World, assessed_case
from fanous.exports.case_pdf import case_file_pdf
from fanous.sop.selectors import active_sop

pytestmark = pytest.mark.django_db


def _pages(pdf: bytes) -> list[str]:
    return [
        unicodedata.normalize("NFKC", p.extract_text() or "")
        for p in PdfReader(io.BytesIO(pdf)).pages
    ]


def _plain(text: str) -> str:
    return re.sub(r"[\u2066-\u2069\u200e\u200f]", "", text)


@pytest.fixture
def case(world: World) -> dict[str, Any]:
    return assessed_case(
        world.api("alice"),
        {"hazard.heavy_loads": True, "sexual_abuse": True},
        registration={"workplace_name": "ورشة الحدادة", "work_type": "manufacturing"},
    )


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_assigned_caseworker_prints_the_case_file(
    world: World, case: dict[str, Any], lang: str
) -> None:
    pdf = case_file_pdf(actor=Actor.of(world.users["alice"]), case_id=case["id"], lang=lang)
    pages = [_plain(p) for p in _pages(pdf)]
    version = active_sop(world.area)[0].version
    text = "\n".join(pages)
    assert "أحمد" in text
    assert "الخطيب" in text
    assert case["case_number"] in text
    for n, page in enumerate(pages, start=1):
        assert version in page, f"page {n} lacks the SOP version"
        assert "CONFIDENTIAL" in page
        assert "سري" in page
        # "page n / N" reads left to right in Arabic too (LRMs in the @page content).
        assert re.search(rf"{n}\s*/\s*{len(pages)}", page), page[-80:]
    if lang == "en":
        assert "Case file" in text
        assert "Carrying heavy loads by hand" in text


def test_print_is_audited_as_read_and_export(world: World, case: dict[str, Any]) -> None:
    case_file_pdf(actor=Actor.of(world.users["bob"]), case_id=case["id"], lang="en")
    events = Event.objects.filter(case_id=case["id"], actor=world.users["bob"])
    assert events.filter(action=Event.Action.READ, summary="case_file_pdf").exists()
    assert events.filter(action=Event.Action.EXPORT).exists()


@pytest.mark.parametrize("name", ["carol", "dave", "cora", "sam", "adam"])
def test_others_get_404_and_nothing_is_logged(
    world: World, case: dict[str, Any], name: str
) -> None:
    client = Client()
    client.force_login(world.users[name])
    before = Event.objects.count()
    res = client.get(f"/cases/{case['id']}/file.pdf?lang=en")
    assert res.status_code == 404
    assert Event.objects.count() == before


def test_case_page_links_to_the_pdf_and_it_opens(world: World, case: dict[str, Any]) -> None:
    client = Client()
    client.force_login(world.users["alice"])
    page = client.get(f"/cases/{case['id']}/")
    assert b'id="case-file-pdf-link"' in page.content
    res = client.get(f"/cases/{case['id']}/file.pdf?lang=ar")
    assert res.status_code == 200
    assert res["Content-Type"] == "application/pdf"
    assert case["case_number"] not in res["Content-Disposition"]
