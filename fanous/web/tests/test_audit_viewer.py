"""The audit log pages: web reads are logged and kept out of the timeline; the viewer is
for supervisors (their team's cases) and agency admins (their agency), and its export is
audited and names who exported it and when."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client

from fanous.audit.models import Event
from fanous.conftest import World, ok, registered_case
from fanous.referrals.tests.test_transfers_api import approved_transfer
from fanous.web.tests.referrals_support import a_case, make_clinic, send

pytestmark = pytest.mark.django_db


def web(world: World, name: str) -> Client:
    user = world.users[name]
    user.language = "en"
    user.save(update_fields=["language"])
    client = Client(REMOTE_ADDR="10.9.8.7")
    client.force_login(user)
    return client


def reads() -> list[Event]:
    return list(Event.objects.filter(action=Event.Action.READ).order_by("seq"))


def test_case_page_read_is_logged_and_not_in_the_timeline(world: World) -> None:
    case = registered_case(world.api("alice"))
    alice = web(world, "alice")
    before = len(reads())
    page = alice.get(f"/cases/{case['id']}/", HTTP_X_REQUEST_ID="web-req-1")
    assert page.status_code == 200
    new = reads()[before:]
    assert len(new) == 1
    assert new[0].actor_id == world.users["alice"].pk
    assert (new[0].ip, new[0].request_id) == ("10.9.8.7", "web-req-1")
    assert new[0].changes == {"section": "case"}
    again = alice.get(f"/cases/{case['id']}/")
    assert b"Viewed" not in again.content
    assert len(reads()) == before + 2


def test_referral_transfer_and_cash_pages_log_reads(world: World) -> None:
    case = a_case(world)
    referral = send(world, case, make_clinic(world))
    before = len(reads())
    assert web(world, "sam").get(f"/referrals/{referral['id']}/").status_code == 200
    assert web(world, "alice").get(f"/cases/{case['id']}/cash/").status_code == 200
    new = reads()[before:]
    assert [(e.object_type, e.changes["section"]) for e in new] == [
        ("referrals.referral", "referral"),
        ("cases.case", "cash"),
    ]
    assert all(str(e.case_id) == case["id"] for e in new)
    _, transfer = approved_transfer(world)
    before = len(reads())
    assert web(world, "dora").get(f"/transfers/{transfer['id']}/").status_code == 200
    assert [e.object_type for e in reads()[before:]] == ["referrals.casetransfer"]


def test_outsider_read_is_404_and_not_logged(world: World) -> None:
    case = registered_case(world.api("alice"))
    before = len(reads())
    assert web(world, "dave").get(f"/cases/{case['id']}/").status_code == 404
    assert len(reads()) == before


@pytest.mark.parametrize("name", ["alice", "cora", "sam", "hana"])
def test_viewer_and_export_are_404_for_other_roles(world: World, name: str) -> None:
    client = web(world, name)
    assert client.get("/audit/").status_code == 404
    assert client.get("/audit/export/?format=csv").status_code == 404


def test_anonymous_is_sent_to_log_in(world: World) -> None:
    assert Client().get("/audit/").status_code == 302


def _cases(world: World) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    mine = registered_case(world.api("alice"))  # team of bob
    other_team = registered_case(world.api("carol"))  # team of erin, same agency
    other_agency = registered_case(world.api("dave"))  # agency B
    return mine, other_team, other_agency


def test_supervisor_sees_only_their_teams_cases(world: World) -> None:
    mine, other_team, other_agency = _cases(world)
    page = web(world, "bob").get("/audit/")
    assert page.status_code == 200
    html = page.content.decode()
    assert mine["case_number"] in html
    assert other_team["case_number"] not in html
    assert other_agency["case_number"] not in html
    filtered = web(world, "bob").get("/audit/", {"case_number": other_team["case_number"]})
    assert b'data-count="0"' in filtered.content


def test_agency_admin_sees_their_agency_only(world: World) -> None:
    mine, other_team, other_agency = _cases(world)
    html = web(world, "adam").get("/audit/").content.decode()
    assert mine["case_number"] in html
    assert other_team["case_number"] in html
    assert other_agency["case_number"] not in html


def test_filters_by_action_user_and_dates(world: World) -> None:
    mine, _, _ = _cases(world)
    ok(world.api("bob").get(f"/cases/{mine['id']}"))
    bob = web(world, "bob")
    page = bob.get("/audit/", {"action": "read", "user": "bob"})
    html = page.content.decode()
    assert 'data-action="read"' in html
    assert 'data-action="create"' not in html
    assert 'data-count="1"' in html
    bad = bob.get("/audit/", {"date_from": "2030-01-02", "date_to": "2030-01-01"})
    assert bad.status_code == 422
    assert b'role="alert"' in bad.content
    future = bob.get("/audit/", {"date_from": "2099-01-01"})
    assert b'data-count="0"' in future.content


def test_csv_export_is_audited_and_names_the_exporter(world: World) -> None:
    mine, other_team, _ = _cases(world)
    res = web(world, "bob").get("/audit/export/", {"format": "csv", "action": "create"})
    assert res.status_code == 200
    assert res["Content-Type"].startswith("text/csv")
    text = res.content.decode("utf-8-sig")
    assert "Exported by,bob" in text
    assert "Exported at (UTC)" in text
    assert mine["case_number"] in text
    assert other_team["case_number"] not in text
    export = Event.objects.filter(action=Event.Action.EXPORT).get()
    assert export.actor_id == world.users["bob"].pk
    assert export.changes["format"] == "csv"
    assert export.changes["filter_action"] == "create"


def test_xlsx_export(world: World) -> None:
    from openpyxl import load_workbook

    mine, _, _ = _cases(world)
    res = web(world, "adam").get("/audit/export/", {"format": "xlsx"})
    assert res.status_code == 200
    sheet = load_workbook(io.BytesIO(res.content)).active
    rows = [[c for c in r if c is not None] for r in sheet.iter_rows(values_only=True)]
    assert ["Exported by", "adam"] in rows
    assert any(mine["case_number"] in r for r in rows)
    assert Event.objects.filter(action=Event.Action.EXPORT, actor=world.users["adam"]).exists()
