"""Case list exports (issue 4 "Exports" and "Consent enforcement"; SPEC §12).

Only roles allowed, only the cases one may see, de-identified by default, identified only
for supervisors and only with the export consent, sensitive concerns never, the user and
date in the file, every export audited.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.test import Client, override_settings
from django.utils import timezone
from openpyxl import load_workbook

from fanous.accounts.access import Actor
from fanous.audit.models import Event
from fanous.cases.models import Case
from fanous.cases.services.common import effective_consents
from fanous.conftest import World, ok
from fanous.domain import timeframes as tf
from fanous.exports import services
from fanous.exports.caselist import COLUMNS, consent_condition
from fanous.exports.models import ExportJob
from fanous.exports.tests.support import consent, make_case
from fanous.sop.selectors import active_sop

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(world: World) -> dict[str, Case]:
    a, b, area, u = world.agency_a, world.agency_b, world.area, world.users
    return {
        "alice1": make_case(agency=a, area=area, caseworker=u["alice"], given_name="سلمى"),
        "alice2": make_case(
            agency=a,
            area=area,
            caseworker=u["alice"],
            given_name="يوسف",
            sex="f",
            concerns=["child_labour", "sexual_violence"],
        ),
        "carol": make_case(agency=a, area=area, caseworker=u["carol"], given_name="كريم"),
        "dave": make_case(agency=b, area=area, caseworker=u["dave"], given_name="دانة"),
    }


def _export(world: World, name: str, kind: str = "case_list_csv", **params: Any) -> ExportJob:
    actor = Actor.of(world.users[name])
    job = services.export_job_create(actor=actor, kind=kind, params=params, lang="en")
    job.refresh_from_db()
    return job


def _download(world: World, name: str, job: ExportJob) -> bytes:
    return services.export_download(actor=Actor.of(world.users[name]), job_id=job.pk).content


def _csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def _names_and_numbers(*cases: Case) -> list[str]:
    out = []
    for c in cases:
        out += [c.case_number, c.child.given_name, c.child.family_name, c.child.phone]
    return out


def test_caseworker_export_holds_only_her_cases_de_identified(
    world: World, cases: dict[str, Case]
) -> None:
    job = _export(world, "alice")
    assert job.status == ExportJob.Status.DONE
    assert job.progress == 100
    assert job.rows == 2
    assert not job.identified
    content = _download(world, "alice", job)
    text = content.decode("utf-8-sig")
    # De-identified: no name, case number, phone or birth date of anyone, hers included.
    for secret in _names_and_numbers(*cases.values()):
        assert secret not in text
    assert "2012-05-01" not in text
    rows = _csv_rows(content)
    header = next(r for r in rows if r and r[0] == "Reference in this file")
    data = rows[rows.index(header) + 1 :]
    assert len(data) == 2
    assert all(r[0].startswith(data[0][0][:4] + "-") for r in data)  # the file's pseudonyms
    assert "Age band" in header
    assert "Child's name" not in header


def test_the_file_starts_with_confidential_user_date_and_sop_version(
    world: World, cases: dict[str, Case]
) -> None:
    rows = _csv_rows(_download(world, "alice", _export(world, "alice")))
    first = {r[0]: r[1] for r in rows[:6] if r}
    assert "# CONFIDENTIAL" in first
    assert "alice" in first["# Requested by"]
    assert first["# SOP version"] == active_sop(world.area)[0].version
    assert first["# Generated on"].startswith(timezone.localdate().strftime("%Y-"))


def test_sensitive_concerns_are_never_exported(world: World, cases: dict[str, Case]) -> None:
    text = _download(world, "bob", _export(world, "bob", identified=False)).decode("utf-8-sig")
    assert "Child labour" in text or "child_labour" in text
    assert "sexual" not in text.lower()


def test_supervisor_exports_team_cases_and_not_another_team_or_agency(
    world: World, cases: dict[str, Case]
) -> None:
    job = _export(world, "bob")
    assert job.rows == 2  # alice's two; not carol's (erin's team), not dave's (agency B)
    dora = _export(world, "dora")
    assert dora.rows == 1
    text = _download(world, "dora", dora).decode("utf-8-sig")
    assert "AGN-A" not in text


def test_other_agency_caseworker_gets_nothing_of_agency_a(
    world: World, cases: dict[str, Case]
) -> None:
    job = _export(world, "dave", identified=False)
    text = _download(world, "dave", job).decode("utf-8-sig")
    assert job.rows == 1
    assert "AGN-A" not in text


@pytest.mark.parametrize("name", ["cora", "sam", "adam"])
def test_roles_without_case_export_are_refused(
    world: World, cases: dict[str, Case], name: str
) -> None:
    res = world.api(name).post("/exports", {"kind": "case_list_csv", "params": {}})
    assert res.status_code == 403
    assert not ExportJob.objects.exists()


def test_coordinator_and_caseworker_cannot_export_identified(
    world: World, cases: dict[str, Case]
) -> None:
    for name in ("cora", "alice"):
        res = world.api(name).post(
            "/exports", {"kind": "case_list_xlsx", "params": {"identified": True}}
        )
        assert res.status_code == 403, name
    assert not ExportJob.objects.exists()
    assert not Event.objects.filter(action=Event.Action.EXPORT).exists()


def test_identified_export_includes_only_cases_with_export_consent(
    world: World, cases: dict[str, Case]
) -> None:
    given, withdrawn = cases["alice1"], cases["alice2"]
    consent(given, "information_sharing", "caregiver")
    consent(given, "information_sharing", "child")
    c = consent(withdrawn, "information_sharing", "caregiver")
    consent(withdrawn, "information_sharing", "child")
    c.withdrawn_at = timezone.now()
    c.save(update_fields=["withdrawn_at"])
    job = _export(world, "bob", identified=True)
    assert job.identified
    assert job.rows == 1
    assert job.excluded == 1
    rows = _csv_rows(_download(world, "bob", job))
    header = {r[0]: r[1] for r in rows[:8] if r}
    assert header["# Cases left out for want of consent to export"] == "1"
    text = "\n".join(",".join(r) for r in rows)
    assert given.case_number in text
    assert "سلمى" in text
    assert withdrawn.case_number not in text
    assert "يوسف" not in text


def test_sql_consent_rule_agrees_with_effective_consents(
    world: World, cases: dict[str, Case]
) -> None:
    """The export's SQL condition is fanous.cases.services.common.effective_consents."""
    young = make_case(
        agency=world.agency_a,
        area=world.area,
        caseworker=world.users["alice"],
        birth_date=timezone.localdate() - timedelta(days=365 * 4),
    )
    consent(young, "information_sharing", "caregiver")  # under the assent age: enough
    consent(cases["alice1"], "information_sharing", "caregiver")  # child's assent missing
    consent(cases["carol"], "information_sharing", "caregiver")
    consent(cases["carol"], "information_sharing", "child", given=False)
    consent(cases["dave"], "information_sharing", "caregiver", given=False)
    consent(cases["dave"], "information_sharing", "caregiver")  # a later yes wins
    consent(cases["dave"], "information_sharing", "child")
    _row, sop = active_sop(world.area)
    today = timezone.localdate()
    in_sql = set(Case.objects.filter(consent_condition(sop, today)).values_list("pk", flat=True))
    in_python = {
        c.pk
        for c in Case.objects.select_related("child")
        if "information_sharing" in effective_consents(c, sop, tf.age_on(c.child.birth_date, today))
    }
    assert in_sql == in_python == {young.pk, cases["dave"].pk}


