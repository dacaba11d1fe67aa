"""The bench's report: the verdicts against the issue's targets, and again at this host's
speed (issue 6). Pure functions over rows; nothing is timed here."""

from __future__ import annotations

import pytest

from fanous.synthetic.bench import ISSUE_BARE_RPS, Row, host_factor, judge_scaled, table


def _rows(bare_rps: float) -> list[Row]:
    return [
        Row("caseload", "Caseload", median=40.0, p95=60.0),
        Row("search", "Search", median=50.0, p95=90.0),
        Row("throughput", "Load", rps=120.0, p99=300.0, share=45.0),
        Row("bare", "Bare", rps=bare_rps, p99=50.0),
    ]


def test_a_host_as_fast_as_the_issues_judges_against_the_targets_as_they_are() -> None:
    rows = _rows(ISSUE_BARE_RPS)
    factor = host_factor(rows)
    assert factor == pytest.approx(1.0)
    judge_scaled(rows, factor or 1.0)
    assert [r.scaled for r in rows] == ["NO", "yes", "NO", ""]


def test_a_slower_host_scales_times_up_and_throughput_down() -> None:
    rows = _rows(ISSUE_BARE_RPS / 5)  # five times slower
    factor = host_factor(rows)
    assert factor == pytest.approx(5.0)
    judge_scaled(rows, factor or 1.0)
    # caseload 60 <= 15 x 5; load 120 >= 400 / 5 and p99 300 <= 100 x 5, share 45 % >= 40 %.
    assert [r.scaled for r in rows] == ["yes", "yes", "yes", ""]


def test_the_share_of_the_bare_view_is_never_scaled() -> None:
    rows = _rows(ISSUE_BARE_RPS / 5)
    rows[2].share = 30.0
    judge_scaled(rows, 5.0)
    assert rows[2].scaled == "NO"


def test_a_faster_host_is_not_given_stricter_targets_than_the_issues() -> None:
    rows = _rows(ISSUE_BARE_RPS * 2)
    judge_scaled(rows, host_factor(rows) or 1.0)
    assert rows[1].scaled == "yes"  # 90 <= 100, not 90 <= 50


def test_without_a_load_run_there_is_no_factor() -> None:
    assert host_factor(_rows(ISSUE_BARE_RPS)[:2]) is None


def test_the_table_has_both_verdicts() -> None:
    rows = _rows(ISSUE_BARE_RPS / 5)
    judge_scaled(rows, 5.0)
    text = table(rows)
    assert "| pass at host speed |" in text.splitlines()[0]
    assert "| Caseload | 40.0 | 60.0 | - | - |  |  | yes |" in text
