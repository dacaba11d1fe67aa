"""Demo data of the referrals area, loaded after the demo cases (``manage.py load_demo``)."""

from __future__ import annotations

from fanous.accounts.models import Agency, Area, User
from fanous.cases.models import Case
from fanous.referrals import demo_cash, demo_referrals, demo_services, demo_transfers


def load(*, area: Area, agencies: dict[str, Agency], users: dict[str, User]) -> None:
    """The service map first (referrals need services), then referrals, transfers, cash."""
    cases = list(Case.objects.select_related("agency", "child").order_by("case_number"))
    for part in (demo_services, demo_referrals, demo_transfers, demo_cash):
        part.load(area=area, agencies=agencies, users=users, cases=cases)
        cases = list(Case.objects.select_related("agency", "child").order_by("case_number"))
