"""Small-cell suppression of aggregate tables (SPEC §12: inter-agency reports use
de-identified aggregates only).

A count under the threshold could point at one child ("the only girl of 15 in this camp
working in construction"), so it is shown as "<5". Hiding it is not enough when the table
has totals: with one hidden cell in a row, the row total minus the shown cells gives it
back. So, for every line of the table (a row with its row total, a column with its column
total, the totals row with the grand total), when exactly one entry of the line is hidden
the next smallest shown entry of that line is hidden too (complementary suppression),
until no line has exactly one hidden entry.

Pure: lists of ints in, a :class:`Suppressed` table out (``None`` = hidden).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["THRESHOLD", "Suppressed", "suppress"]

# Cells below this are hidden. Zero is below it too: "no girl of 15 in this camp" says as
# much about a place as "one girl".
THRESHOLD = 5

# A position in the table including its margins: (row, col); row == R is the totals row,
# col == C the totals column, (R, C) the grand total.
Pos = tuple[int, int]


@dataclass(frozen=True)
class Suppressed:
    """The table as shown: ``None`` where a count is hidden."""

    cells: list[list[int | None]]
    row_totals: list[int | None]
    col_totals: list[int | None]
    total: int | None

    def shown(self) -> list[int]:
        """Every number the table shows (cells and margins)."""
        values = [v for row in self.cells for v in row]
        values += [*self.row_totals, *self.col_totals, self.total]
        return [v for v in values if v is not None]


def suppress(cells: Sequence[Sequence[int]], threshold: int = THRESHOLD) -> Suppressed:
    """Hide counts below ``threshold`` and what would let one recompute them.

    ``cells`` is a rectangular table of non-negative counts (rows x columns); the row
    totals, column totals and grand total are computed from it and suppressed with it.
    """
    rows = len(cells)
    cols = len(cells[0]) if rows else 0
    if any(len(r) != cols for r in cells):
        raise ValueError("suppress: the table must be rectangular")
    value: dict[Pos, int] = {}
    for i, row in enumerate(cells):
        for j, v in enumerate(row):
            if v < 0:
                raise ValueError("suppress: counts cannot be negative")
            value[(i, j)] = int(v)
    for i in range(rows):
        value[(i, cols)] = sum(value[(i, j)] for j in range(cols))
    for j in range(cols + 1):
        value[(rows, j)] = sum(value[(i, j)] for i in range(rows))

    # Each line is an equation: its entries before the margin add up to the margin.
    lines: list[list[Pos]] = [[(i, j) for j in range(cols + 1)] for i in range(rows + 1)]
    lines += [[(i, j) for i in range(rows + 1)] for j in range(cols + 1)]

    hidden = {p for p, v in value.items() if v < threshold}
    changed = True
    while changed:
        changed = False
        for line in lines:
            if len(line) < 2:
                continue
            inside = [p for p in line if p in hidden]
            if len(inside) != 1:
                continue
            # Hide the next smallest shown entry, preferring inner cells over margins (a
            # margin hidden hides more), then a stable order for reproducible tables.
            candidates = [p for p in line if p not in hidden]
            pick = min(candidates, key=lambda p: (_is_margin(p, rows, cols), value[p], p))
            hidden.add(pick)
            changed = True

    def shown(p: Pos) -> int | None:
        return None if p in hidden else value[p]

    return Suppressed(
        cells=[[shown((i, j)) for j in range(cols)] for i in range(rows)],
        row_totals=[shown((i, cols)) for i in range(rows)],
        col_totals=[shown((rows, j)) for j in range(cols)],
        total=shown((rows, cols)),
    )


def _is_margin(p: Pos, rows: int, cols: int) -> bool:
    return p[0] == rows or p[1] == cols
