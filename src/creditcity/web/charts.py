"""Charts as inline SVG, drawn on the server: nothing to download, readable on a phone.

Each function returns markup safe to place in a page (labels are escaped).
The SVGs scale to the width of the screen (``viewBox``, no fixed size) and
carry a ``<title>`` and ``aria-label`` for screen readers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

__all__ = [
    "Band",
    "Bar",
    "Curve",
    "Rate",
    "bars",
    "calibration",
    "gauge",
    "histogram",
    "line",
    "roc",
]

WIDTH = 340
ROW = 44


@dataclass(frozen=True, slots=True)
class Bar:
    """One horizontal bar: a label above it, a share of the track (0..1), a value at its end."""

    label: str
    share: float
    value: str
    tone: str = "main"


def _open(height: int, title: str) -> str:
    return (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title>"
    )


def bars(rows: Sequence[Bar], *, title: str) -> Markup:
    """Labelled horizontal bars, one row each: label and value on a line, the bar below."""
    parts = [_open(max(ROW, ROW * len(rows)), title)]
    for index, row in enumerate(rows):
        y = index * ROW
        share = min(1.0, max(0.0, row.share))
        parts.append(
            f'<text x="0" y="{y + 15}" class="label">{escape(row.label)}</text>'
            f'<text x="{WIDTH}" y="{y + 15}" class="value" text-anchor="end">'
            f"{escape(row.value)}</text>"
            f'<rect x="0" y="{y + 21}" width="{WIDTH}" height="14" rx="7" class="track"/>'
            f'<rect x="0" y="{y + 21}" width="{max(share * WIDTH, 0.5):.1f}" height="14" rx="7" '
            f'class="bar {escape(row.tone)}"/>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def histogram(
    counts: Sequence[int], edges: Sequence[int], *, title: str, ticks: Sequence[int] = ()
) -> Markup:
    """Vertical bars of ``counts`` between consecutive ``edges``, labelled at ``ticks``."""
    height, left, top, bottom, right = 190, 34, 12, 160, 16
    span = (edges[-1] - edges[0]) or 1
    peak = max(counts, default=0) or 1
    plot = WIDTH - left - right

    def x_of(value: float) -> float:
        return left + plot * (value - edges[0]) / span

    parts = [
        _open(height, title),
        f'<line x1="{left}" y1="{bottom}" x2="{WIDTH}" y2="{bottom}" class="axis"/>',
        f'<text x="{left - 4}" y="{top + 8}" class="tick" text-anchor="end">{peak}</text>',
        f'<text x="{left - 4}" y="{bottom}" class="tick" text-anchor="end">0</text>',
    ]
    for count, lo, hi in zip(counts, edges[:-1], edges[1:], strict=True):
        bar_height = (bottom - top) * count / peak
        parts.append(
            f'<rect x="{x_of(lo) + 0.5:.1f}" y="{bottom - bar_height:.1f}" '
            f'width="{max(x_of(hi) - x_of(lo) - 1, 0.5):.1f}" height="{bar_height:.1f}" '
            f'class="bar main"><title>{lo}–{hi}: {count}</title></rect>'
        )
    for tick in ticks:
        parts.append(
            f'<text x="{x_of(tick):.1f}" y="{bottom + 18}" class="tick" '
            f'text-anchor="middle">{tick}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


@dataclass(frozen=True, slots=True)
class Band:
    """One tier's stretch of the score scale."""

    low: int
    high: int
    label: str


def gauge(
    score: int, bands: Sequence[Band], *, title: str, low: int = 350, high: int = 950
) -> Markup:
    """The scale from ``low`` to ``high`` in tier bands, a marker at ``score``.

    The bands are labelled under the scale and the score above its marker,
    so the picture reads without colour; ``title`` says it all in words.
    """
    left, right, top = 8, WIDTH - 8, 34
    span = (high - low) or 1

    def x_of(value: float) -> float:
        return left + (right - left) * (min(max(value, low), high) - low) / span

    parts = [_open(108, title)]
    for index, band in enumerate(bands):
        x0, x1 = x_of(band.low), x_of(band.high)
        # the middle tiers are 50 points wide: labels on two alternating rows, so that
        # neighbouring names never overlap, and each band's lower bound under its edge
        label_y = top + 36 + (index % 2) * 16
        parts.append(
            f'<rect x="{x0:.1f}" y="{top}" width="{max(x1 - x0 - 1, 0.5):.1f}" height="18" '
            f'class="band b{index % 5}"/>'
            f'<text x="{(x0 + x1) / 2:.1f}" y="{label_y}" class="tick" '
            f'text-anchor="middle">{escape(band.label)}</text>'
            f'<text x="{x0:.1f}" y="{top + 70}" class="tick" text-anchor="start">{band.low}</text>'
        )
    marker = x_of(score)
    parts.append(
        f'<polygon points="{marker - 7:.1f},{top - 12} {marker + 7:.1f},{top - 12} '
        f'{marker:.1f},{top - 1}" class="marker"/>'
        f'<text x="{min(max(marker, 20), WIDTH - 20):.1f}" y="{top - 16}" class="value" '
        f'text-anchor="middle">{score}</text>'
        "</svg>"
    )
    return Markup("".join(parts))


