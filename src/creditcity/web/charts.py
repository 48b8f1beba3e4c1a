"""Charts as inline SVG, drawn on the server: nothing to download, readable on a phone.

Each function returns markup safe to place in a page (labels are escaped).
The SVGs scale to the width of the screen (``viewBox``, no fixed size) and
carry a ``<title>`` and ``aria-label`` for screen readers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

__all__ = ["Bar", "bars", "histogram"]

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
