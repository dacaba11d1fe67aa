"""Small-cell suppression of the inter-agency report (SPEC §12: de-identified aggregates)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fanous.domain.suppression import THRESHOLD, Suppressed, suppress


def _lines(t: Suppressed) -> list[list[int | None]]:
    """Every line of the shown table with its margin: rows, columns, the totals row/column."""
    rows = [[*row, total] for row, total in zip(t.cells, t.row_totals, strict=True)]
    rows.append([*t.col_totals, t.total])
    cols = [list(col) for col in zip(*rows, strict=True)]
    return rows + cols


tables = st.integers(min_value=1, max_value=6).flatmap(
    lambda cols: st.lists(
        st.lists(st.integers(min_value=0, max_value=40), min_size=cols, max_size=cols),
        min_size=1,
        max_size=7,
    )
)


@settings(max_examples=400, deadline=None)
@given(tables)
def test_no_shown_count_is_under_the_threshold(cells: list[list[int]]) -> None:
    """SPEC §12: a count under 5 is never shown, margins included."""
    table = suppress(cells)
    assert all(v >= THRESHOLD for v in table.shown())


@settings(max_examples=400, deadline=None)
@given(tables)
def test_no_line_has_exactly_one_hidden_entry(cells: list[list[int]]) -> None:
    """A hidden cell cannot be recomputed from its row or column total."""
    for line in _lines(suppress(cells)):
        assert sum(v is None for v in line) != 1


@settings(max_examples=200, deadline=None)
@given(tables)
def test_shown_counts_are_the_true_counts(cells: list[list[int]]) -> None:
    table = suppress(cells)
    for row, shown in zip(cells, table.cells, strict=True):
        for true, seen in zip(row, shown, strict=True):
            assert seen is None or seen == true
    for true_total, seen in zip((sum(r) for r in cells), table.row_totals, strict=True):
        assert seen is None or seen == true_total


def test_one_small_cell_hides_the_next_smallest_of_its_row_and_column() -> None:
    table = suppress([[3, 10, 20], [12, 30, 40]])
    # 3 hidden; in its row 10 is the next smallest, in its column 12; column 1 then has
    # only 10 hidden, so 30 goes too (the smallest shown cell of that column).
    assert table.cells == [[None, None, 20], [None, None, 40]]
    for line in _lines(table):
        assert sum(v is None for v in line) != 1


def test_a_table_of_large_counts_is_shown_whole() -> None:
    table = suppress([[10, 20], [30, 40]])
    assert table.cells == [[10, 20], [30, 40]]
    assert table.row_totals == [30, 70]
    assert table.col_totals == [40, 60]
    assert table.total == 100


def test_zero_counts_are_hidden_like_small_ones() -> None:
    table = suppress([[0, 50], [50, 50]])
    assert table.cells[0][0] is None


def test_a_ragged_table_is_refused() -> None:
    with pytest.raises(ValueError, match="rectangular"):
        suppress([[1, 2], [3]])
