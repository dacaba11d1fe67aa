"""`make screenshots` for the data-protection annexes, Arabic phone and English desktop."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from fanous.conftest import World

pytestmark = [pytest.mark.screenshots, pytest.mark.django_db(transaction=True)]

OUT = Path(__file__).resolve().parents[3] / "screenshots"


@pytest.mark.parametrize(("lang", "width"), [("ar", 390), ("en", 1280)])
def test_annex_screenshots(world: World, login: Any, lang: str, width: int) -> None:
    OUT.mkdir(exist_ok=True)
    page = login("bob", lang=lang, width=width)
    page.goto("/annex/dpia/")
    assert page.locator("[data-dpia]").count() == 10
    assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
    page.screenshot(path=str(OUT / f"annex-dpia-{lang}-{width}.png"), full_page=True)
    page.goto("/annex/sharing/")
    assert page.locator("[data-referral-type]").count() > 0
    page.screenshot(path=str(OUT / f"annex-sharing-{lang}-{width}.png"), full_page=True)
