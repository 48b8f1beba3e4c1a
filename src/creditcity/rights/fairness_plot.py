"""The fairness audit as a picture: impact ratios per service and group, with their intervals.

One panel row per service, one point per group (the reference group at 1),
the bootstrap interval as an error bar, and the four-fifths line; a flagged
ratio (whole interval below 0.8) is drawn as a cross ringed in red. matplotlib's object API on
the Agg canvas, so no display or global state is touched; PNG bytes out, so
the CLI writes a file and the portal can serve them as they are.
"""

from __future__ import annotations

import io

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from creditcity.rights.fairness import FOUR_FIFTHS
from creditcity.rights.fairness_policy import PolicyFairness

__all__ = ["fairness_png"]


def fairness_png(report: PolicyFairness) -> bytes:
    """A PNG of every service's impact ratios by group (groups below the minimum left out)."""
    rows = [e for e in report.eligibility if e.impact_ratio is not None]
    services = list(dict.fromkeys(e.service for e in rows))
    groups = list(dict.fromkeys(e.group for e in rows))
    fig = Figure(figsize=(8, 1.2 + 0.45 * max(len(services), 1) * max(len(groups), 1) / 2))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    step = 1.0 / (len(groups) + 1)
    labelled: set[str] = set()
    for s_index, service in enumerate(services):
        for g_index, group in enumerate(groups):
            found = [e for e in rows if e.service == service and e.group == group]
            if not found:
                continue
            e = found[0]
            y = s_index + (g_index + 1) * step - 0.5
            point = float(e.impact_ratio or 0.0)
            low, high = float(e.low or point), float(e.high or point)
            ax.errorbar(
                [point],
                [y],
                xerr=[[max(point - low, 0.0)], [max(high - point, 0.0)]],
                fmt="X" if e.flagged else "o",
                color=f"C{g_index % 10}",
                markeredgecolor="#c0392b" if e.flagged else f"C{g_index % 10}",
                markersize=9 if e.flagged else 6,
                capsize=3,
                label=None if group in labelled else group,
            )
            labelled.add(group)
    ax.axvline(float(FOUR_FIFTHS), color="#7f8c8d", linestyle="--", linewidth=1)
    ax.set_yticks(range(len(services)), services)
    ax.set_xlabel("impact ratio (95% bootstrap interval); dashed: four fifths")
    ax.set_title(f"eligibility by '{report.attribute}' (groups of at least {report.min_group})")
    if groups:
        ax.legend(loc="lower right", fontsize="small")
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()
