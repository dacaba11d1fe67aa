"""The demo service map (SPEC §2): every sector, one full service, a need left uncovered."""

from __future__ import annotations

from fanous.cases.models import Case
from fanous.conftest import World, assessed_case
from fanous.referrals import demo_services
from fanous.referrals.models import ServiceGap, ServiceProvider


def test_demo_map_covers_every_sector_but_rehabilitation_and_records_gaps(world: World) -> None:
    case = assessed_case(world.api("alice"), {"disability": True})
    users = {**world.users, "coord": world.users["cora"]}
    agencies = {"AGN-A": world.agency_a, "AGN-B": world.agency_b}
    demo_services.load(
        area=world.area, agencies=agencies, users=users, cases=list(Case.objects.all())
    )
    providers = list(ServiceProvider.objects.all())
    assert len(providers) >= 10  # the AGN-C services are skipped without that agency
    assert any(p.capacity == 0 for p in providers)
    assert any(not p.in_app for p in providers)
    assert not any("rehabilitation" in p.service_types for p in providers)
    assert ServiceGap.objects.filter(case_id=case["id"], need="disability_support").exists()
    # Loading again adds nothing.
    demo_services.load(
        area=world.area, agencies=agencies, users=users, cases=list(Case.objects.all())
    )
    assert ServiceProvider.objects.count() == len(providers)
