"""Charts as inline SVG, drawn on the server (no JavaScript, no CDN: CSP-safe).

Right-to-left aware: in Arabic, labels stand on the right and bars grow leftwards; months
run from right to left. Every chart has a title and a description for screen readers
(``role="img"``); colours always come with a text label, and the data table follows the
chart in the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from django.utils.safestring import SafeString, mark_safe

WIDTH = 360
ROW = 26
BAR = 16
LABEL_W = 150
VALUE_W = 34
FONT = 11

# Dark enough for white or black text next to them (WCAG AA on white for the labels).
PALETTE = ("#0b5ed7", "#a14f00", "#146c43", "#6f42c1", "#b02a37", "#495057", "#087990")
RISK_COLOURS = {"high": "#b02a37", "medium": "#a14f00", "low": "#146c43", "none": "#6c757d"}


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    colour: str = PALETTE[0]
    href: str = ""
    key: str = ""


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _short(label: str, limit: int = 23) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _open(chart_id: str, title: str, desc: str, height: int, rtl: bool, kind: str) -> str:
    direction = "rtl" if rtl else "ltr"
    return (
        f'<svg class="fanous-chart" id="{_e(chart_id)}" data-chart="{_e(kind)}" '
        f'data-dir="{direction}" role="img" aria-labelledby="{_e(chart_id)}-t {_e(chart_id)}-d" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" preserveAspectRatio="xMidYMin meet" '
        f'direction="{direction}" font-size="{FONT}" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{_e(chart_id)}-t">{_e(title)}</title>'
        f'<desc id="{_e(chart_id)}-d">{_e(desc)}</desc>'
    )


def bar_chart(
    chart_id: str,
    title: str,
    bars: list[Bar],
    *,
    rtl: bool,
    marker: int | None = None,
    marker_label: str = "",
) -> SafeString:
    """Horizontal bars, one per row, the value written at the end of each bar.

    ``marker``: a dashed line at that value (e.g. the SOP's maximum caseload).
    """
    top = 18 if marker is not None else 4
    height = top + max(1, len(bars)) * ROW + 4
    scale_max = max([b.value for b in bars] + [marker or 0, 1])
    area = WIDTH - LABEL_W - VALUE_W
    desc = "; ".join(f"{b.label}: {b.value}" for b in bars)
    parts = [_open(chart_id, title, desc, height, rtl, "bars")]

    def x_of(offset: float) -> float:
        """The x of a point ``offset`` units from the bars' baseline."""
        return WIDTH - LABEL_W - offset if rtl else LABEL_W + offset

    for i, bar in enumerate(bars):
        y = top + i * ROW
        length = area * bar.value / scale_max
        x = WIDTH - LABEL_W - length if rtl else LABEL_W
        label_x = WIDTH - 4 if rtl else 4
        value_x = x - 4 if rtl else x + length + 4
        row = (
            f'<g data-key="{_e(bar.key)}" data-value="{bar.value}">'
            f"<title>{_e(bar.label)}: {bar.value}</title>"
            f'<text x="{label_x:.1f}" y="{y + BAR - 3}" text-anchor="start" fill="#212529">'
            f"{_e(_short(bar.label))}</text>"
            f'<rect x="{x:.1f}" y="{y}" width="{max(length, 0):.1f}" height="{BAR}" rx="2" '
            f'fill="{_e(bar.colour)}"/>'
            f'<text x="{value_x:.1f}" y="{y + BAR - 3}" text-anchor="start" fill="#212529" '
            f'font-weight="bold">{bar.value}</text></g>'
        )
        if bar.href:
            row = f'<a href="{_e(bar.href)}">{row}</a>'
        parts.append(row)
    if marker is not None:
        mx = x_of(area * marker / scale_max)
        # The caption stays inside the chart, whichever side the marker is near.
        tx = min(max(mx, 60.0), WIDTH - 60.0)
        parts.append(
            f'<line data-marker="{marker}" x1="{mx:.1f}" x2="{mx:.1f}" y1="12" y2="{height - 2}" '
            'stroke="#212529" stroke-width="1.5" stroke-dasharray="4 3"/>'
            f'<text x="{tx:.1f}" y="10" text-anchor="middle" fill="#212529">'
            f"{_e(marker_label)}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


@dataclass(frozen=True)
class Column:
    label: str
    segments: tuple[tuple[str, int, str], ...]  # (series label, value, colour)

    @property
    def total(self) -> int:
        return sum(v for _, v, _ in self.segments)


def stacked_columns(chart_id: str, title: str, columns: list[Column], *, rtl: bool) -> SafeString:
    """Vertical stacked columns (e.g. new cases per month by source); time runs from the
    reading start: left to right, or right to left in Arabic."""
    plot_h, top, bottom = 150, 16, 22
    height = top + plot_h + bottom
    n = max(1, len(columns))
    step = WIDTH / n
    width = step * 0.64
    scale_max = max([c.total for c in columns] + [1])
    desc = "; ".join(
        f"{c.label}: {c.total} (" + ", ".join(f"{s} {v}" for s, v, _ in c.segments if v) + ")"
        for c in columns
    )
    parts = [_open(chart_id, title, desc, height, rtl, "stacked")]
    baseline = top + plot_h
    parts.append(f'<line x1="0" x2="{WIDTH}" y1="{baseline}" y2="{baseline}" stroke="#adb5bd"/>')
    for i, col in enumerate(columns):
        slot = (n - 1 - i) if rtl else i
        x = slot * step + (step - width) / 2
        y = float(baseline)
        group = [f'<g data-key="{_e(col.label)}" data-value="{col.total}">']
        group.append(f"<title>{_e(desc.split('; ')[i])}</title>")
        for series, value, colour in col.segments:
            if not value:
                continue
            h = plot_h * value / scale_max
            y -= h
            group.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{h:.1f}" '
                f'fill="{_e(colour)}" data-series="{_e(series)}"/>'
            )
        cx = x + width / 2
        if col.total:
            group.append(
                f'<text x="{cx:.1f}" y="{y - 3:.1f}" text-anchor="middle" fill="#212529" '
                f'font-size="10">{col.total}</text>'
            )
        group.append(
            f'<text x="{cx:.1f}" y="{baseline + 14}" text-anchor="middle" fill="#212529" '
            f'font-size="9">{_e(col.label)}</text></g>'
        )
        parts.append("".join(group))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped
