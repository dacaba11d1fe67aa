"""`make screenshots`: the case file PDF and the inter-agency report PDF as pictures.

Rendered to PNG with pdftoppm (poppler-utils) into screenshots/; look at them after
changing a template.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from datetime import date
from pathlib import Path

import pytest

from fanous.accounts.access import Actor
from fanous.conftest import World, assessed_case
from fanous.exports.case_pdf import case_file_pdf
from fanous.exports.tests.support import make_case
from fanous.reports.interagency import ReportParams, interagency_report, report_pdf

pytestmark = [pytest.mark.screenshots, pytest.mark.django_db]

OUT = Path(__file__).resolve().parents[3] / "screenshots"


def _png(pdf: bytes, name: str) -> None:
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    OUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.pdf"
        src.write_bytes(pdf)
        subprocess.run(  # noqa: S603
            ["pdftoppm", "-r", "60", "-png", str(src), str(OUT / name)], check=True
        )


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_case_file_pdf_pictures(world: World, lang: str) -> None:
    case = assessed_case(
        world.api("alice"),
        {"hazard.heavy_loads": True, "hazard.long_daily_hours": True},
        registration={"workplace_name": "ورشة الحدادة", "work_type": "manufacturing"},
    )
    pdf = case_file_pdf(actor=Actor.of(world.users["alice"]), case_id=case["id"], lang=lang)
    _png(pdf, f"case-file-pdf-{lang}")


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_interagency_report_pdf_pictures(world: World, lang: str) -> None:
    for i in range(40):
        make_case(
            agency=world.agency_a if i % 3 else world.agency_b,
            area=world.area,
            caseworker=world.users["alice"] if i % 3 else world.users["dave"],
            sex="f" if i % 2 else "m",
            birth_date=date(2008 + i % 12, 1 + i % 12, 1),
            risk=["high", "medium", "low"][i % 3],
            facts={"hazard.heavy_loads": bool(i % 4)},
        )
    params = ReportParams(
        area_id=world.area.pk,
        start=date(2026, 1, 1),
        end=date(2026, 12, 31),
        dimensions=("sex", "age_band", "risk_level", "nationality", "fact:hazard.heavy_loads"),
    )
    report = interagency_report(actor=Actor.of(world.users["cora"]), params=params, lang=lang)
    _png(report_pdf(report), f"interagency-pdf-{lang}")
