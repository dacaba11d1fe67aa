"""Key rotation (`manage.py rotate_keys`, SECURITY.md): every record stays readable, nothing
stays under the old key, and search by name survives a new search key."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection, models
from django.db.models.functions import Cast
from django.test import override_settings

from fanous.accounts import twofactor
from fanous.accounts.models_auth import TwoFactorDevice
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
from fanous.core import crypto
from fanous.core.fields import encrypted_fields
from fanous.core.tests.test_crypto import keys_json
from fanous.referrals.models import Referral, ServiceProvider

K1 = keys_json("k1", "k1", search=b"1" * 32)
K1_K2 = keys_json("k2", "k1", "k2", search=b"1" * 32)
K2_ONLY = keys_json("k2", "k2", search=b"1" * 32)
K2_NEW_SEARCH = keys_json("k2", "k2", search=b"2" * 32)


def tokens_by_key() -> dict[str, int]:
    """Every encrypted value in the database, counted by the key that seals it."""
    counts: dict[str, int] = {}
    for model in apps.get_models():
        for field in encrypted_fields(model):
            raw = model._base_manager.annotate(_raw=Cast(field.name, models.TextField()))
            for token in raw.values_list("_raw", flat=True):
                if token:
                    kid = crypto.key_id_of(token) or "plain"
                    counts[kid] = counts.get(kid, 0) + 1
    return counts


def snapshot(case_id: Any) -> dict[str, Any]:
    """Everything encrypted about one case, read through the models."""
    case = Case.objects.select_related("child__household").get(pk=case_id)
    child = case.child
    return {
        "child": [child.full_name, child.phone, child.current_address],
        "household": list(Household.objects.filter(children=child).values()),
        "members": list(HouseholdMember.objects.filter(household=child.household).values()),
        "consents": list(Consent.objects.filter(case=case).order_by("pk").values()),
        "registration": list(Registration.objects.filter(case=case).values()),
        "assessments": [
            (a.facts, a.narrative) for a in Assessment.objects.filter(case=case).order_by("pk")
        ],
        "referrals": list(Referral.objects.filter(case=case).values_list("shared", flat=True)),
    }


def run(*args: str) -> str:
    out = StringIO()
    call_command("rotate_keys", *args, stdout=out)
    return out.getvalue()


def found(world: World, query: str) -> list[str]:
    return [c["id"] for c in ok(world.api("alice").get(f"/cases?q={query}"))["items"]]


@pytest.fixture
def full_case(world: World) -> dict[str, Any]:
    """A case with every kind of encrypted record, written under key k1."""
    alice = world.api("alice")
    with override_settings(FANOUS_KEYS=K1):
        case = assessed_case(
            alice,
            {"hours_per_week": 30, "sexual_abuse": True, "ill_health": True},
            kinds=("initial", "comprehensive"),
            narrative={"family_environment": "الأب مريض"},
            child={"given_name": "عبد الله", "phone": "0790001122"},
            registration={"workplace_name": "ورشة", "health_wellbeing": "سعال مزمن"},
        )
        cid = case["id"]
        ok(
            alice.post(
                f"/cases/{cid}/household-members",
                {"name": "فاطمة", "relation": "mother", "sex": "f", "is_caregiver": True},
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
                        "giver_name": "أم عبد الله",
                        "notes": "موافقة شفهية",
                    },
                ),
                201,
            )
        clinic = ServiceProvider.objects.create(
            agency=world.agency_b,
            area=world.area,
            name_ar="عيادة الأمل",
            sector="health",
            service_types=["primary_health"],
        )
        ok(
            alice.post(
                "/referrals",
                {
                    "case_id": cid,
                    "provider_id": str(clinic.id),
                    "service_type": "primary_health",
                    "reason": "فحص طبي",
                    "need": "urgent_medical",
                },
            ),
            201,
        )
        TwoFactorDevice.objects.create(
            user=world.users["bob"], secret_sealed=twofactor.seal("JBSWY3DPEHPK3PXP")
        )
        assert Referral.objects.filter(case_id=cid).get().shared
        return case


def test_rotation_keeps_every_record_readable_and_leaves_nothing_under_the_old_key(
    world: World, full_case: dict[str, Any]
) -> None:
    cid = full_case["id"]
    with override_settings(FANOUS_KEYS=K1):
        before = snapshot(cid)
        assert set(tokens_by_key()) == {"k1"}
    assert before["child"][0] == "عبد الله محمود الخطيب"
    assert before["members"][0]["name"] == "فاطمة"
    assert before["assessments"][1][0]["sexual_abuse"] is True

    with override_settings(FANOUS_KEYS=K1_K2):
        dry = run("--dry-run")
        assert "cases.Child.given_name: k1=1" in dry
        assert "accounts.TwoFactorDevice.secret_sealed: k1=1" in dry
        assert set(tokens_by_key()) == {"k1"}  # a dry run changes nothing
        assert "re-encrypted" in run()
        assert set(tokens_by_key()) == {"k2"}
        assert "k1=" not in run("--dry-run")  # idempotent: nothing left to do
        assert "re-encrypted 0 value(s)" in run()

    # The old key removed: everything still opens, search still works.
    with override_settings(FANOUS_KEYS=K2_ONLY):
        assert snapshot(cid) == before
        device = TwoFactorDevice.objects.get(user=world.users["bob"])
        assert twofactor.unseal(device.secret_sealed) == "JBSWY3DPEHPK3PXP"
        assert found(world, "عبدالله") == [cid]


def test_search_by_name_survives_a_new_search_key(world: World, full_case: dict[str, Any]) -> None:
    cid = full_case["id"]
    with override_settings(FANOUS_KEYS=K1):
        assert found(world, "عبدالله الخط") == [cid]
    with override_settings(FANOUS_KEYS=K2_NEW_SEARCH):
        # Keys k1 -> k2 and a new search key at once: the old digests no longer match...
        with override_settings(FANOUS_KEYS=keys_json("k2", "k1", "k2", search=b"2" * 32)):
            assert found(world, "عبدالله") == []
            out = run("--search-key")
            assert "recomputed 1 child record(s)" in out
        # ...after the rotation: variant spelling (عبد الله / عبدالله, أحمد / احمد), prefixes.
        for query in ("عبدالله", "عبد الله", "الخط", "محم", "عب الخطيب"):
            assert found(world, query) == [cid], query
        assert found(world, "سامي") == []
        assert set(tokens_by_key()) == {"k2"}


def test_a_legacy_two_factor_secret_still_works_and_is_resealed(world: World) -> None:
    legacy = _legacy_seal("JBSWY3DPEHPK3PXP")
    device = TwoFactorDevice.objects.create(user=world.users["bob"], secret_sealed=legacy)
    assert twofactor.unseal(device.secret_sealed) == "JBSWY3DPEHPK3PXP"
    assert "legacy=1" in run("--dry-run")
    run()
    device.refresh_from_db()
    assert crypto.key_id_of(device.secret_sealed) == "test1"
    assert twofactor.unseal(device.secret_sealed) == "JBSWY3DPEHPK3PXP"


def _legacy_seal(plain: str) -> str:
    """The former SECRET_KEY-derived sealing of two-factor secrets ("v1$...")."""
    import base64
    import hashlib
    import hmac
    import secrets

    key = twofactor._legacy_keys()[0]
    nonce = secrets.token_bytes(16)
    data = plain.encode()
    stream = twofactor._stream(key, nonce, len(data))
    body = bytes(a ^ b for a, b in zip(data, stream, strict=True))
    tag = hmac.new(key, b"mac" + nonce + body, hashlib.sha256).digest()[:16]
    return "v1$" + base64.urlsafe_b64encode(nonce + body + tag).decode()


def test_raw_columns_after_rotation_hold_no_plaintext(world: World, full_case: Any) -> None:
    with override_settings(FANOUS_KEYS=K1_K2):
        run()
    with connection.cursor() as cursor:
        cursor.execute('SELECT "given_name", "phone", "name_digest" FROM "cases_child"')
        for row in cursor.fetchall():
            assert "عبد" not in " ".join(row)
            assert "0790001122" not in " ".join(row)
    assert Child.objects.count() == 1
