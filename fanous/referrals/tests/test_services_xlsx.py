"""The service map as .xlsx (SPEC §2 annex): export, import, all rows or nothing."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from django.test import Client
from openpyxl import Workbook, load_workbook

from fanous.audit.models import Event
from fanous.conftest import ApiClient, World, ok
from fanous.referrals.models import ServiceProvider
from fanous.referrals.selectors.providers_export import COLUMNS
from fanous.referrals.tests.test_services_providers import provider_body


def _upload(api: ApiClient, content: bytes, *, dry_run: bool) -> Any:
    client: Client = api.client
    return client.post(
        "/api/v1/services/import",
        {
            "file": _named(content),
            "dry_run": "true" if dry_run else "false",
        },
        HTTP_AUTHORIZATION=f"Bearer {api.token}",
    )


def _named(content: bytes) -> BytesIO:
    f = BytesIO(content)
    f.name = "services.xlsx"
    return f


def _workbook(rows: list[dict[str, Any]]) -> bytes:
    """A file as a focal point would write it from scratch: codes row, then data."""
    wb = Workbook()
    ws = wb.active
    ws.append([c.code for c in COLUMNS])
    for row in rows:
        ws.append([row.get(c.code) for c in COLUMNS])
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def _seed(world: World) -> None:
    cora = world.api("cora")
    ok(cora.post("/services", provider_body()), 201)
    ok(
        cora.post(
            "/services",
            provider_body(
                name_ar="عيادة الرحمة",
                sector="health",
                service_types=["primary_health", "emergency_medical"],
                capacity=None,
                in_app=False,
                accepts_from=["AGN-B"],
                email="",
            ),
        ),
        201,
    )


def test_export_has_localized_headers_and_a_hidden_row_of_codes(world: World) -> None:
    _seed(world)
    res = world.api("cora").get("/services/export.xlsx", **{"Accept-Language": "fr"})
    assert res.status_code == 200
    assert res["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(BytesIO(res.content)).worksheets[0]
    assert [c.value for c in ws[1]][:5] == ["id", "version", "agency", "area", "name_ar"]
    assert ws.row_dimensions[1].hidden
    assert ws.max_row == 4
    names = {ws.cell(row=r, column=5).value for r in (3, 4)}
    assert names == {"مدرسة الأمل الأساسية", "عيادة الرحمة"}


def test_round_trip_export_then_import_changes_nothing(world: World) -> None:
    _seed(world)
    adam, cora = world.api("adam"), world.api("cora")
    before = {p.pk: (p.version, p.updated_at) for p in ServiceProvider.objects.all()}
    events = Event.objects.count()
    exported = cora.get("/services/export.xlsx").content
    preview = ok(_upload(adam, exported, dry_run=True))
    assert preview["valid"] is True
    assert preview["unchanged"] == 2
    assert preview["created"] == preview["updated"] == 0
    done = ok(_upload(cora, exported, dry_run=False))
    assert done["saved"] is True
    assert {p.pk: (p.version, p.updated_at) for p in ServiceProvider.objects.all()} == before
    assert Event.objects.count() == events


def test_import_creates_and_updates_in_one_go(world: World) -> None:
    _seed(world)
    cora = world.api("cora")
    ws = load_workbook(BytesIO(cora.get("/services/export.xlsx").content)).worksheets[0]
    capacity_col = next(i for i, c in enumerate(COLUMNS, start=1) if c.code == "capacity")
    ws.cell(row=3, column=capacity_col).value = 7
    ws.append(
        [
            None,
            None,
            "AGN-B",
            "JO-AM",
            "مؤسسة سبل العيش",
            "Livelihoods Foundation",
            None,
            "livelihoods",
            "cash_assistance, caregiver_livelihoods",
        ]
    )
    out = BytesIO()
    ws.parent.save(out)
    done = ok(_upload(cora, out.getvalue(), dry_run=False))
    assert (done["created"], done["updated"], done["unchanged"]) == (1, 1, 1)
    assert ServiceProvider.objects.count() == 3
    assert ServiceProvider.objects.filter(capacity=7).count() == 1
    new = ServiceProvider.objects.get(name_ar="مؤسسة سبل العيش")
    assert new.service_types == ["cash_assistance", "caregiver_livelihoods"]
    assert new.in_app is True


def test_one_invalid_row_means_nothing_is_saved_and_every_error_is_listed(world: World) -> None:
    good: dict[str, Any] = {
        "agency": "AGN-A",
        "area": "JO-AM",
        "name_ar": "مركز جيد",
        "sector": "education",
        "service_types": "formal_education",
    }
    bad = [
        {**good, "sector": "astrology"},
        {**good, "service_types": "formal_education,palm_reading"},
        {**good, "email": "nope"},
        {**good, "name_ar": None},
        {**good, "agency": "AGN-Z"},
        {**good, "area": "XX-NONE"},
    ]
    content = _workbook([good, *bad])
    res = _upload(world.api("cora"), content, dry_run=False)
    assert res.status_code == 422
    body = res.json()
    assert body["saved"] is False
    errors = {r["row"]: {e["code"] for e in r["errors"]} for r in body["rows"]}
    assert errors[2] == set()
    assert errors[3] == {"provider_sector_unknown"}
    assert errors[4] == {"provider_service_type_unknown"}
    assert errors[5] == {"provider_email_invalid"}
    assert errors[6] == {"provider_name_ar_missing"}
    assert errors[7] == {"provider_agency_unknown"}
    assert errors[8] == {"provider_area_unknown"}
    assert ServiceProvider.objects.count() == 0
    assert not Event.objects.filter(action=Event.Action.SERVICE_MAP).exists()


def test_import_errors_are_translated(world: World) -> None:
    content = _workbook(
        [
            {
                "agency": "AGN-Z",
                "area": "JO-AM",
                "name_ar": "س",
                "sector": "health",
                "service_types": "primary_health",
            }
        ]
    )
    res = world.api("cora").client.post(
        "/api/v1/services/import",
        {"file": _named(content), "dry_run": "true"},
        HTTP_AUTHORIZATION=f"Bearer {world.api('cora').token}",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    message = res.json()["rows"][0]["errors"][0]["message"]
    assert "AGN-Z" in message


def test_caseworker_cannot_import_and_agency_admin_cannot_import_other_agencies(
    world: World,
) -> None:
    content = _workbook(
        [
            {
                "agency": "AGN-B",
                "area": "JO-AM",
                "name_ar": "س",
                "sector": "health",
                "service_types": "primary_health",
            }
        ]
    )
    assert _upload(world.api("alice"), content, dry_run=False).status_code == 403
    res = _upload(world.api("adam"), content, dry_run=False)
    assert res.status_code == 422
    assert ServiceProvider.objects.count() == 0


def test_a_file_that_is_not_a_workbook_is_refused(world: World) -> None:
    res = _upload(world.api("cora"), b"not a zip", dry_run=True)
    assert res.status_code == 422
    assert res.json()["problems"][0]["code"] == "import_file_invalid"


def test_export_headers_follow_the_users_language(world: World) -> None:
    _seed(world)
    cora = world.users["cora"]
    cora.language = "en"
    cora.save(update_fields=["language"])
    ws = load_workbook(BytesIO(world.api("cora").get("/services/export.xlsx").content)).worksheets[
        0
    ]
    assert ws.cell(row=2, column=5).value == "Name in Arabic"
    assert ws.cell(row=1, column=5).value == "name_ar"
