"""Consent-based data from a minority: investment holdings and monthly spending totals.

Totals only, never what was bought. Holdings grow with creditworthiness, so
sharing them tends to help, which is the only direction the charter allows.
"""

from __future__ import annotations

import numpy as np

from creditcity.sim import behaviour as bh
from creditcity.sim.events import Events, expand
from creditcity.sim.people import participates
from creditcity.sim.timeline import SEASON_SPENDING
from creditcity.sim.vocab import source_codes

I64 = bh.I64

#: Months of history a consenting resident shares.
HOLDING_MONTHS = 24
SPENDING_MONTHS = 12
_HOLDERS = np.array(source_codes("bank") + source_codes("broker"), dtype=np.int64)
_SPENDERS = np.array(source_codes("bank") + source_codes("card_issuer"), dtype=np.int64)


def _recent(ev: Events, who: I64, months: int, every: int) -> tuple[I64, I64]:
    """(resident, span month) for the last ``months`` months, every ``every``-th month."""
    last = ev.timeline.months
    span = np.arange(max(0, last - months), last, dtype=np.int64)
    span = span[ev.timeline.month_of_year[span] % every == 0]
    owner, j = expand(np.full(len(who), len(span), dtype=np.int64))
    return who[owner], span[j]


def voluntary(rng: np.random.Generator, ev: Events) -> None:
    people, timeline = ev.people, ev.timeline
    n = len(people)
    consents = np.flatnonzero(participates(rng, people, (0.02, 0.15, 0.2)))
    level = bh.money(rng, 60000.0, 1.3, n) * np.exp(0.5 * people.z)
    holder = _HOLDERS[rng.integers(0, len(_HOLDERS), size=n)]
    res, month = _recent(ev, consents, HOLDING_MONTHS, every=3)
    drift = np.exp(rng.normal(0.0, 0.1, size=len(res)))
    ev.emit(
        "inv",
        res,
        month,
        timeline.time_in_month(rng, month),
        holder[res],
        amount=bh.rounded(level[res] * drift),
    )

    spend = bh.money(rng, 4000.0, 0.5, n)
    card = _SPENDERS[rng.integers(0, len(_SPENDERS), size=n)]
    res, month = _recent(ev, consents, SPENDING_MONTHS, every=1)
    season = SEASON_SPENDING[timeline.month_of_year[month] - 1]
    noise = np.exp(rng.normal(0.0, 0.2, size=len(res)))
    ev.emit(
        "spd",
        res,
        month,
        timeline.time_in_month(rng, month),
        card[res],
        amount=bh.rounded(spend[res] * season * noise),
    )
