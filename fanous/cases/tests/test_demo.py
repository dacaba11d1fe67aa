"""The demo loaded by `make run` covers every step and risk level, and loads only once."""

from __future__ import annotations

import io

import pytest

from fanous.cases.demo.loader import load_demo
from fanous.cases.models import Case
from fanous.domain.sop import RiskLevel
from fanous.domain.workflow import CaseStatus

pytestmark = pytest.mark.django_db


def test_demo_covers_every_status_and_risk_level_and_is_idempotent() -> None:
    assert load_demo(seed=1, out=io.StringIO()) is True
    statuses = set(Case.objects.values_list("status", flat=True))
    assert statuses == {s.value for s in CaseStatus}
    levels = set(Case.objects.values_list("risk_level", flat=True))
    assert levels == {r.value for r in RiskLevel}
    assert 45 <= Case.objects.count() <= 55
    names = Case.objects.values_list("child__given_name", flat=True)
    assert all(any("\u0600" <= ch <= "\u06ff" for ch in n) for n in names)
    assert load_demo(seed=1, out=io.StringIO()) is False
    assert Case.objects.count() == len(names)
