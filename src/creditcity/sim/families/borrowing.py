"""Deposit-free borrowing of shared items, and "service first, pay later".

Almost everyone borrows something, so these are most of a thin file. Bikes
and umbrellas follow the rainy summer, library books the school holidays.
A lost item is sometimes found again: the operator then retracts the loss.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from creditcity.sim import behaviour as bh
from creditcity.sim.events import Events, expand
from creditcity.sim.people import by_depth
from creditcity.sim.timeline import (
    SEASON_BIKE,
    SEASON_FLAT,
    SEASON_LIBRARY,
    SEASON_UMBRELLA,
    US_PER_DAY,
    US_PER_HOUR,
)
from creditcity.sim.vocab import ITEM_CODE, ITEM_VALUES, SERVICE_ROLE, SERVICES, source_codes

I64 = bh.I64
F64 = bh.F64
FOUND_AGAIN_SHARE = 0.1


@dataclass(frozen=True, slots=True)
class Item:
    name: str
    #: borrowings per year by file depth (thin, regular, rich)
    rate: tuple[float, float, float]
    season: F64
    #: typical time borrowed, in hours, and its lognormal spread
    hours: float
    spread: float
    #: source role; ``library`` is the city's own library
    role: str


ITEMS = (
    Item("bike", (0.3, 0.95, 1.1), SEASON_BIKE, 0.4, 0.6, "bike_operator"),
    Item("power_bank", (0.15, 0.55, 0.7), SEASON_FLAT, 5.0, 0.8, "power_bank_operator"),
    Item("umbrella", (0.08, 0.3, 0.3), SEASON_UMBRELLA, 30.0, 0.7, "umbrella_operator"),
    Item("library_book", (0.07, 0.3, 0.45), SEASON_LIBRARY, 21 * 24.0, 0.3, "library"),
)


def borrowings(rng: np.random.Generator, ev: Events) -> None:
    for item in ITEMS:
        _borrow(rng, ev, item)


def _operator(rng: np.random.Generator, ev: Events, item: Item, res: I64, t: I64) -> I64:
    if item.role == "library":
        return ev.city_source("library", res, t)
    codes = np.asarray(source_codes(item.role), dtype=np.int64)
    own = codes[rng.integers(0, len(codes), size=len(ev.people))]
    return own[res]


def _borrow(rng: np.random.Generator, ev: Events, item: Item) -> None:
    people, timeline = ev.people, ev.timeline
    res, rank = expand(rng.poisson(by_depth(people, *item.rate) * timeline.years))
    n = len(res)
    code = ITEM_CODE[item.name]
    k = code * 10_000 + rank
    ref = ("BRW", k)
    start = timeline.random_times(rng, n, item.season)
    source = _operator(rng, ev, item, res, start)
    value = ITEM_VALUES[item.name]
    ev.emit("bst", res, k, start, source, ref=ref, item=code, amount=value)
    z = people.z[res]
    lost = bh.BORROWING_LOST.draw(rng, z)
    kept = ~lost
    late = bh.days_late(rng, bh.BORROWING_LATE.draw(rng, z[kept]), z[kept]).astype(np.int64)
    hours = np.exp(rng.normal(np.log(item.hours), item.spread, size=int(kept.sum())))
    back = start[kept] + (hours * US_PER_HOUR).astype(np.int64) + late * US_PER_DAY
    ev.emit(
        "bre",
        res[kept],
        k[kept],
        back,
        source[kept],
        ref=("BRW", k[kept]),
        item=code,
        days_late=late,
    )
    gone = start[lost] + int(item.hours * US_PER_HOUR) + 30 * US_PER_DAY
    ev.emit(
        "bls", res[lost], k[lost], gone, source[lost], ref=("BRW", k[lost]), item=code, amount=value
    )
    found = rng.random(int(lost.sum())) < FOUND_AGAIN_SHARE
    ev.emit(
        "ret",
        res[lost][found],
        k[lost][found],
        gone[found] + bh.delay(rng, 10.0, 0.8, int(found.sum())),
        source[lost][found],
        supersedes=("bls", k[lost][found]),
    )


def pay_later(rng: np.random.Generator, ev: Events) -> None:
    """Clinic visits, transit and public-office fees paid after the service."""
    people, timeline = ev.people, ev.timeline
    res, k = expand(rng.poisson(by_depth(people, 0.05, 0.5, 0.6) * timeline.years))
    n = len(res)
    service = rng.choice(len(SERVICES), size=n, p=[0.4, 0.4, 0.2])
    medians = np.array([180.0, 60.0, 80.0])[service]
    roles = np.array([source_codes(SERVICE_ROLE[s])[0] for s in SERVICES], dtype=np.int64)
    source = roles[service]
    when = timeline.random_times(rng, n, SEASON_FLAT)
    amount = bh.money(rng, medians, 0.6, n)
    ev.emit("plc", res, k, when, source, ref=("PLT", k), service=service, amount=amount)
    z = people.z[res]
    overdue = bh.PAY_LATER_OVERDUE.draw(rng, z)
    ok = ~overdue
    late = bh.days_late(rng, bh.BORROWING_LATE.draw(rng, z[ok]), z[ok]).astype(np.int64)
    paid = when[ok] + bh.delay(rng, 7.0, 0.6, int(ok.sum())) + late * US_PER_DAY
    ev.emit(
        "plp",
        res[ok],
        k[ok],
        paid,
        source[ok],
        ref=("PLT", k[ok]),
        service=service[ok],
        amount=amount[ok],
        days_late=late,
    )
    due = when[overdue] + 45 * US_PER_DAY
    ev.emit(
        "plo",
        res[overdue],
        k[overdue],
        due,
        source[overdue],
        ref=("PLT", k[overdue]),
        service=service[overdue],
        amount=amount[overdue],
    )
