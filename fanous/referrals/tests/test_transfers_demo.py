"""The demo transfers load through the real services: one pending, one accepted."""

from __future__ import annotations

import pytest

from fanous.accounts.access import Actor
from fanous.cases.models import Case
from fanous.conftest import World
from fanous.referrals import demo_transfers
from fanous.referrals.models import CaseTransfer
from fanous.referrals.selectors.transfers import transfer_list_for
from fanous.referrals.tests.test_transfers_api import consented_case

pytestmark = pytest.mark.django_db


def test_demo_has_one_pending_and_one_accepted_transfer_from_agn_a_to_agn_b(
    world: World,
) -> None:
    ids = [consented_case(world)["id"] for _ in range(3)]
    Case.objects.filter(pk__in=ids).update(status="implementation")
    cases = list(Case.objects.filter(pk__in=ids).order_by("identified_at"))
    # The demo's names for the receiving supervisor and caseworker.
    users = {"layla": world.users["dora"], "khaled": world.users["dave"]}
    agencies = {"AGN-A": world.agency_a, "AGN-B": world.agency_b}
    demo_transfers.load(area=world.area, agencies=agencies, users=users, cases=cases)

    statuses = sorted(CaseTransfer.objects.values_list("status", flat=True))
    assert statuses == ["accepted", "approved"]
    accepted = CaseTransfer.objects.get(status="accepted")
    assert accepted.case.agency_id == world.agency_b.pk
    assert accepted.case.caseworker_id == world.users["dave"].pk
    assert accepted.decided_at is not None
    assert accepted.approved_at is not None
    assert accepted.approved_at < accepted.decided_at
    assert len(transfer_list_for(actor=Actor.of(world.users["dora"])).inbox) == 2
    assert len(transfer_list_for(actor=Actor.of(world.users["bob"])).outbox) == 2
    # Loading again adds nothing.
    demo_transfers.load(area=world.area, agencies=agencies, users=users, cases=cases)
    assert CaseTransfer.objects.count() == 2