def test_every_export_and_download_is_audited_with_counts(
    world: World, cases: dict[str, Case]
) -> None:
    job = _export(world, "alice", kind="case_list_xlsx")
    built = Event.objects.get(action=Event.Action.EXPORT, object_id=str(job.pk))
    assert built.actor == world.users["alice"]
    assert built.changes["rows"] == 2
    assert built.changes["identified"] is False
    _download(world, "alice", job)
    assert Event.objects.filter(action=Event.Action.EXPORT, object_id=str(job.pk)).count() == 2


def test_xlsx_is_right_to_left_in_arabic_with_real_dates(
    world: World, cases: dict[str, Case]
) -> None:
    actor = Actor.of(world.users["alice"])
    job = services.export_job_create(actor=actor, kind="case_list_xlsx", params={}, lang="ar")
    wb = load_workbook(io.BytesIO(_download(world, "alice", job)))
    ws = wb.active
    assert ws is not None
    assert ws.sheet_view.rightToLeft is True
    values = [[c.value for c in row] for row in ws.iter_rows()]
    # The header block (labels in Arabic) carries the generation time as a real date.
    assert any(len(r) > 1 and isinstance(r[1], datetime) for r in values[:8]), values[:8]
    # Headers are in Arabic: find the header row by its length, the column by its code.
    columns = [c.code for c in COLUMNS if not c.identified_only]
    blank = next(i for i, r in enumerate(values) if all(v is None for v in r))
    header = values[blank + 1]
    assert len([h for h in header if h]) == len(columns)
    col = columns.index("identified_on")
    data = values[values.index(header) + 1 :]
    assert all(isinstance(r[col], datetime) for r in data)  # openpyxl reads dates back
    cell = ws.cell(row=values.index(header) + 2, column=col + 1)
    assert cell.number_format == "DD/MM/YYYY"