def line(points: Sequence[tuple[str, int]], *, title: str, low: int, high: int) -> Markup:
    """A line through (label, value) points, oldest first, with the first and last labelled."""
    height, left, right, top, bottom = 170, 40, WIDTH - 10, 14, 140
    span = (high - low) or 1
    step = (right - left) / max(1, len(points) - 1)

    def y_of(value: int) -> float:
        return bottom - (bottom - top) * (value - low) / span

    coords = [(left + i * step, y_of(v)) for i, (_, v) in enumerate(points)]
    parts = [
        _open(height, title),
        f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" class="axis"/>',
        f'<text x="{left - 4}" y="{top + 4}" class="tick" text-anchor="end">{high}</text>',
        f'<text x="{left - 4}" y="{bottom}" class="tick" text-anchor="end">{low}</text>',
    ]
    if len(coords) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        parts.append(f'<polyline points="{path}" class="trend"/>')
    for (label, value), (x, y) in zip(points, coords, strict=True):
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" class="dot">'
            f"<title>{escape(label)}: {value}</title></circle>"
        )
    if points:
        parts.append(
            f'<text x="{left}" y="{bottom + 20}" class="tick">{escape(points[0][0])}</text>'
            f'<text x="{right}" y="{bottom + 20}" class="tick" text-anchor="end">'
            f"{escape(points[-1][0])}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


@dataclass(frozen=True, slots=True)
class Curve:
    """One ROC curve: its name in the legend and (x, y) shares from (0, 0) to (1, 1)."""

    label: str
    points: Sequence[tuple[float, float]]
    tone: str = "main"


def _legend(entries: Sequence[tuple[str, str]], x: float, y: float) -> str:
    """A key of coloured swatches and names, one a row (the picture reads without it)."""
    return "".join(
        f'<rect x="{x:.1f}" y="{y + 16 * i - 9:.1f}" width="14" height="4" class="key {tone}"/>'
        f'<text x="{x + 19:.1f}" y="{y + 16 * i:.1f}" class="tick">{escape(label)}</text>'
        for i, (label, tone) in enumerate(entries)
    )


def roc(curves: Sequence[Curve], *, title: str, x_label: str, y_label: str) -> Markup:
    """ROC curves on the unit square, with the chance diagonal and both axes labelled."""
    left, right, top, bottom = 44, WIDTH - 14, 30, 250

    def at(x: float, y: float) -> str:
        return f"{left + (right - left) * x:.1f},{bottom - (bottom - top) * y:.1f}"

    parts = [
        _open(bottom + 38, title),
        f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" class="axis"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{bottom}" class="axis"/>',
        f'<polyline points="{at(0, 0)} {at(1, 1)}" class="chance"/>',
    ]
    for share, anchor in ((0.0, "middle"), (0.5, "middle"), (1.0, "end")):
        x, y = at(share, share).split(",")
        parts.append(
            f'<text x="{float(x) + (8 if anchor == "end" else 0):.1f}" y="{bottom + 15}" '
            f'class="tick" text-anchor="{anchor}">{share:.0%}</text>'
            f'<text x="{left - 4}" y="{float(y) + 4:.1f}" class="tick" text-anchor="end">'
            f"{share:.0%}</text>"
        )
    for curve in curves:
        path = " ".join(at(x, y) for x, y in curve.points)
        parts.append(
            f'<polyline points="{path}" class="trend {escape(curve.tone)}">'
            f"<title>{escape(curve.label)}</title></polyline>"
        )
    parts.append(
        _legend(
            [(c.label, c.tone) for c in curves], left + 110, bottom - 12 - 16 * (len(curves) - 1)
        )
    )
    parts.append(
        f'<text x="{(left + right) / 2:.1f}" y="{bottom + 32}" class="tick" '
        f'text-anchor="middle">{escape(x_label)}</text>'
        f'<text x="0" y="{top - 16}" class="tick">{escape(y_label)}</text>'
        "</svg>"
    )
    return Markup("".join(parts))


@dataclass(frozen=True, slots=True)
class Rate:
    """One score band of a calibration chart: its name, its tick under the axis, both rates."""

    label: str
    tick: str
    expected: float
    observed: float


def calibration(
    bands: Sequence[Rate], *, title: str, expected_label: str, observed_label: str
) -> Markup:
    """Observed default rate as bars, the rate the scale expects as a line, per score band."""
    left, right, top, bottom = 44, WIDTH - 10, 40, 200
    peak = max([b.observed for b in bands] + [b.expected for b in bands] + [0.01])
    ceiling = math.ceil(peak * 20) / 20  # the next 5%
    step = (right - left) / max(1, len(bands))

    def y_of(rate: float) -> float:
        return bottom - (bottom - top) * rate / ceiling

    parts = [
        _open(bottom + 22, title),
        _legend([(observed_label, "main"), (expected_label, "alt")], left, 12),
        f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" class="axis"/>',
        f'<text x="{left - 4}" y="{top + 4}" class="tick" text-anchor="end">{ceiling:.0%}</text>',
        f'<text x="{left - 4}" y="{bottom}" class="tick" text-anchor="end">0%</text>',
    ]
    line_points = []
    for index, band in enumerate(bands):
        x = left + index * step
        y = y_of(band.observed)
        parts.append(
            f'<rect x="{x + 2:.1f}" y="{y:.1f}" width="{max(step - 4, 0.5):.1f}" '
            f'height="{bottom - y:.1f}" class="bar main"><title>{escape(band.label)}: '
            f"{escape(observed_label)} {band.observed:.1%}, {escape(expected_label)} "
            f"{band.expected:.1%}</title></rect>"
            f'<text x="{x + step / 2:.1f}" y="{bottom + 15}" class="tick" '
            f'text-anchor="middle">{escape(band.tick)}</text>'
        )
        line_points.append(f"{x + step / 2:.1f},{y_of(band.expected):.1f}")
    if line_points:
        parts.append(f'<polyline points="{" ".join(line_points)}" class="trend alt"/>')
        parts.extend(
            f'<circle cx="{p.split(",")[0]}" cy="{p.split(",")[1]}" r="3.5" class="dot alt"/>'
            for p in line_points
        )
    parts.append("</svg>")
    return Markup("".join(parts))
