"""Retention (issue 4, SPEC §12): ended cases past the SOP's period are anonymised, the
de-identified statistics stay, the audit chain still verifies and a re-run does nothing."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models.functions import ExtractYear
from django.utils import timezone

from fanous.audit.models import Event
from fanous.cases.models import (
    Assessment,
    Case,
    Child,
    Consent,
    Household,
    HouseholdMember,
    Registration,
)
from fanous.conftest import World, assessed_case, ok
from fanous.protection.models import CaseAnonymisation
from fanous.protection.retention import apply_retention
from fanous.referrals.models import Referral, ServiceProvider
from fanous.web.tests.referrals_support import make_clinic

pytestmark = pytest.mark.django_db

SECRET_NAME = "سليمان"
SECRET_FAMILY = "الزعبي"
SECRET_PHONE = "0791234567"
SECRET_ADDRESS = "جبل النزهة شارع ١٢"
SECRET_NARRATIVE = "يضربني صاحب المخبز كل صباح"
SECRET_WORKPLACE = "مخبز الربيع"
SECRET_CAREGIVER = "فاطمة الزعبي"


@pytest.fixture
def clinic(world: World) -> ServiceProvider:
    return make_clinic(world)


def full_case(world: World, clinic: ServiceProvider, *, given_name: str) -> dict[str, Any]:
    """A case with every kind of identifying data, and a referral carrying the identity."""
    alice = world.api("alice")
    case = assessed_case(
        alice,
        {"ill_health": True},
        kinds=("initial", "comprehensive"),
        narrative={"child_wishes": SECRET_NARRATIVE},
        child={
            "given_name": given_name,
            "family_name": SECRET_FAMILY,
            "phone": SECRET_PHONE,
            "current_address": SECRET_ADDRESS,
            "languages": "ar, ku",
        },
        registration={"workplace_name": SECRET_WORKPLACE, "health_wellbeing": "سعال"},
    )
    cid = case["id"]
    ok(
        alice.post(
            f"/cases/{cid}/household-members",
            {"name": SECRET_CAREGIVER, "relation": "mother", "sex": "f", "is_caregiver": True},
        ),
        201,
    )
    for giver in ("caregiver", "child"):
        ok(
            alice.post(
                f"/cases/{cid}/consents",
                {
                    "purpose": "information_sharing",
                    "giver": giver,
                    "given": True,
                    "giver_name": SECRET_CAREGIVER,
                },
            ),
            201,
        )
    ok(
        alice.post(
            "/referrals",
            {
                "case_id": cid,
                "provider_id": str(clinic.id),
                "service_type": "primary_health",
                "reason": f"فحص طبي لـ {given_name}",
                "sections": ["identity", "contact", "caregiver", "health"],
            },
        ),
        201,
    )
    return case


def end(case_id: str, *, years_ago: float, status: str = "closed") -> None:
    """Mark the case ended that long ago (the closure workflow is tested elsewhere)."""
    Case.objects.filter(pk=case_id).update(
        status=status,
        closed_at=timezone.now() - timedelta(days=round(365.25 * years_ago)),
        closure_reason="plan_goals_achieved" if status == "closed" else "",
    )


def aggregates() -> dict[str, Counter[Any]]:
    cases = Case.objects.all()
    return {
        "sex": Counter(cases.values_list("child__sex", flat=True)),
        "area": Counter(cases.values_list("area__code", flat=True)),
        "agency": Counter(cases.values_list("agency__code", flat=True)),
        "risk": Counter(cases.values_list("risk_level", flat=True)),
        "closure": Counter(cases.values_list("closure_reason", flat=True)),
        "status": Counter(cases.values_list("status", flat=True)),
        "birth_year": Counter(
            cases.annotate(y=ExtractYear("child__birth_date")).values_list("y", flat=True)
        ),
        "risk_factors": Counter(
            json.dumps(f, sort_keys=True)
            for f in Assessment.objects.values_list("risk_factors", flat=True)
        ),
        "referral_status": Counter(Referral.objects.values_list("status", flat=True)),
    }


def raw_rows(model: type[Any], column: str, value: Any) -> str:
    """Every column of the matching rows as stored (bypassing the ORM's field conversion)."""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE {column} = %s", [value])  # noqa: S608
        return " ".join(str(v) for row in cursor.fetchall() for v in row)


@pytest.fixture
def three_cases(world: World, clinic: ServiceProvider) -> dict[str, str]:
    old = full_case(world, clinic, given_name=SECRET_NAME)["id"]
    recent = full_case(world, clinic, given_name="كريم")["id"]
    still_open = full_case(world, clinic, given_name="يوسف")["id"]
    end(old, years_ago=6)
    end(recent, years_ago=4)
    Case.objects.filter(pk=still_open).update(
        created_at=timezone.now() - timedelta(days=365 * 8),
        identified_at=timezone.now() - timedelta(days=365 * 8),
    )
    return {"old": old, "recent": recent, "open": still_open}


def test_closed_case_six_years_old_is_anonymised_four_years_old_and_open_are_not(three_cases):
    run = apply_retention()

    assert [str(c) for c in run.anonymised] == [three_cases["old"]]
    assert set(CaseAnonymisation.objects.values_list("case_id", flat=True)) == {
        Case.objects.get(pk=three_cases["old"]).pk
    }
    old = Child.objects.get(cases=three_cases["old"])
    assert (old.given_name, old.family_name, old.phone, old.current_address, old.languages) == (
        "",
        "",
        "",
        "",
        "",
    )
    assert old.birth_date == date(2013, 7, 1)
    assert old.birth_date_estimated is True
    for key in ("recent", "open"):
        child = Child.objects.get(cases=three_cases[key])
        assert child.phone == SECRET_PHONE
        assert child.given_name in ("كريم", "يوسف")
        assert child.birth_date == date(2013, 3, 14)


def test_no_name_phone_address_or_narrative_remains_in_the_stored_rows(three_cases):
    case = Case.objects.select_related("child").get(pk=three_cases["old"])
    child, household_id = case.child, case.child.household_id
    apply_retention()

    stored = " ".join(
        [
            raw_rows(Child, "id", child.pk.hex if connection.vendor == "sqlite" else child.pk),
            raw_rows(Case, "id", case.pk.hex if connection.vendor == "sqlite" else case.pk),
            *(
                raw_rows(
                    model, "case_id", case.pk.hex if connection.vendor == "sqlite" else case.pk
                )
                for model in (Consent, Registration, Assessment, Referral)
            ),
        ]
    )
    if household_id is not None:
        hid = household_id.hex if connection.vendor == "sqlite" else household_id
        stored += raw_rows(Household, "id", hid) + raw_rows(HouseholdMember, "household_id", hid)
    for secret in (
        SECRET_NAME,
        SECRET_FAMILY,
        SECRET_PHONE,
        SECRET_ADDRESS,
        SECRET_NARRATIVE,
        SECRET_WORKPLACE,
        SECRET_CAREGIVER,
    ):
        assert secret not in stored, secret
    # The ORM agrees (whatever encryption the columns carry).
    assert [a.narrative for a in Assessment.objects.filter(case=case)] == [{}, {}]
    referral = Referral.objects.get(case=case)
    assert "name" not in referral.shared.get("identity", {})
    assert referral.shared["identity"]["sex"] == "m"
    assert referral.shared["contact"] == {"area": "JO-AM"}
    assert referral.shared["caregiver"] == [{"relation": "mother"}]
    assert referral.reason == ""
    assert referral.status == "sent"


def test_de_identified_aggregates_are_unchanged(three_cases):
    before = aggregates()
    apply_retention()
    assert CaseAnonymisation.objects.count() == 1
    assert aggregates() == before


def test_audit_chain_still_verifies_with_one_anonymise_event_per_case(three_cases):
    apply_retention()
    events = Event.objects.filter(action=Event.Action.ANONYMISE)
    assert [str(e.case_id) for e in events] == [three_cases["old"]]
    assert events[0].actor_id is None
    assert "child" in events[0].changes["wiped"]
    out = StringIO()
    call_command("verify_audit", stdout=out)
    assert "intact" in out.getvalue()


def test_rerunning_does_nothing(three_cases):
    apply_retention()
    events = Event.objects.count()
    stamp = CaseAnonymisation.objects.get().anonymised_at

    again = apply_retention()

    assert again.due == []
    assert again.anonymised == []
    assert Event.objects.count() == events
    assert CaseAnonymisation.objects.get().anonymised_at == stamp


def test_dry_run_counts_and_changes_nothing(three_cases):
    events = Event.objects.count()
    out = StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)

    assert "1 case(s) past retention, 1 would be anonymised" in out.getvalue()
    assert CaseAnonymisation.objects.count() == 0
    assert Event.objects.count() == events
    assert Child.objects.get(cases=three_cases["old"]).given_name == SECRET_NAME


