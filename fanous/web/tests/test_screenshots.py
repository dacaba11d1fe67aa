"""`make screenshots`: the main pages in Arabic and English, phone and desktop, into screenshots/.

Not part of `make test` (marker `screenshots`); run it and look at the pictures after
changing a page.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from fanous.cases.demo.loader import PASSWORD, load_demo
from fanous.cases.models import Case

pytestmark = [pytest.mark.screenshots, pytest.mark.django_db(transaction=True)]

OUT = Path(__file__).resolve().parents[3] / "screenshots"


@pytest.mark.parametrize("lang", ["ar", "en"])
@pytest.mark.parametrize("width", [390, 1280])
def test_screenshots(login: Any, lang: str, width: int) -> None:
    if not Case.objects.exists():
        load_demo(seed=2026, out=io.StringIO())
    OUT.mkdir(exist_ok=True)
    page = login("amal", lang=lang, width=width, password=PASSWORD)
    page.screenshot(path=str(OUT / f"caseload-{lang}-{width}.png"), full_page=True)
    case = Case.objects.filter(caseworker__username="amal", status="implementation").first()
    assert case is not None
    page.goto(f"/cases/{case.pk}/")
    page.screenshot(path=str(OUT / f"case-{lang}-{width}.png"), full_page=True)
