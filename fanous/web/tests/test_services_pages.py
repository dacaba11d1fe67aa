"""Service map pages (SPEC §2): who sees and changes what, validation, import, pathways."""

from __future__ import annotations

from io import BytesIO
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from fanous.conftest import World, assessed_case, ok
from fanous.referrals.models import ServiceGap, ServiceProvider
from fanous.referrals.tests.test_services_providers import provider_body
from fanous.referrals.tests.test_services_xlsx import _workbook


def client_for(world: World, name: str) -> Client:
    c = Client()
    c.force_login(world.users[name])
    return c


def _service(world: World, **overrides: Any) -> dict[str, Any]:
    return ok(world.api("cora").post("/services", provider_body(**overrides)), 201)


def _form(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "version": "",
        "record_id": "",
        "agency": "AGN-A",
        "area": "JO-AM",
        "name_ar": "مركز الصحة النفسية",
        "name_en": "",
        "name_fr": "",
        "sector": "mhpss",
        "service_types": ["psychosocial_support"],
        "languages": "ar, en",
        "capacity": "12",
        "in_app": "on",
        "is_active": "on",
    }
    body.update(overrides)
    return body


def test_every_role_reads_the_map_and_filters_it(world: World) -> None:
    _service(world)
    _service(world, name_ar="عيادة مصطفى", sector="health", service_types=["primary_health"])
    for name in ("alice", "dave", "sam", "cora", "adam", "hana"):
        res = client_for(world, name).get("/services/?sector=health")
        assert res.status_code == 200
        assert res.content.decode().count('data-sector="health"') == 2  # card + table row
        assert 'data-sector="education"' not in res.content.decode()
    partial = client_for(world, "alice").get(
        "/services/?q=مصطفي", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="services"
    )
    assert b"<html" not in partial.content
    assert 'data-count="1"' in partial.content.decode()


def test_caseworker_cannot_open_or_post_the_manager_pages(world: World) -> None:
    service = _service(world)
    alice = client_for(world, "alice")
    assert alice.get("/services/new/").status_code == 404
    assert alice.post("/services/new/", _form()).status_code == 404
    edit = f"/services/{service['id']}/edit/"
    assert alice.get(edit).status_code == 404
    assert alice.post(edit, _form(version="1")).status_code == 404
    assert alice.post(f"/services/{service['id']}/deactivate/", {"version": "1"}).status_code == 404
    assert alice.get("/services/import/").status_code == 404
    assert ServiceProvider.objects.count() == 1
    assert ServiceProvider.objects.get().is_active


def test_agency_admin_of_a_cannot_edit_b_and_the_coordinator_can(world: World) -> None:
    of_b = _service(world, agency="AGN-B")
    adam = client_for(world, "adam")
    edit = f"/services/{of_b['id']}/edit/"
    assert adam.get(edit).status_code == 404
    assert adam.post(edit, _form(agency="AGN-B", version="1")).status_code == 404
    assert adam.post(f"/services/{of_b['id']}/deactivate/", {"version": "1"}).status_code == 404
    cora = client_for(world, "cora")
    res = cora.post(edit, _form(agency="AGN-B", version="1", name_ar="اسم جديد"))
    assert res.status_code == 302
    assert ServiceProvider.objects.get().name_ar == "اسم جديد"


def test_agency_admin_creates_a_service_of_own_agency(world: World) -> None:
    adam = client_for(world, "adam")
    res = adam.post("/services/new/", _form())
    assert res.status_code == 302
    provider = ServiceProvider.objects.get()
    assert provider.languages == ["ar", "en"]
    assert provider.capacity == 12
    assert client_for(world, "alice").get(res["Location"]).status_code == 200


def test_invalid_service_is_shown_next_to_the_fields_and_nothing_is_saved(world: World) -> None:
    adam = client_for(world, "adam")
    res = adam.post(
        "/services/new/", _form(name_ar="", email="nope", capacity="-2", service_types=[])
    )
    assert res.status_code == 422
    page = res.content.decode()
    assert 'role="alert"' in page
    for code in (
        "provider_name_ar_missing",
        "provider_email_invalid",
        "provider_capacity_negative",
        "provider_service_types_missing",
    ):
        assert f'data-reason="{code}"' in page
    assert page.count("invalid-feedback") >= 4
    assert ServiceProvider.objects.count() == 0


