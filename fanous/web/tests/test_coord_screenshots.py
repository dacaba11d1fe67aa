"""`make screenshots` for the agenda and SOP pages: Arabic phone and English desktop.

Not part of `make test` (marker `screenshots`); look at the pictures after changing a page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from fanous.conftest import World
from fanous.sop.models import SopVersion

from .test_agenda_support import case_at

pytestmark = [pytest.mark.screenshots, pytest.mark.django_db(transaction=True)]

OUT = Path(__file__).resolve().parents[3] / "screenshots"


@pytest.mark.parametrize(("lang", "width"), [("ar", 390), ("en", 1280), ("ar", 1280)])
def test_coord_screenshots(world: World, login: Any, lang: str, width: int) -> None:
    case_at(world, risk="medium", name="منى", days_ago=10)
    case_at(world, risk="low", name="ليلى", days_ago=14)
    case_at(world, risk="high", name="يوسف", days_ago=3, action_in_days=5)
    case_at(world, risk="high", name="سامي", step="initial_assessment")
    case_at(world, risk="low", name="نادر", step="plan_pending_approval")
    OUT.mkdir(exist_ok=True)
    for user in ("alice", "bob"):
        page = login(user, lang=lang, width=width)
        page.goto("/agenda/")
        page.screenshot(path=str(OUT / f"agenda-{user}-{lang}-{width}.png"), full_page=True)
    row = SopVersion.objects.get(status=SopVersion.Status.IN_FORCE)
    page = login("cora", lang=lang, width=width)
    page.goto("/sop/")
    page.screenshot(path=str(OUT / f"sop-list-{lang}-{width}.png"), full_page=True)
    page.goto(f"/sop/{row.pk}/")
    page.screenshot(path=str(OUT / f"sop-detail-{lang}-{width}.png"), full_page=True)
    page.screenshot(path=str(OUT / f"sop-detail-top-{lang}-{width}.png"))
    for part in ("timeframes", "concern-child_labour", "closure", "staffing"):
        page.locator(f"#{part}").screenshot(path=str(OUT / f"sop-{part}-{lang}-{width}.png"))
    page.goto(f"/sop/{row.pk}/new-version/")
    page.click("button[type=submit].btn-primary")
    page.wait_for_url("**/sop/*/")
    draft = SopVersion.objects.get(status=SopVersion.Status.DRAFT)
    page.goto(f"/sop/{draft.pk}/timeframes/")
    page.fill("input[name='high-plan_due_days']", "10")
    page.click("#timeframes-form button[type=submit]")
    page.screenshot(path=str(OUT / f"sop-timeframes-error-{lang}-{width}.png"), full_page=True)
    page.screenshot(path=str(OUT / f"sop-timeframes-error-top-{lang}-{width}.png"))
    page.goto(f"/sop/{draft.pk}/closure/")
    page.screenshot(path=str(OUT / f"sop-closure-{lang}-{width}.png"), full_page=True)
    page.screenshot(path=str(OUT / f"sop-closure-top-{lang}-{width}.png"))
    page.goto(f"/sop/{draft.pk}/matrix/child_labour/")
    page.screenshot(path=str(OUT / f"sop-matrix-{lang}-{width}.png"), full_page=True)
    page.screenshot(path=str(OUT / f"sop-matrix-top-{lang}-{width}.png"))
    page.goto(f"/sop/{row.pk}/")
    page.emulate_media(media="print")
    page.pdf(path=str(OUT / f"sop-print-{lang}-{width}.pdf"))
    page.screenshot(path=str(OUT / f"sop-print-{lang}-{width}.png"), full_page=True)
