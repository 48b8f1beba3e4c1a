"""Monthly obligations: telecom and utility bills, rent, credit-card statements.

These are what make a file rich: a resident who pays them has a record every
month from the month they signed up (or the start of the span) until they
cancelled (or ``as_of``). Thin-file residents have none of them.
"""

from __future__ import annotations

import numpy as np

from creditcity.sim import behaviour as bh
from creditcity.sim.events import Events, expand
from creditcity.sim.people import participates
from creditcity.sim.timeline import SEASON_SPENDING, US_PER_DAY, daytime
from creditcity.sim.vocab import source_codes

I64 = bh.I64
F64 = bh.F64

#: Heating in winter, air conditioning in summer.
SEASON_UTILITY = np.array([1.45, 1.35, 1.0, 0.85, 0.85, 1.05, 1.4, 1.5, 1.1, 0.85, 0.95, 1.3])


def monthly(
    rng: np.random.Generator, ev: Events, shares: tuple[float, float, float]
) -> tuple[I64, I64]:
    """(resident, span month) of every month each participant has the service."""
    who = np.flatnonzero(participates(rng, ev.people, shares))
    months = ev.timeline.months
    n = len(who)
    first = np.where(rng.random(n) < 0.6, 0, rng.integers(0, months, size=n))
    cancelled = rng.random(n) < 0.2
    last = np.where(
        cancelled, first + 1 + (rng.random(n) * (months - first)).astype(np.int64), months
    )
    owner, rank = expand(np.maximum(last - first, 0))
    return who[owner], first[owner] + rank


def _pick(rng: np.random.Generator, n: int, role: str) -> I64:
    """Each resident's provider among the national sources of ``role``."""
    codes = np.asarray(source_codes(role), dtype=np.int64)
    return codes[rng.integers(0, len(codes), size=n)]


def _due(
    rng: np.random.Generator, ev: Events, res: I64, month: I64, due_day: I64, late: I64
) -> I64:
    """Payment time: the resident's due day of that month, plus the days late."""
    start = ev.timeline.month_edges[month]
    return start + (due_day[res] - 1 + late) * US_PER_DAY + daytime(rng, len(res))


def _bill(
    rng: np.random.Generator,
    ev: Events,
    prefix: str,
    role: str,
    shares: tuple[float, float, float],
    median: float,
    sigma: float,
    wobble: float,
    season: F64 | None = None,
) -> None:
    """One monthly bill stream: amounts vary around the resident's own level."""
    people = ev.people
    n = len(people)
    level = bh.money(rng, median, sigma, n)
    provider = _pick(rng, n, role)
    due_day = rng.integers(1, 29, size=n)
    res, month = monthly(rng, ev, shares)
    z = people.z[res]
    late = bh.days_late(rng, bh.BILL_LATE.draw(rng, z), z).astype(np.int64)
    factor = np.exp(rng.normal(0.0, wobble, size=len(res)))
    if season is not None:
        factor = factor * season[ev.timeline.month_of_year[month] - 1]
    ev.emit(
        prefix,
        res,
        month,
        _due(rng, ev, res, month, due_day, late),
        provider[res],
        ref=(prefix.upper(), ev.timeline.yyyymm[month]),
        amount=bh.rounded(level[res] * factor),
        days_late=late,
    )


def telecom(rng: np.random.Generator, ev: Events) -> None:
    _bill(rng, ev, "tel", "telecom", (0.0, 0.95, 1.0), 85.0, 0.35, 0.12)


def utility(rng: np.random.Generator, ev: Events) -> None:
    _bill(rng, ev, "utl", "utility", (0.0, 0.7, 0.9), 140.0, 0.45, 0.15, SEASON_UTILITY)


def rent(rng: np.random.Generator, ev: Events) -> None:
    _bill(rng, ev, "rnt", "landlord_platform", (0.0, 0.3, 0.7), 3200.0, 0.45, 0.0)


def card_statements(rng: np.random.Generator, ev: Events) -> None:
    """Monthly statements: balance against a limit that grows with creditworthiness."""
    people = ev.people
    n = len(people)
    limit = np.round(bh.money(rng, 15000.0, 0.6, n) * np.exp(0.35 * people.z), -3)
    limit = np.maximum(limit, 1000.0)
    usage = people.z * -0.9 - 0.9 + rng.normal(0.0, 0.6, size=n)
    issuer = np.where(rng.random(n) < 0.5, _pick(rng, n, "bank"), _pick(rng, n, "card_issuer"))
    statement_day = rng.integers(1, 29, size=n)
    res, month = monthly(rng, ev, (0.0, 0.35, 0.85))
    z = people.z[res]
    season = SEASON_SPENDING[ev.timeline.month_of_year[month] - 1]
    share = bh.sigmoid(usage[res] + rng.normal(0.0, 0.35, size=len(res))) * season
    late = bh.days_late(rng, bh.CARD_LATE.draw(rng, z), z).astype(np.int64)
    ev.emit(
        "crd",
        res,
        month,
        _due(rng, ev, res, month, statement_day, np.zeros(len(res), np.int64)),
        issuer[res],
        ref=("CRD", ev.timeline.yyyymm[month]),
        balance=bh.rounded(np.minimum(share, 1.05) * limit[res]),
        credit_limit=limit[res],
        days_late=late,
    )


def all_bills(rng: np.random.Generator, ev: Events) -> None:
    telecom(rng, ev)
    utility(rng, ev)
    rent(rng, ev)
    card_statements(rng, ev)