def test_a_stale_edit_is_refused_not_overwritten(world: World) -> None:
    service = _service(world)
    cora = client_for(world, "cora")
    ok(world.api("cora").patch(f"/services/{service['id']}", {"version": 1, "capacity": 3}))
    res = cora.post(f"/services/{service['id']}/edit/", _form(version="1", name_ar="قديم"))
    assert res.status_code == 422
    assert 'data-error="stale"' in res.content.decode()
    assert ServiceProvider.objects.get().name_ar == "مدرسة الأمل الأساسية"


def test_import_page_previews_then_saves_on_confirm(world: World) -> None:
    cora = client_for(world, "cora")
    good = {
        "agency": "AGN-A",
        "area": "JO-AM",
        "name_ar": "مركز جيد",
        "sector": "education",
        "service_types": "formal_education",
    }
    f = BytesIO(_workbook([good]))
    f.name = "map.xlsx"
    preview = cora.post("/services/import/", {"file": f})
    assert preview.status_code == 200
    assert 'data-valid="1"' in preview.content.decode()
    assert ServiceProvider.objects.count() == 0
    done = cora.post("/services/import/", {"op": "confirm"})
    assert done.status_code == 302
    assert ServiceProvider.objects.get().name_ar == "مركز جيد"


def test_import_page_lists_each_invalid_row_and_saves_nothing(world: World) -> None:
    cora = client_for(world, "cora")
    good = {
        "agency": "AGN-A",
        "area": "JO-AM",
        "name_ar": "مركز جيد",
        "sector": "education",
        "service_types": "formal_education",
    }
    f = BytesIO(_workbook([good, {**good, "sector": "astrology"}, {**good, "email": "x@"}]))
    f.name = "map.xlsx"
    res = cora.post("/services/import/", {"file": f})
    assert res.status_code == 422
    page = res.content.decode()
    assert 'data-row="3" data-action="create" data-errors="1"' in page
    assert 'data-row="4" data-action="create" data-errors="1"' in page
    assert "confirm-import" not in page
    # Confirming without a valid checked file saves nothing.
    assert cora.post("/services/import/", {"op": "confirm"}).status_code == 422
    assert ServiceProvider.objects.count() == 0


def test_export_page_gives_the_filtered_map(world: World) -> None:
    _service(world)
    _service(world, name_ar="عيادة", sector="health", service_types=["primary_health"])
    res = client_for(world, "alice").get("/services/export.xlsx?sector=health")
    assert res.status_code == 200
    ws = load_workbook(BytesIO(res.content)).worksheets[0]
    assert ws.max_row == 3
    assert ws.cell(row=3, column=5).value == "عيادة"


def test_pathways_panel_and_recording_gaps_from_the_plan_page(world: World) -> None:
    _service(world)
    case = assessed_case(world.api("alice"), {"attends_school": False, "disability": True})
    url = f"/cases/{case['id']}/pathways/"
    alice = client_for(world, "alice")
    panel = alice.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-need="out_of_school" data-gap="0"' in panel
    assert 'data-need="disability_support" data-gap="1"' in panel
    assert 'id="record-gaps"' in panel
    res = alice.post(url, HTTP_HX_REQUEST="true")
    assert 'data-recorded="1"' in res.content.decode()
    assert 'id="record-gaps"' not in res.content.decode()
    alice.post(url, HTTP_HX_REQUEST="true")
    assert ServiceGap.objects.count() == 1
    assert alice.get(url).status_code == 200  # the page without HTMX


@pytest.mark.parametrize("name", ["dave", "carol", "sam", "cora", "adam"])
def test_outsiders_get_404_on_the_pathways_of_a_case_and_record_nothing(
    world: World, name: str
) -> None:
    case = assessed_case(world.api("alice"), {"disability": True})
    url = f"/cases/{case['id']}/pathways/"
    c = client_for(world, name)
    assert c.get(url).status_code == 404
    assert c.post(url, HTTP_HX_REQUEST="true").status_code in (403, 404)
    assert ServiceGap.objects.count() == 0


def test_printable_annex_carries_the_sop_version(world: World) -> None:
    _service(world)
    res = client_for(world, "alice").get("/services/annex/")
    assert res.status_code == 200
    page = res.content.decode()
    assert "@page" in page
    assert 'data-sop-version="' in page
    assert 'data-need="out_of_school"' in page
    assert "مدرسة الأمل الأساسية" in page
