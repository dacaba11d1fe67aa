"""Encryption at rest (SPEC §12; SECURITY.md "Encryption"): sealing, the blind index of
names, what the database holds, and the audit of encrypted fields."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test import override_settings

from fanous.audit.models import Event
from fanous.cases.models import Assessment, Child, Consent, Household, Registration
from fanous.conftest import World, assessed_case, ok
from fanous.core import crypto
from fanous.core.fields import AUDIT_CHANGED


def keys_json(primary: str, *ids: str, search: bytes = b"s" * 32) -> str:
    return json.dumps(
        {
            "primary": primary,
            "keys": {i: base64.b64encode(i.encode().ljust(32, b"#")).decode() for i in ids},
            "search_key": base64.b64encode(search).decode(),
        }
    )


def raw(table: str, column: str, pk: Any) -> str:
    model_pk = pk.hex if connection.vendor == "sqlite" else pk
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "{column}" FROM "{table}" WHERE "id" = %s', [model_pk])
        return str(cursor.fetchone()[0])


def test_round_trip_with_the_key_id_in_the_token() -> None:
    token = crypto.seal("أحمد محمود")
    assert token.startswith("fx1:test1:")
    assert "أحمد" not in token
    assert crypto.key_id_of(token) == "test1"
    assert crypto.unseal(token) == "أحمد محمود"
    assert crypto.seal("") == ""
    assert crypto.unseal("") == ""
    assert crypto.seal("x") != crypto.seal("x")  # a fresh nonce each time


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t[:-4] + ("AAAA" if not t.endswith("AAAA") else "BBBB"),  # ciphertext
        lambda t: t.replace("fx1:test1:", "fx1:other:"),  # unknown key id
        lambda t: t.replace("fx1:test1:", "fx1:test1:!!"),  # not base64
        lambda t: t.removeprefix("fx1:"),  # not a token
    ],
)
def test_a_tampered_token_is_refused(tamper: Any) -> None:
    with pytest.raises(crypto.DecryptionError):
        crypto.unseal(tamper(crypto.seal("+962 79 000 0000")))


def test_a_token_relabelled_with_another_known_key_is_refused() -> None:
    with override_settings(FANOUS_KEYS=keys_json("k1", "k1", "k2")):
        token = crypto.seal("secret")
        with pytest.raises(crypto.DecryptionError):
            crypto.unseal(token.replace("fx1:k1:", "fx1:k2:"))


def test_name_digest_matches_prefixes_and_spelling_variants() -> None:
    stored = crypto.name_digest("أحمد عبد الله الخطيب")
    assert stored.startswith(" ")
    assert stored.endswith(" ")
    for query in ("احمد", "أحمد", "أح", "عبدالله", "عبد الله", "الخط"):
        assert all(f" {d} " in stored for d in crypto.query_digests(query)), query
    assert not all(f" {d} " in stored for d in crypto.query_digests("محمد"))
    # No name in clear, and the digest depends on the search key.
    assert "احمد" not in stored
    with override_settings(FANOUS_KEYS=keys_json("k1", "k1", search=b"t" * 32)):
        assert crypto.name_digest("أحمد عبد الله الخطيب") != stored


def test_keyring_from_a_file_and_refused_without_one(tmp_path: Any) -> None:
    path = tmp_path / "keys.json"
    with override_settings(FANOUS_KEYS_FILE=str(path), FANOUS_KEYS_TEST_KEYRING=False):
        with pytest.raises(ImproperlyConfigured):
            crypto.keyring()
        with override_settings(FANOUS_KEYS_AUTOCREATE=True):
            ring = crypto.keyring()
            assert path.is_file()
            assert ring.source.startswith("file:")
            assert crypto.unseal(crypto.seal("x")) == "x"
    with (
        override_settings(FANOUS_KEYS_TEST_KEYRING=False),
        pytest.raises(ImproperlyConfigured),
    ):
        crypto.keyring()


def test_deploy_check_warns_about_the_test_keyring_and_a_shared_search_key() -> None:
    ids = {m.id for m in run_checks(include_deployment_checks=True, tags=["security"])}
    assert "fanous.W002" in ids
    shared = json.loads(keys_json("k1", "k1"))
    shared["search_key"] = shared["keys"]["k1"]
    with override_settings(FANOUS_KEYS=json.dumps(shared)):
        ids = {m.id for m in run_checks(include_deployment_checks=True, tags=["security"])}
        assert "fanous.W003" in ids
        assert "fanous.W002" not in ids
    with override_settings(FANOUS_KEYS=keys_json("k1", "k1")):
        ids = {m.id for m in run_checks(include_deployment_checks=True, tags=["security"])}
        assert not ids & {"fanous.W001", "fanous.W002", "fanous.W003"}


def test_the_database_holds_no_plaintext_name_phone_or_narrative(world: World) -> None:
    alice = world.api("alice")
    case = assessed_case(
        alice,
        {"hours_per_week": 30, "sexual_abuse": True},
        kinds=("initial", "comprehensive"),
        narrative={"child_wishes": "أريد أن أعود إلى المدرسة"},
        child={"phone": "+962790001122", "current_address": "جبل النصر"},
        registration={"workplace_name": "ورشة الحدادة", "health_wellbeing": "سعال مزمن"},
    )
    child = Child.objects.get(cases__id=case["id"])
    assert child.given_name == "أحمد"
    assert child.phone == "+962790001122"
    for column, plain in (
        ("given_name", "أحمد"),
        ("family_name", "الخطيب"),
        ("phone", "+962790001122"),
        ("current_address", "جبل النصر"),
    ):
        stored = raw("cases_child", column, child.pk)
        assert stored.startswith("fx1:")
        assert plain not in stored
    digest = raw("cases_child", "name_digest", child.pk)
    assert "أحمد" not in digest
    assert "احمد" not in digest
    registration = Registration.objects.get(case_id=case["id"])
    assert "ورشة" not in raw("cases_registration", "workplace_name", registration.pk)
    assessment = Assessment.objects.filter(case_id=case["id"], kind="comprehensive").get()
    assert assessment.narrative == {"child_wishes": "أريد أن أعود إلى المدرسة"}
    assert "المدرسة" not in raw("cases_assessment", "narrative", assessment.pk)
    # Sensitive facts are sealed; the others stay open for the reports.
    assert assessment.facts["sexual_abuse"] is True
    assert assessment.open_facts == {"hours_per_week": 30} | {
        k: v for k, v in assessment.open_facts.items() if k != "hours_per_week"
    }
    assert "sexual_abuse" not in assessment.open_facts
    assert "sexual_abuse" in assessment.sealed_facts
    assert "sexual_abuse" not in raw("cases_assessment", "sealed_facts", assessment.pk)
    assert "sexual_abuse" not in raw("cases_assessment", "facts", assessment.pk)
    # Empty stays empty, so "is it blank?" needs no decryption.
    assert raw("cases_household", "notes", Household.objects.get(children=child).pk) == ""
    assert Consent.objects.filter(case_id=case["id"], notes="").count() == 2


def test_the_audit_records_only_that_an_encrypted_field_changed(world: World) -> None:
    alice = world.api("alice")
    case = assessed_case(alice, {"hours_per_week": 20})
    ok(
        alice.patch(
            f"/cases/{case['id']}/child",
            {"version": case["version"], "child": {"given_name": "محمد", "nationality": "SY"}},
        )
    )
    event = Event.objects.filter(case_id=case["id"], summary="child details updated").get()
    assert event.changes["child.given_name"] == [AUDIT_CHANGED, AUDIT_CHANGED]
    assert event.changes["child.nationality"] == ["", "SY"]
    dump = json.dumps(list(Event.objects.values_list("changes", flat=True)), ensure_ascii=False)
    assert "محمد" not in dump
    # The new name is searchable; the old one no longer is.
    found = ok(alice.get("/cases?q=محم"))
    assert [c["id"] for c in found["items"]] == [case["id"]]
    assert ok(alice.get("/cases?q=احمد"))["items"] == []


@pytest.mark.django_db
def test_filtering_on_an_encrypted_column_is_refused_loudly_not_silently_empty():
    from django.core.exceptions import FieldError

    from fanous.cases.models import Assessment, Child

    assert Child.objects.filter(family_name="").count() == 0  # the empty value: allowed
    assert Child.objects.filter(phone__isnull=True).count() == 0
    assert Assessment.objects.exclude(narrative={}).count() == 0
    for bad in (
        lambda: Child.objects.filter(given_name="Amal"),
        lambda: Child.objects.filter(given_name__icontains="am"),
        lambda: Child.objects.filter(given_name__in=["Amal"]),
    ):
        with pytest.raises(FieldError):
            list(bad())