def test_english_xlsx_is_left_to_right(world: World, cases: dict[str, Case]) -> None:
    job = _export(world, "alice", kind="case_list_xlsx")
    ws = load_workbook(io.BytesIO(_download(world, "alice", job))).active
    assert ws is not None
    assert not ws.sheet_view.rightToLeft


@override_settings(FANOUS_EXPORT_SYNC_MAX_ROWS=1)
def test_large_export_runs_as_a_task_and_reaches_100(
    world: World, cases: dict[str, Case], django_capture_on_commit_callbacks: Any
) -> None:
    actor = Actor.of(world.users["alice"])
    with django_capture_on_commit_callbacks(execute=True):
        job = services.export_job_create(actor=actor, kind="case_list_csv", params={}, lang="en")
        assert job.status == ExportJob.Status.QUEUED  # queued, not built in the request
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE
    assert job.progress == 100
    assert job.rows == 2


def test_api_export_runs_in_background_and_only_the_requester_downloads(
    world: World, cases: dict[str, Case], django_capture_on_commit_callbacks: Any
) -> None:
    alice = world.api("alice")
    with django_capture_on_commit_callbacks(execute=True):
        created = ok(alice.post("/exports", {"kind": "case_list_csv", "lang": "en"}), 202)
    got = ok(alice.get(f"/exports/{created['id']}"))
    assert got["status"] == "done"
    assert got["progress"] == 100
    res = alice.get(f"/exports/{created['id']}/file")
    assert res.status_code == 200
    assert res.content.startswith("\ufeff".encode())
    assert "attachment" in res["Content-Disposition"]
    for other in ("bob", "carol", "dave", "cora"):
        assert world.api(other).get(f"/exports/{created['id']}").status_code == 404
        assert world.api(other).get(f"/exports/{created['id']}/file").status_code == 404
    downloads = Event.objects.filter(action=Event.Action.EXPORT, object_id=created["id"])
    assert downloads.count() == 2  # built once, downloaded once (by alice)


def test_expired_exports_are_gone_and_purged(world: World, cases: dict[str, Case]) -> None:
    job = _export(world, "alice")
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert world.api("alice").get(f"/exports/{job.pk}/file").status_code == 404
    assert services.purge_expired() == 1
    assert not ExportJob.objects.exists()


def test_web_export_page_polls_then_offers_the_download(
    world: World, cases: dict[str, Case]
) -> None:
    client = Client()
    client.force_login(world.users["alice"])
    page = client.get("/exports/")
    assert page.status_code == 200
    assert b'id="identified"' not in page.content
    res = client.post("/exports/", {"format": "csv"})
    assert res.status_code == 302
    job = ExportJob.objects.get()
    detail = client.get(res["Location"])
    assert b'id="export-download"' in detail.content
    assert b"every 2s" not in detail.content  # finished: the polling stops
    ExportJob.objects.filter(pk=job.pk).update(status="running", progress=40)
    running = client.get(f"/exports/{job.pk}/progress")
    assert b'hx-trigger="every 2s"' in running.content
    assert b'data-progress="40"' in running.content
    ExportJob.objects.filter(pk=job.pk).update(status="done", progress=100)
    file = client.get(f"/exports/{job.pk}/file")
    assert file.status_code == 200
    other = Client()
    other.force_login(world.users["bob"])
    assert other.get(f"/exports/{job.pk}/").status_code == 404
    assert other.get(f"/exports/{job.pk}/file").status_code == 404


def test_supervisor_sees_the_identified_option(world: World) -> None:
    client = Client()
    client.force_login(world.users["bob"])
    assert b'id="identified"' in client.get("/exports/").content
    coordinator = Client()
    coordinator.force_login(world.users["cora"])
    assert coordinator.get("/exports/").status_code == 403
