"""Loans: opened (more of them before the Spring Festival), instalments, default, settlement,
and the court judgments that follow some defaults.

A loan that defaults had its instalments paid later and later before it did
(its borrower behaves as if a point less creditworthy), which is the signal a
scorecard should find before the default itself.
"""

from __future__ import annotations

import numpy as np

from creditcity.sim import behaviour as bh
from creditcity.sim.events import Events, expand
from creditcity.sim.people import by_depth
from creditcity.sim.timeline import SEASON_FLAT, US_PER_DAY
from creditcity.sim.vocab import source_codes

I64 = bh.I64
F64 = bh.F64
B = bh.B

#: Loans opened per year, by file depth (thin, regular, rich).
LOAN_RATE = (0.01, 0.2, 0.5)
TERMS = np.array([6, 12, 24, 36])
TERM_SHARES = np.array([0.2, 0.4, 0.25, 0.15])
MONTH_US = 30 * US_PER_DAY
#: Share of defaulted loans taken to court.
SUED_SHARE = 0.5
_LENDERS = np.array(source_codes("bank") + source_codes("lender"), dtype=np.int64)


def loans(rng: np.random.Generator, ev: Events) -> None:
    """Every loan of the block, with its whole life up to ``as_of``."""
    people, timeline = ev.people, ev.timeline
    counts = rng.poisson(by_depth(people, *LOAN_RATE) * timeline.years)
    res, number = expand(counts)
    n = len(res)
    z = people.z[res]
    opened = timeline.random_times(rng, n, SEASON_FLAT, timeline.festival)
    principal = np.maximum(np.round(bh.money(rng, 20000.0 * np.exp(0.25 * z), 1.0, n), -2), 500.0)
    term = TERMS[rng.choice(len(TERMS), size=n, p=TERM_SHARES)]
    lender = _LENDERS[rng.integers(0, len(_LENDERS), size=n)]
    defaults = bh.LOAN_DEFAULT.draw(rng, z)
    paid = np.where(defaults, (rng.random(n) * term).astype(np.int64), term)
    instalment = bh.rounded(principal * (1.0 + 0.06 * term / 12.0) / term)
    ref = ("LON", number)
    ev.emit("lno", res, number, opened, lender, ref=ref, amount=principal)
    _instalments(rng, ev, res, number, opened, lender, instalment, paid, defaults)

    ok = np.flatnonzero(~defaults)
    done = opened[ok] + term[ok] * MONTH_US + rng.integers(1, 5, size=len(ok)) * US_PER_DAY
    ev.emit(
        "lns", res[ok], number[ok], done, lender[ok], ref=("LON", number[ok]), amount=principal[ok]
    )

    bad = np.flatnonzero(defaults)
    owed = bh.rounded(instalment[bad] * (term[bad] - paid[bad]))
    when = opened[bad] + (paid[bad] + 1) * MONTH_US + 90 * US_PER_DAY
    bad_ref = ("LON", number[bad])
    ev.emit("lnd", res[bad], number[bad], when, lender[bad], ref=bad_ref, amount=owed)
    settled = bh.DEFAULT_SETTLED.draw(rng, z[bad])
    ev.emit(
        "lns",
        res[bad][settled],
        number[bad][settled],
        when[settled] + bh.delay(rng, 150.0, 0.8, int(settled.sum())),
        lender[bad][settled],
        ref=("LON", number[bad][settled]),
        amount=owed[settled],
    )
    sued = rng.random(len(bad)) < SUED_SHARE
    judgments(rng, ev, res[bad][sued], number[bad][sued], when[sued], owed[sued])


def _instalments(
    rng: np.random.Generator,
    ev: Events,
    res: I64,
    number: I64,
    opened: I64,
    lender: I64,
    instalment: F64,
    paid: I64,
    defaults: B,
) -> None:
    loan, j = expand(paid)
    z = ev.people.z[res[loan]] - np.where(defaults[loan], 1.0, 0.0)
    late = bh.days_late(rng, bh.INSTALMENT_LATE.draw(rng, z), z).astype(np.int64)
    when = opened[loan] + (j + 1) * MONTH_US + late * US_PER_DAY
    ev.emit(
        "lni",
        res[loan],
        number[loan] * 1000 + j,
        when,
        lender[loan],
        ref=("LON", number[loan]),
        amount=instalment[loan],
        days_late=late,
    )


def judgments(
    rng: np.random.Generator, ev: Events, res: I64, k: I64, after: I64, amount: F64
) -> None:
    """Court judgments to pay ``amount``, some satisfied later; ``k`` numbers them per resident."""
    n = len(res)
    when = after + bh.delay(rng, 120.0, 0.6, n)
    court = ev.city_source("court", res, when)
    ev.emit("cjd", res, k, when, court, ref=("CJD", k), amount=amount)
    paid = bh.JUDGMENT_SATISFIED.draw(rng, ev.people.z[res])
    later = when[paid] + bh.delay(rng, 200.0, 0.7, int(paid.sum()))
    ev.emit(
        "cjs", res[paid], k[paid], later, court[paid], ref=("CJD", k[paid]), amount=amount[paid]
    )
