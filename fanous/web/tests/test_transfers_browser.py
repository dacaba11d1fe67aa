"""Transfer of a case between agencies in a real browser, Arabic on a phone (SPEC §10).

alice asks, bob approves, dora accepts and assigns dave; dave has the case with the
transfer in its timeline; alice no longer has it; bob keeps the read-only record.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from fanous.conftest import World
from fanous.referrals.models import CaseTransfer
from fanous.referrals.tests.test_transfers_api import SECRET_NAME, consented_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[3] / "screenshots"


def shot(page: Any, name: str) -> None:
    """Pictures to look at after changing a page: FANOUS_SCREENSHOTS=1 (slow otherwise)."""
    if not os.environ.get("FANOUS_SCREENSHOTS"):
        return
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"transfers-{name}.png"), full_page=True)


def no_horizontal_scroll(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


def test_transfer_moves_the_case_and_both_agencies_keep_its_history_arabic_phone(
    world: World, login: Any
) -> None:
    case = consented_case(world)
    cid = case["id"]

    # alice asks for the transfer from the case's transfer page.
    alice = login("alice", lang="ar", width=390)
    alice.goto(f"/cases/{cid}/transfer/")
    assert alice.get_attribute("html", "dir") == "rtl"
    assert alice.locator("#consent-status[data-consent='1']").count() == 1
    alice.select_option("#id_to_agency", str(world.agency_b.pk))
    alice.fill("#id_reason", "خدمات متخصصة في منطقة الوكالة ب")
    alice.fill("#id_note_to_receiver", "طفل يعمل في ورشة، يحتاج إلى تدريب مهني")
    assert no_horizontal_scroll(alice)
    shot(alice, "request-ar-390")
    alice.click("#save-transfer")
    alice.wait_for_selector("#transfer[data-status=requested]")
    transfer = CaseTransfer.objects.get(case_id=cid)

    # bob approves.
    bob = login("bob", lang="ar", width=390)
    bob.goto(f"/transfers/{transfer.pk}/")
    bob.click("#approve-transfer")
    bob.wait_for_selector("#transfer[data-status=approved]")

    # dora: the inbox shows the offer without a word of the child.
    dora = login("dora", lang="ar", width=390)
    dora.goto("/transfers/")
    row = dora.locator(f"#transfer-inbox [data-transfer='{transfer.pk}']")
    assert row.count() == 1
    assert "ورشة" in row.inner_text()
    assert SECRET_NAME not in dora.content()
    assert case["case_number"] not in dora.content()
    assert no_horizontal_scroll(dora)
    shot(dora, "inbox-ar-390")
    row.locator("a").first.click()
    dora.wait_for_selector("#accept-form")
    assert SECRET_NAME not in dora.content()
    dora.select_option("#id_accept-caseworker", str(world.users["dave"].pk))
    shot(dora, "accept-ar-390")
    dora.click("#accept-transfer")
    dora.wait_for_url(f"**/cases/{cid}/")

    # dave has the case; the newest event of its timeline is dora's transfer.
    dave = login("dave", lang="ar", width=390)
    dave.goto("/")
    assert SECRET_NAME in dave.locator("#caseload").inner_text()
    dave.goto(f"/cases/{cid}/")
    first = dave.locator(".timeline li").first
    assert "Dora" in first.inner_text()
    shot(dave, "case-after-ar-390")

    # alice no longer has it in her caseload.
    alice.goto("/")
    assert SECRET_NAME not in alice.locator("main").inner_text()
    assert alice.goto(f"/cases/{cid}/").status == 404

    # bob keeps the read-only record with the history up to the transfer.
    bob.goto(f"/transfers/{transfer.pk}/")
    assert bob.locator("#transfer[data-status=accepted]").count() == 1
    assert bob.locator("#transfer-record").count() == 1
    assert SECRET_NAME in bob.locator("#snapshot").inner_text()
    assert bob.locator("#transfer-history li").last.get_attribute("data-event-action") == (
        "transfer"
    )
    assert bob.locator("#transfer-actions").count() == 0
    assert no_horizontal_scroll(bob)
    shot(bob, "record-ar-390")


def test_english_desktop_inbox_and_record(world: World, login: Any) -> None:
    from fanous.referrals.tests.test_transfers_api import approved_transfer

    case, transfer = approved_transfer(world)
    dora = login("dora", lang="en", width=1280)
    dora.goto(f"/transfers/{transfer['id']}/")
    assert dora.get_attribute("html", "dir") == "ltr"
    assert dora.locator("#accept-form").count() == 1
    shot(dora, "offer-en-1280")
    bob = login("bob", lang="en", width=1280)
    bob.goto("/transfers/")
    assert bob.locator(f"#transfer-outbox [data-transfer='{transfer['id']}']").count() == 1
    shot(bob, "outbox-en-1280")
