"""Public records: tax, traffic fines, court judgments, proven fraud, credentials, licences."""

from __future__ import annotations

import numpy as np

from creditcity.sim import behaviour as bh
from creditcity.sim.events import Events, expand
from creditcity.sim.families.credit import judgments
from creditcity.sim.people import participates
from creditcity.sim.timeline import SEASON_FLAT, US_PER_DAY
from creditcity.sim.vocab import source_code

I64 = bh.I64

FINE_AMOUNTS = np.array([50.0, 100.0, 150.0, 200.0, 500.0, 1000.0])
FINE_SHARES = np.array([0.2, 0.3, 0.2, 0.2, 0.07, 0.03])
#: Traffic fines per driver per year.
FINE_RATE = 0.35
#: Judgment numbers above this are not loan numbers.
OTHER_JUDGMENTS = 500
CREDENTIAL_FRAUD_SHARE = 0.01


def tax(rng: np.random.Generator, ev: Events) -> None:
    """A yearly assessment (March to May) for taxpayers: paid, or in arrears and maybe paid late."""
    people, timeline = ev.people, ev.timeline
    who = np.flatnonzero(participates(rng, people, (0.1, 0.85, 0.95)))
    march = np.flatnonzero(timeline.month_of_year == 3)
    owner, year = expand(np.full(len(who), len(march), dtype=np.int64))
    res = who[owner]
    month = march[year] + rng.integers(0, 3, size=len(res))
    month = np.minimum(month, timeline.months - 1)
    when = timeline.time_in_month(rng, month)
    z = people.z[res]
    amount = bh.money(rng, 2500.0 * np.exp(0.3 * z), 1.1, len(res))
    office = source_code("tax_office", "state-taxation")
    k = timeline.yyyymm[march[year]] // 100 * 100 + 1
    ref = ("TAX", k)
    ev.emit("txa", res, k, when, office, ref=ref, amount=amount)
    arrears = bh.TAX_ARREARS.draw(rng, z)
    fine = ~arrears
    ev.emit(
        "txp",
        res[fine],
        k[fine],
        when[fine] + bh.delay(rng, 12.0, 0.6, int(fine.sum())),
        office,
        ref=("TAX", k[fine]),
        amount=amount[fine],
        days_late=np.zeros(int(fine.sum()), np.int64),
    )
    due = when[arrears] + 60 * US_PER_DAY
    ev.emit(
        "txr",
        res[arrears],
        k[arrears],
        due,
        office,
        ref=("TAX", k[arrears]),
        amount=amount[arrears],
    )
    later = bh.LATE_SETTLEMENT.draw(rng, z[arrears])
    wait = bh.delay(rng, 90.0, 0.7, int(later.sum()))
    ev.emit(
        "txl",
        res[arrears][later],
        k[arrears][later],
        due[later] + wait,
        office,
        ref=("TAX", k[arrears][later]),
        amount=amount[arrears][later],
        days_late=(60 + wait // US_PER_DAY).astype(np.int64),
    )


def fines(rng: np.random.Generator, ev: Events) -> None:
    """Traffic fines for drivers: paid within two weeks, or overdue and maybe paid later."""
    people, timeline = ev.people, ev.timeline
    drivers = participates(rng, people, (0.2, 0.5, 0.6))
    res, k = expand(rng.poisson(np.where(drivers, FINE_RATE * timeline.years, 0.0)))
    n = len(res)
    when = timeline.random_times(rng, n, SEASON_FLAT)
    amount = FINE_AMOUNTS[rng.choice(len(FINE_AMOUNTS), size=n, p=FINE_SHARES)]
    police = source_code("traffic_police", "traffic-police")
    ev.emit("fni", res, k, when, police, ref=("FIN", k), amount=amount)
    overdue = bh.FINE_OVERDUE.draw(rng, people.z[res])
    ok = ~overdue
    paid = when[ok] + rng.integers(1, 15, size=int(ok.sum())) * US_PER_DAY
    ev.emit("fnp", res[ok], k[ok], paid, police, ref=("FIN", k[ok]), amount=amount[ok])
    due = when[overdue] + 30 * US_PER_DAY
    ev.emit(
        "fno",
        res[overdue],
        k[overdue],
        due,
        police,
        ref=("FIN", k[overdue]),
        amount=amount[overdue],
    )
    later = bh.LATE_SETTLEMENT.draw(rng, people.z[res[overdue]])
    ev.emit(
        "fnl",
        res[overdue][later],
        k[overdue][later],
        due[later] + bh.delay(rng, 40.0, 0.7, int(later.sum())),
        police,
        ref=("FIN", k[overdue][later]),
        amount=amount[overdue][later],
    )


def court(rng: np.random.Generator, ev: Events) -> None:
    """Judgments unrelated to loans (rent, contracts, damages): rare, far likelier for low ``z``."""
    people, timeline = ev.people, ev.timeline
    rate = bh.JUDGMENT_PER_YEAR.p(people.z) * timeline.years
    res, j = expand(rng.poisson(rate))
    when = timeline.random_times(rng, len(res), SEASON_FLAT)
    amount = bh.money(rng, 15000.0, 1.2, len(res))
    judgments(rng, ev, res, OTHER_JUDGMENTS + j, when - 120 * US_PER_DAY, amount)


def fraud(rng: np.random.Generator, ev: Events) -> None:
    """Proven fraud for fraudsters, judged in their home city before they move away."""
    people = ev.people
    res = np.flatnonzero(people.fraudster)
    when = people.fraud_us[res]
    court_ = ev.city_source("court", res, when)
    one = np.ones(len(res), np.int64)
    amount = bh.money(rng, 50000.0, 1.0, len(res))
    ev.emit("frd", res, one, when, court_, ref=("FRD", one), amount=amount)


def credentials(rng: np.random.Generator, ev: Events) -> None:
    """An academic credential checked once; rarely it turns out fraudulent."""
    people, timeline = ev.people, ev.timeline
    res = np.flatnonzero(participates(rng, people, (0.1, 0.3, 0.4)))
    when = timeline.random_times(rng, len(res), SEASON_FLAT)
    one = np.ones(len(res), np.int64)
    registry = source_code("university_registry", "chsi")
    fake = rng.random(len(res)) < CREDENTIAL_FRAUD_SHARE
    ev.emit("cvf", res[~fake], one[~fake], when[~fake], registry, ref=("CRE", one[~fake]))
    ev.emit("cff", res[fake], one[fake], when[fake], registry, ref=("CRE", one[fake]))


def licences(rng: np.random.Generator, ev: Events) -> None:
    """A licensing body's disciplinary decision: a public record like any other, and rare."""
    people, timeline = ev.people, ev.timeline
    res = np.flatnonzero(bh.DISCIPLINARY.draw(rng, people.z))
    when = timeline.random_times(rng, len(res), SEASON_FLAT)
    one = np.ones(len(res), np.int64)
    board = source_code("licensing_body", "professional-board")
    ev.emit("lic", res, one, when, board, ref=("LIC", one))


def all_public(rng: np.random.Generator, ev: Events) -> None:
    tax(rng, ev)
    fines(rng, ev)
    court(rng, ev)
    fraud(rng, ev)
    credentials(rng, ev)
    licences(rng, ev)
