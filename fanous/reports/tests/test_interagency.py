"""The inter-agency report (SPEC §12; issue 5 must-show): de-identified aggregates for the
coordinator, no cell under 5, no name or case number in the page, the XLSX or the PDF."""

from __future__ import annotations

import io
import random
from datetime import date, datetime
from typing import Any

import pytest
from django.test import Client, override_settings
from openpyxl import load_workbook
from pypdf import PdfReader

from fanous.accounts.access import Actor
from fanous.audit.models import Event
from fanous.cases.models import Case
from fanous.conftest import World, ok
from fanous.core.errors import PermissionDeniedError, ValidationFailed
from fanous.exports import services
from fanous.exports.models import ExportJob
from fanous.exports.tests.support import make_case
from fanous.reports.interagency import (
    ReportParams,
    interagency_report,
    report_pdf,
    report_xlsx,
    reportable_facts,
)
from fanous.sop.selectors import active_sop

pytestmark = pytest.mark.django_db

YEAR = (date(2026, 1, 1), date(2026, 12, 31))
ALL_DIMS = (
    "area",
    "sex",
    "age_band",
    "nationality",
    "legal_status",
    "work_type",
    "risk_level",
    "fact:hazard.heavy_loads",
    "fact:work_type",
)


def _params(world: World, **kw: Any) -> ReportParams:
    base: dict[str, Any] = {
        "area_id": world.area.pk,
        "start": YEAR[0],
        "end": YEAR[1],
        "dimensions": ALL_DIMS,
    }
    base.update(kw)
    return ReportParams(**base)


def _report(world: World, **kw: Any) -> Any:
    return interagency_report(
        actor=Actor.of(world.users["cora"]), params=_params(world, **kw), lang="en"
    )


@pytest.fixture
def random_cases(world: World) -> list[Case]:
    """Cases of both agencies with random attributes: many small cells."""
    rng = random.Random(2026)
    out = []
    for i in range(60):
        out.append(
            make_case(
                agency=rng.choice([world.agency_a, world.agency_b]),
                area=world.area,
                caseworker=rng.choice([world.users["alice"], world.users["dave"]]),
                sex=rng.choice("fm"),
                birth_date=date(rng.randint(2006, 2024), rng.randint(1, 12), rng.randint(1, 28)),
                nationality=rng.choice(["SY", "JO", "IQ", "YE"]),
                legal_status=rng.choice(["refugee", "host", "migrant"]),
                risk=rng.choice(["high", "medium", "low", "none"]),
                work_type=rng.choice(["agriculture", "construction", "street_work"]),
                facts={
                    "hazard.heavy_loads": rng.choice([True, False]),
                    "work_type": rng.choice(["agriculture", "construction"]),
                    "sexual_abuse": rng.choice([True, False]),
                },
                given_name=f"اسم{i}",
                identified_on=date(2026, rng.randint(1, 12), rng.randint(1, 28)),
            )
        )
    return out


def _secrets(cases: list[Case]) -> list[str]:
    out = []
    for c in Case.objects.filter(pk__in=[x.pk for x in cases]).select_related("child"):
        out += [c.case_number, c.child.given_name, c.child.family_name, str(c.pk)]
        out += [c.child.birth_date.isoformat(), c.child.birth_date.strftime("%d/%m/%Y")]
    return out


def _every_count(report: Any) -> list[int | None]:
    out: list[int | None] = []
    for t in report.tables:
        out += [v for row in t.counts.cells for v in row]
        out += [*t.counts.row_totals, *t.counts.col_totals, t.counts.total]
    return out


