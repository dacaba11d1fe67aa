"""Every page that shows a case is a traceable read (issue 4, SPEC §12), including the pages
that change it (forms show the child's name and the case's facts); a colleague who reads
the case through a share is refused those pages (grants only read)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from fanous.audit.models import Event
from fanous.cases.models import Case
from fanous.conftest import World, assessed_case
from fanous.protection.models import CaseAccessGrant

pytestmark = pytest.mark.django_db

# page -> the section its read is recorded under
CHANGE_PAGES = {
    "assessments/new?kind=comprehensive": "assessment",
    "plan": "plan",
    "child/edit": "child",
    "registration/edit": "registration",
    "household-members/new": "household",
    "referrals/new/": "referral_new",
    "transfer/": "transfer_new",
}
READ_PAGES = {"follow-ups/": "follow_ups", "cash/": "cash"}


def _client(world: World, name: str) -> Client:
    client = Client()
    client.force_login(world.users[name])
    return client


def _reads(user: Any, case_id: str) -> list[dict[str, Any]]:
    return [
        e.changes or {}
        for e in Event.objects.filter(actor=user, case_id=case_id, action=Event.Action.READ)
    ]


@pytest.fixture
def case_id(world: World) -> str:
    return str(assessed_case(world.api("alice"), {"hazard.heavy_loads": True})["id"])


def _url(case_id: str, page: str) -> str:
    return f"/cases/{case_id}/{page}"


def test_opening_a_page_of_the_case_is_an_audited_read_of_its_section(
    world: World, case_id: str
) -> None:
    alice = _client(world, "alice")
    opened = 0
    for page, section in {**CHANGE_PAGES, **READ_PAGES}.items():
        res = alice.get(_url(case_id, page))
        assert res.status_code in (200, 302), (page, res.status_code)
        if res.status_code == 200:
            opened += 1
            assert {"section": section} in _reads(world.users["alice"], case_id), page
    assert opened >= 7  # most pages open at this step of the case


def test_a_share_reads_the_case_but_not_the_pages_that_change_it(
    world: World, case_id: str
) -> None:
    case = Case.objects.get(pk=case_id)
    grant = CaseAccessGrant.objects.create(
        case=case,
        user=world.users["carol"],
        kind=CaseAccessGrant.Kind.SHARE,
        reason="Cover during leave",
        granted_by=world.users["alice"],
        starts_at=timezone.now() - timedelta(hours=1),
        expires_at=timezone.now() + timedelta(days=2),
        sop_version=case.sop_version,
    )
    carol = _client(world, "carol")
    for page in CHANGE_PAGES:
        res = carol.get(_url(case_id, page))
        assert res.status_code == 403, (page, res.status_code)
        assert "Carrying heavy loads" not in res.content.decode()
    assert _reads(world.users["carol"], case_id) == []  # refused pages read nothing
    res = carol.get(_url(case_id, "follow-ups/"))
    assert res.status_code == 200
    assert _reads(world.users["carol"], case_id) == [
        {"section": "follow_ups", "via": "share", "grant": str(grant.pk)}
    ]


def test_another_agency_gets_404_and_no_read_is_recorded(world: World, case_id: str) -> None:
    dave = _client(world, "dave")
    for page in {**CHANGE_PAGES, **READ_PAGES}:
        assert dave.get(_url(case_id, page)).status_code == 404, page
    assert _reads(world.users["dave"], case_id) == []