def test_today_option_counts_the_period_from_that_day(three_cases):
    in_three_years = (timezone.now() + timedelta(days=365 * 3)).date().isoformat()
    out = StringIO()
    call_command("apply_retention", "--today", in_three_years, stdout=out)

    assert "2 case(s) past retention, 2 anonymised" in out.getvalue()
    assert CaseAnonymisation.objects.count() == 2


def test_not_eligible_and_referred_out_cases_also_expire(world, clinic):
    first = full_case(world, clinic, given_name="سامي")["id"]
    second = full_case(world, clinic, given_name="رامي")["id"]
    end(first, years_ago=7, status="not_eligible")
    end(second, years_ago=7, status="referred_out")

    run = apply_retention()

    assert len(run.anonymised) == 2


def test_child_with_another_case_inside_retention_is_kept(world, clinic):
    old = full_case(world, clinic, given_name=SECRET_NAME)["id"]
    end(old, years_ago=6)
    child = Child.objects.get(cases=old)
    # The same child came back: a second, still open case.
    newer = full_case(world, clinic, given_name="آخر")["id"]
    Case.objects.filter(pk=newer).update(child=child)

    run = apply_retention()

    assert run.anonymised == []
    assert [str(c) for c in run.kept_for_sibling_or_other_case] == [old]
    assert Child.objects.get(pk=child.pk).given_name == SECRET_NAME


def test_sibling_open_case_keeps_the_household(world, clinic):
    old = full_case(world, clinic, given_name=SECRET_NAME)["id"]
    sibling = full_case(world, clinic, given_name="أخته")["id"]
    end(old, years_ago=6)
    old_child = Child.objects.get(cases=old)
    household = Household.objects.create(
        agency=world.agency_a, area=world.area, address=SECRET_ADDRESS, phone=SECRET_PHONE
    )
    HouseholdMember.objects.create(
        household=household, name=SECRET_CAREGIVER, relation="mother", sex="f"
    )
    Child.objects.filter(cases__in=[old, sibling]).update(household=household)

    run = apply_retention()

    assert [str(c) for c in run.anonymised] == [old]
    assert Child.objects.get(pk=old_child.pk).given_name == ""
    household.refresh_from_db()
    assert household.address == SECRET_ADDRESS
    assert HouseholdMember.objects.get(household=household).name == SECRET_CAREGIVER


def test_enqueue_runs_the_task(three_cases):
    out = StringIO()
    call_command("apply_retention", "--enqueue", stdout=out)
    assert out.getvalue().startswith("queued:")
    assert CaseAnonymisation.objects.count() == 1