def test_counts_match_a_hand_computed_fixture(world: World) -> None:
    """7 girls and 6 boys of agency A and B; 2 identified outside the period."""
    for _i in range(7):
        make_case(agency=world.agency_a, area=world.area, caseworker=world.users["alice"], sex="f")
    for _i in range(6):
        make_case(agency=world.agency_b, area=world.area, caseworker=world.users["dave"], sex="m")
    make_case(
        agency=world.agency_a,
        area=world.area,
        caseworker=world.users["alice"],
        identified_on=date(2025, 12, 31),
    )
    report = _report(world, dimensions=("sex", "risk_level"))
    sex = report.tables[0]
    assert sex.row_labels == ["Female", "Male"]
    assert sex.counts.cells == [[7], [6]]
    assert sex.counts.total == 13
    risk = report.tables[1]
    assert risk.row_labels == ["Medium risk"]
    assert risk.col_labels == ["Female", "Male"]
    assert risk.counts.cells == [[7, 6]]


def test_period_includes_both_ends_in_the_sop_time_zone(world: World) -> None:
    first, last = date(2026, 3, 1), date(2026, 3, 31)
    for day in (first, last, date(2026, 2, 28), date(2026, 4, 1)):
        for _ in range(5):
            make_case(
                agency=world.agency_a,
                area=world.area,
                caseworker=world.users["alice"],
                identified_on=day,
            )
    # 00:30 in Amman on 1 April is still 31 March in UTC: it is outside the period.
    late = make_case(agency=world.agency_a, area=world.area, caseworker=world.users["alice"])
    Case.objects.filter(pk=late.pk).update(
        identified_at=datetime.fromisoformat("2026-03-31T21:30:00+00:00")
    )
    report = _report(world, start=first, end=last, dimensions=("sex",))
    assert report.tables[0].counts.total == 10


def test_age_band_is_computed_at_the_period_end(world: World) -> None:
    end = date(2026, 6, 30)
    for born in (date(2008, 6, 30), date(2008, 7, 1)):  # 18 on the end day; 17 one day later
        for _ in range(5):
            make_case(
                agency=world.agency_a,
                area=world.area,
                caseworker=world.users["alice"],
                birth_date=born,
                identified_on=date(2026, 3, 1),
            )
    table = _report(world, end=end, dimensions=("age_band",), columns="age_band").tables[0]
    assert dict(zip(table.row_labels, [r[0] for r in table.counts.cells], strict=True)) == {
        "15-17": 5,
        "18+": 5,
    }


def test_sop_facts_are_dimensions_from_the_latest_assessment(world: World) -> None:
    for heavy in [True] * 6 + [False] * 5:
        make_case(
            agency=world.agency_a,
            area=world.area,
            caseworker=world.users["alice"],
            facts={"hazard.heavy_loads": heavy},
        )
    table = _report(world, dimensions=("fact:hazard.heavy_loads",), columns="risk_level").tables[0]
    assert table.row_labels == ["Yes", "No"]
    assert table.counts.cells == [[6], [5]]


def test_sensitive_facts_cannot_be_chosen(world: World) -> None:
    _row, sop = active_sop(world.area)
    codes = {f.code for f in reportable_facts(sop)}
    assert "hazard.heavy_loads" in codes
    assert sop.data_protection is not None
    assert not codes & sop.data_protection.facts
    with pytest.raises(ValidationFailed):
        _report(world, dimensions=("fact:sexual_abuse",))


def test_report_never_shows_a_cell_under_5(world: World, random_cases: list[Case]) -> None:
    report = _report(world)
    counts = _every_count(report)
    assert None in counts  # the fixture has small cells, so suppression was exercised
    assert all(v is None or v >= 5 for v in counts)


def test_html_xlsx_and_pdf_hold_no_name_case_number_or_small_cell(
    world: World, random_cases: list[Case]
) -> None:
    report = _report(world)
    secrets = _secrets(random_cases)
    # XLSX: every cell.
    wb = load_workbook(io.BytesIO(report_xlsx(report)))
    cells = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    texts = [str(v) for v in cells if v is not None]
    for secret in secrets:
        assert not any(secret in t for t in texts), secret
    assert not [v for v in cells if isinstance(v, int) and v < 5]
    assert "<5" in texts
    # PDF: the text of every page.
    pdf_text = "\n".join(
        p.extract_text() or "" for p in PdfReader(io.BytesIO(report_pdf(report))).pages
    )
    for secret in secrets:
        assert secret not in pdf_text, secret
    # HTML page.
    client = Client()
    client.force_login(world.users["cora"])
    html = client.get(
        "/reports/interagency/",
        {
            "area": str(world.area.pk),
            "start": "2026-01-01",
            "end": "2026-12-31",
            "dimension": list(ALL_DIMS),
        },
    ).content.decode()
    for secret in secrets:
        assert secret not in html, secret


