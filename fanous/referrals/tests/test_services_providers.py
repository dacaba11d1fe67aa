"""The service map (SPEC §2): who may maintain it, what it accepts, and how it is searched."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from fanous.accounts.models import Area
from fanous.audit.models import Event
from fanous.conftest import World, ok
from fanous.referrals.models import ServiceProvider


def provider_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "agency": "AGN-A",
        "area": "JO-AM",
        "name_ar": "مدرسة الأمل الأساسية",
        "name_en": "Al-Amal Basic School",
        "sector": "education",
        "service_types": ["formal_education", "non_formal_education"],
        "email": "school@example.org",
        "languages": ["ar", "en"],
        "capacity": 20,
    }
    body.update(overrides)
    return body


def test_agency_admin_puts_a_service_of_own_agency_on_the_map_and_it_is_audited(
    world: World,
) -> None:
    created = ok(world.api("adam").post("/services", provider_body()), 201)
    assert created["sector_label"] == "التعليم" or created["sector_label"] == "Education"
    event = Event.objects.get(action=Event.Action.SERVICE_MAP, object_id=created["id"])
    assert event.changes["name_ar"] == [None, "مدرسة الأمل الأساسية"]
    assert event.changes["service_types"][1] == ["formal_education", "non_formal_education"]


def test_caseworker_cannot_create_or_edit_a_service(world: World) -> None:
    res = world.api("alice").post("/services", provider_body())
    assert res.status_code == 403
    assert ServiceProvider.objects.count() == 0
    created = ok(world.api("cora").post("/services", provider_body()), 201)
    res = world.api("alice").patch(
        f"/services/{created['id']}", {"version": 1, "name_ar": "اسم آخر"}
    )
    assert res.status_code == 403
    assert ServiceProvider.objects.get().name_ar == "مدرسة الأمل الأساسية"


def test_agency_admin_of_a_cannot_edit_or_create_a_service_of_b(world: World) -> None:
    res = world.api("adam").post("/services", provider_body(agency="AGN-B"))
    assert res.status_code == 422
    assert "provider_agency_not_yours" in {r["code"] for r in res.json()["reasons"]}
    of_b = ok(world.api("cora").post("/services", provider_body(agency="AGN-B")), 201)
    res = world.api("adam").patch(f"/services/{of_b['id']}", {"version": 1, "capacity": 3})
    assert res.status_code == 403
    res = world.api("adam").post(f"/services/{of_b['id']}/deactivate", {"version": 1})
    assert res.status_code == 403
    assert ServiceProvider.objects.get().capacity == 20
    assert ServiceProvider.objects.get().is_active


def test_coordinator_edits_any_service_with_the_version_and_a_stale_one_is_refused(
    world: World,
) -> None:
    cora = world.api("cora")
    of_a = ok(world.api("adam").post("/services", provider_body()), 201)
    changed = ok(cora.patch(f"/services/{of_a['id']}", {"version": 1, "capacity": 0}))
    assert changed["capacity"] == 0
    assert changed["version"] == 2
    stale = cora.patch(f"/services/{of_a['id']}", {"version": 1, "capacity": 5})
    assert stale.status_code == 409
    event = Event.objects.filter(object_id=of_a["id"]).order_by("at").last()
    assert event is not None
    assert event.changes == {"capacity": [20, 0]}
    gone = ok(cora.post(f"/services/{of_a['id']}/deactivate", {"version": 2}))
    assert gone["is_active"] is False
    assert ok(cora.get("/services"))["count"] == 0
    assert ok(cora.get("/services?all=true"))["count"] == 1


def test_create_is_idempotent_by_id(world: World) -> None:
    pid = str(uuid.uuid4())
    adam = world.api("adam")
    ok(adam.post("/services", provider_body(id=pid)), 201)
    again = ok(adam.post("/services", provider_body(id=pid, name_ar="غير")), 200)
    assert again["name_ar"] == "مدرسة الأمل الأساسية"
    assert ServiceProvider.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"sector": "astrology"}, "provider_sector_unknown"),
        ({"service_types": ["formal_education", "palm_reading"]}, "provider_service_type_unknown"),
        ({"service_types": []}, "provider_service_types_missing"),
        ({"email": "not-an-email"}, "provider_email_invalid"),
        ({"name_ar": "  "}, "provider_name_ar_missing"),
        ({"languages": ["Arabic"]}, "provider_language_invalid"),
        ({"capacity": -1}, "provider_capacity_negative"),
        ({"accepts_from": ["AGN-Z"]}, "provider_accepts_from_unknown"),
        ({"area": "XX-NOWHERE"}, "provider_area_unknown"),
        ({"agency": "AGN-Z"}, "provider_agency_unknown"),
    ],
)
def test_invalid_services_are_refused_with_the_reason(
    world: World, overrides: dict[str, Any], code: str
) -> None:
    res = world.api("cora").post("/services", provider_body(**overrides))
    assert res.status_code == 422, res.content
    assert code in {r["code"] for r in res.json()["reasons"]}
    assert ServiceProvider.objects.count() == 0


def _three_services(world: World) -> None:
    district = Area.objects.create(
        code="JO-AM-MARKA",
        kind=Area.Kind.DISTRICT,
        parent=world.area,
        name_ar="ماركا",
        name_en="Marka",
    )
    cora = world.api("cora")
    ok(cora.post("/services", provider_body(name_ar="مركز فاطمة للتعليم", name_en="")), 201)
    ok(
        cora.post(
            "/services",
            provider_body(
                name_ar="عيادة مصطفى الصحية",
                name_en="Mustafa Clinic",
                sector="health",
                service_types=["primary_health"],
                area=district.code,
                languages=["ar"],
                in_app=False,
                accepts_from=["AGN-B"],
            ),
        ),
        201,
    )
    ok(
        cora.post(
            "/services",
            provider_body(
                name_ar="جمعية إحسان",
                name_en="Ihsan Society",
                sector="livelihoods",
                service_types=["cash_assistance"],
                agency="AGN-B",
            ),
        ),
        201,
    )


def _names(res: Any) -> list[str]:
    return sorted(i["name_ar"] for i in ok(res)["items"])


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("فاطمه", ["مركز فاطمة للتعليم"]),  # ة / ه
        ("مصطفي", ["عيادة مصطفى الصحية"]),  # ى / ي
        ("احسان", ["جمعية إحسان"]),  # إ / ا
        ("mustafa", ["عيادة مصطفى الصحية"]),
        ("عيادة الصحية", ["عيادة مصطفى الصحية"]),
    ],
)
def test_name_search_ignores_arabic_spelling_variants(
    world: World, query: str, expected: list[str]
) -> None:
    _three_services(world)
    assert _names(world.api("alice").get(f"/services?q={query}")) == expected


def test_filters_by_sector_type_area_language_agency_and_in_app(world: World) -> None:
    _three_services(world)
    alice = world.api("alice")
    assert _names(alice.get("/services?sector=health")) == ["عيادة مصطفى الصحية"]
    assert _names(alice.get("/services?service_type=cash_assistance")) == ["جمعية إحسان"]
    assert _names(alice.get("/services?area=JO-AM-MARKA")) == ["عيادة مصطفى الصحية"]
    assert len(_names(alice.get("/services?area=JO-AM"))) == 3  # the districts inside it
    assert _names(alice.get("/services?language=en")) == ["جمعية إحسان", "مركز فاطمة للتعليم"]
    # The clinic takes referrals from AGN-B only.
    assert "عيادة مصطفى الصحية" not in _names(alice.get("/services?accepts_from=AGN-A"))
    assert _names(alice.get("/services?in_app=false")) == ["عيادة مصطفى الصحية"]
    assert _names(alice.get("/services?agency=AGN-B")) == ["جمعية إحسان"]
    page = ok(alice.get("/services?limit=1&offset=1"))
    assert page["count"] == 3
    assert len(page["items"]) == 1


def test_every_role_reads_the_map_and_a_service(world: World) -> None:
    _three_services(world)
    pid = ServiceProvider.objects.first().pk  # type: ignore[union-attr]
    for name in ("alice", "bob", "dave", "cora", "sam", "adam", "hana"):
        assert ok(world.api(name).get("/services"))["count"] == 3
        assert ok(world.api(name).get(f"/services/{pid}"))["id"] == str(pid)
    assert world.api("alice").get(f"/services/{uuid.uuid4()}").status_code == 404
