"""The office dashboard's charts of rates and months, drawn from :mod:`creditcity.services.
office_figures` (the tables beside them carry the same numbers for screen readers)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

from markupsafe import Markup

from creditcity.services.office_figures import MonthRow, OfficeFigures, RateRow
from creditcity.web.charts import Bar, bars
from creditcity.web.i18n import Speaker

__all__ = ["CHART_MONTHS", "office_charts"]

#: the charts draw the last year; the tables list every month
CHART_MONTHS = 12


def office_charts(
    say: Speaker, figures: OfficeFigures, tier_name: Callable[[str], str]
) -> dict[str, Markup | None]:
    """Approval and loss rates by tier, deposits waived and owed at each month's end."""
    recent = figures.months[-CHART_MONTHS:]
    return {
        "approval": _rates(
            figures.by_tier,
            tier_name,
            lambda r: (r.approval_rate, r.approved, r.asked),
            say.gettext("Approval rate by tier"),
            "main",
        ),
        "loss": _rates(
            [r for r in figures.by_tier if r.closed],
            tier_name,
            lambda r: (r.loss_rate, r.lost, r.closed),
            say.gettext("Loss rate by tier"),
            "weak",
        ),
        "months_waived": _money(
            say, recent, lambda m: m.waived, say.gettext("Deposits waived, by month")
        ),
        "months_owed": _money(
            say, recent, lambda m: m.outstanding, say.gettext("Still owed at the end of each month")
        ),
    }


def _rates(
    rows: Sequence[RateRow],
    name: Callable[[str], str],
    pick: Callable[[RateRow], tuple[float | None, int, int]],
    title: str,
    tone: str,
) -> Markup | None:
    """One bar per row: the rate's share of the track, "part/whole · rate" at its end."""
    drawn = []
    for row in rows:
        rate, part, whole = pick(row)
        shown = "—" if rate is None else f"{rate:.0%}"
        drawn.append(Bar(name(row.key), rate or 0.0, f"{part:,}/{whole:,} · {shown}", tone))
    return bars(drawn, title=title) if drawn else None


def _money(
    say: Speaker, months: Sequence[MonthRow], pick: Callable[[MonthRow], Decimal], title: str
) -> Markup | None:
    if not months:
        return None
    top = max(pick(m) for m in months) or Decimal(1)
    rows = [Bar(say.month(m.month), float(pick(m) / top), say.money_text(pick(m))) for m in months]
    return bars(rows, title=title)