def test_xlsx_is_rtl_in_arabic_with_dates_and_header_block(
    world: World, random_cases: list[Case]
) -> None:
    report = interagency_report(
        actor=Actor.of(world.users["cora"]), params=_params(world), lang="ar"
    )
    ws = load_workbook(io.BytesIO(report_xlsx(report))).active
    assert ws is not None
    assert ws.sheet_view.rightToLeft is True
    values = [[c.value for c in row] for row in ws.iter_rows(max_row=9)]
    dates = [v for row in values for v in row if isinstance(v, datetime)]
    assert len(dates) == 3  # period start, period end, generated on
    assert any(r[1] == report.sop_version for r in values)
    assert any(r[1] == "Cora" for r in values)


def test_pdf_has_sop_version_and_confidential_on_every_page(
    world: World, random_cases: list[Case]
) -> None:
    report = _report(world)
    reader = PdfReader(io.BytesIO(report_pdf(report)))
    for page in reader.pages:
        text = page.extract_text() or ""
        assert f"SOP version {report.sop_version}" in text
        assert "CONFIDENTIAL" in text


@pytest.mark.parametrize("name", ["alice", "bob", "dave", "adam", "sam", "hana"])
def test_only_the_coordinator_gets_the_report(world: World, name: str) -> None:
    with pytest.raises(PermissionDeniedError):
        interagency_report(actor=Actor.of(world.users[name]), params=_params(world), lang="en")
    client = Client()
    client.force_login(world.users[name])
    assert client.get("/reports/interagency/").status_code == 403
    res = world.api(name).post(
        "/exports",
        {"kind": "interagency_xlsx", "params": _params(world).to_json()},
    )
    assert res.status_code == 403


def test_report_file_is_an_audited_background_job_through_the_api(
    world: World, random_cases: list[Case], django_capture_on_commit_callbacks: Any
) -> None:
    cora = world.api("cora")
    with django_capture_on_commit_callbacks(execute=True):
        job = ok(
            cora.post(
                "/exports",
                {"kind": "interagency_pdf", "params": _params(world).to_json(), "lang": "en"},
            ),
            202,
        )
    assert ok(cora.get(f"/exports/{job['id']}"))["progress"] == 100
    res = cora.get(f"/exports/{job['id']}/file")
    assert res.status_code == 200
    assert res.content.startswith(b"%PDF")
    assert Event.objects.filter(action=Event.Action.EXPORT, object_id=job["id"]).count() == 2
    assert world.api("alice").get(f"/exports/{job['id']}/file").status_code == 404


@override_settings(FANOUS_EXPORT_SYNC_MAX_ROWS=10)
def test_web_report_download_over_the_threshold_is_queued(
    world: World, random_cases: list[Case], django_capture_on_commit_callbacks: Any
) -> None:
    client = Client()
    client.force_login(world.users["cora"])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        res = client.post(
            "/reports/interagency/",
            {
                "area": str(world.area.pk),
                "start": "2026-01-01",
                "end": "2026-12-31",
                "format": "xlsx",
            },
        )
    assert res.status_code == 302
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.QUEUED
    page = client.get(res["Location"]).content.decode()
    assert 'hx-trigger="every 2s"' in page
    for callback in callbacks:
        callback()
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE
    assert job.progress == 100
    assert services.export_download(actor=Actor.of(world.users["cora"]), job_id=job.pk).content
