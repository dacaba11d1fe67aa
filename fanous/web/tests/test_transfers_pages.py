"""Transfer pages through the Django client: access (404 for outsiders, POSTs change
nothing), validation, and what each side may read (SPEC §9, §10, §12)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from fanous.cases.models import Case
from fanous.conftest import World
from fanous.referrals.models import CaseTransfer
from fanous.referrals.tests.test_transfers_api import (
    SECRET_NAME,
    approved_transfer,
    consented_case,
    state,
)

pytestmark = pytest.mark.django_db


def browser(world: World, name: str) -> Client:
    client = Client()
    client.force_login(world.users[name])
    return client


def request_form(world: World, case: dict[str, Any], **extra: str) -> dict[str, Any]:
    body = {
        "version": case["version"],
        "to_agency": str(world.agency_b.pk),
        "reason": "Specialised service in agency B.",
        "note_to_receiver": "Boy working in a workshop; needs vocational support.",
        "override_reason": "",
    }
    body.update(extra)
    return body


def test_case_team_requests_a_transfer_from_the_form(world: World) -> None:
    case = consented_case(world)
    alice = browser(world, "alice")
    page = alice.get(f"/cases/{case['id']}/transfer/")
    assert page.status_code == 200
    assert b'data-consent="1"' in page.content
    res = alice.post(f"/cases/{case['id']}/transfer/", request_form(world, case))
    transfer = CaseTransfer.objects.get(case_id=case["id"])
    assert res.status_code == 302
    assert res["Location"] == f"/transfers/{transfer.pk}/"
    assert transfer.status == "requested"
    # A second visit points to the pending transfer instead of a new form.
    again = alice.get(f"/cases/{case['id']}/transfer/")
    assert b'id="transfer-pending"' in again.content
    assert b'id="transfer-form"' not in again.content


def test_form_refusals_are_shown_and_nothing_is_saved(world: World) -> None:
    from fanous.conftest import registered_case

    case = registered_case(world.api("alice"))
    alice = browser(world, "alice")
    before = state(case["id"])
    # No consent and no ground: refused, the ground field is shown with the message.
    res = alice.post(f"/cases/{case['id']}/transfer/", request_form(world, case))
    assert res.status_code == 422
    assert b'data-code="transfer_consent_missing"' in res.content
    assert b'role="alert"' in res.content
    assert b'name="override_reason"' in res.content
    # Missing note: field error.
    res = alice.post(
        f"/cases/{case['id']}/transfer/", request_form(world, case, note_to_receiver="")
    )
    assert res.status_code == 422
    assert b"is-invalid" in res.content
    # Stale version: "reload", nothing overwritten.
    res = alice.post(
        f"/cases/{case['id']}/transfer/",
        request_form(world, case, version=str(case["version"] - 1), override_reason="Safety."),
    )
    assert res.status_code == 409
    assert b'data-action="reload"' in res.content
    assert state(case["id"]) == before


def test_outsiders_get_404_on_the_form_and_their_posts_change_nothing(world: World) -> None:
    case = consented_case(world)
    before = state(case["id"])
    for name in ("carol", "dave", "dora"):
        client = browser(world, name)
        assert client.get(f"/cases/{case['id']}/transfer/").status_code == 404
        res = client.post(f"/cases/{case['id']}/transfer/", request_form(world, case))
        assert res.status_code == 404
    assert state(case["id"]) == before


def test_receiving_supervisor_reads_only_the_note_before_accepting(world: World) -> None:
    case, transfer = approved_transfer(world)
    dora = browser(world, "dora")
    for url in ("/transfers/", f"/transfers/{transfer['id']}/"):
        page = dora.get(url)
        assert page.status_code == 200
        html = page.content.decode()
        assert "A 12-year-old boy" in html
        assert SECRET_NAME not in html
        assert case["case_number"] not in html
        assert case["id"] not in html
    assert dora.get(f"/cases/{case['id']}/").status_code == 404


def test_wrong_side_and_outsider_posts_change_nothing(world: World) -> None:
    case, transfer = approved_transfer(world)
    tid, version = transfer["id"], transfer["version"]
    before = state(case["id"])
    # dave (caseworker of B) and carol (A, another team): no page, no action.
    for name in ("dave", "carol"):
        client = browser(world, name)
        assert client.get(f"/transfers/{tid}/").status_code == 404
        res = client.post(f"/transfers/{tid}/accept/", {"accept-version": version})
        assert res.status_code == 404
    # bob (sending supervisor) cannot accept; dora cannot cancel.
    res = browser(world, "bob").post(f"/transfers/{tid}/accept/", {"accept-version": version})
    assert res.status_code == 403
    assert b'role="alert"' in res.content
    res = browser(world, "dora").post(
        f"/transfers/{tid}/cancel/", {"cancel-version": version, "cancel-reason": "x"}
    )
    assert res.status_code == 403
    # Stale version on accept.
    res = browser(world, "dora").post(f"/transfers/{tid}/accept/", {"accept-version": 1})
    assert res.status_code == 409
    assert b'data-action="reload"' in res.content
    assert state(case["id"]) == before


def test_caseworker_sees_no_approve_button_and_cannot_approve(world: World) -> None:
    case = consented_case(world)
    alice = browser(world, "alice")
    alice.post(f"/cases/{case['id']}/transfer/", request_form(world, case))
    transfer = CaseTransfer.objects.get(case_id=case["id"])
    page = alice.get(f"/transfers/{transfer.pk}/")
    assert b'id="approve-transfer"' not in page.content
    assert b'id="cancel-form"' in page.content
    before = state(case["id"])
    res = alice.post(f"/transfers/{transfer.pk}/approve/", {"approve-version": 1})
    assert res.status_code == 403
    assert state(case["id"]) == before
    bob_page = browser(world, "bob").get(f"/transfers/{transfer.pk}/")
    assert b'id="approve-transfer"' in bob_page.content


def test_after_acceptance_the_sending_supervisor_keeps_a_read_only_record(
    world: World,
) -> None:
    case, transfer = approved_transfer(world)
    dora = browser(world, "dora")
    res = dora.post(
        f"/transfers/{transfer['id']}/accept/",
        {"accept-version": transfer["version"], "accept-caseworker": world.users["dave"].pk},
    )
    assert res.status_code == 302
    assert res["Location"] == f"/cases/{case['id']}/"
    assert Case.objects.get(pk=case["id"]).caseworker_id == world.users["dave"].pk
    bob = browser(world, "bob")
    assert bob.get(f"/cases/{case['id']}/").status_code == 404
    record = bob.get(f"/transfers/{transfer['id']}/")
    html = record.content.decode()
    assert 'id="transfer-record"' in html
    assert SECRET_NAME in html
    assert case["case_number"] in html
    assert 'data-event-action="transfer"' in html
    assert 'id="transfer-actions"' not in html
    # Nothing can be done from the record.
    assert bob.post(
        f"/transfers/{transfer['id']}/cancel/", {"cancel-version": 3, "cancel-reason": "x"}
    ).status_code in (403, 409)
