"""The residents of one block: who they are, how deep their file is, how creditworthy.

``latent`` (``z``) is the hidden creditworthiness that drives both records
and outcome. It, ``chronic_defaulter`` and ``fraudster`` are ground truth for
tests and benchmarks only; nothing in the records names them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from creditcity.sim.timeline import Timeline
from creditcity.sim.vocab import CITIES, GROUPS

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
B = npt.NDArray[np.bool_]

SERIAL_MODULUS = 10**12
_HALF = 10**6
#: Multipliers of the serial scramble, coprime with 10**12 so each step is a bijection;
#: the second is small enough that ``a * x`` stays below 2**64.
_SERIAL_MULTIPLIERS = (7_919_834_717, 9_999_991, 15_485_863)
CHRONIC_SHARE = 0.03
FRAUDSTER_SHARE = 0.002
#: P(thin, regular, rich) by group; newcomers (group_d) have thinner files.
_DEPTH_BY_GROUP = np.array(
    [[0.60, 0.31, 0.09], [0.60, 0.31, 0.09], [0.60, 0.31, 0.09], [0.75, 0.21, 0.04]]
)
_NO_TIME = np.iinfo(np.int64).max


@dataclass(frozen=True, slots=True)
class People:
    """Columns of one block of residents; row ``i`` is resident ``first + i``."""

    first: int
    serial: I64
    city: I64
    group: I64
    depth: I64
    z: F64
    chronic: B
    fraudster: B
    #: when fraud was proven (int64 µs); int64 max for non-fraudsters
    fraud_us: I64
    #: city moved to after the fraud was proven, or -1
    moved_city: I64

    def __len__(self) -> int:
        return len(self.serial)

    def city_at(self, res: I64, t: I64) -> I64:
        """City of each record: home, or the new city for a fraudster after the fraud."""
        moved = t > self.fraud_us[res]
        return np.where(moved, self.moved_city[res], self.city[res])


def serials(first: int, n: int, offset: int) -> I64:
    """Unique 12-digit serials for global indices ``first .. first+n-1``.

    Affine maps with swaps of the two six-digit halves between them: each step
    is a bijection of ``[0, 10**12)``, so serials never collide, and neighbours
    do not look like neighbours.
    """
    m = np.uint64(SERIAL_MODULUS)
    x = np.arange(first, first + n, dtype=np.uint64)
    x = (x * np.uint64(_SERIAL_MULTIPLIERS[0]) + np.uint64(offset)) % m
    for multiplier in _SERIAL_MULTIPLIERS[1:]:
        x = (x % np.uint64(_HALF)) * np.uint64(_HALF) + x // np.uint64(_HALF)
        x = (x * np.uint64(multiplier) + np.uint64(offset // 7)) % m
    return x.astype(np.int64)


def draw_people(
    rng: np.random.Generator, first: int, n: int, serial_offset: int, timeline: Timeline
) -> People:
    """Draw ``n`` residents; every field is a function of the block's generator only."""
    city = rng.choice(len(CITIES), size=n, p=_shares([c[2] for c in CITIES]))
    group = rng.choice(len(GROUPS), size=n, p=_shares([g[1] for g in GROUPS]))
    cum = np.cumsum(_DEPTH_BY_GROUP[group], axis=1)
    u = rng.random(n)
    depth = (u[:, None] > cum[:, :-1]).sum(axis=1).astype(np.int64)
    z = rng.normal(0.0, 1.0, size=n)
    chronic = rng.random(n) < CHRONIC_SHARE
    z = np.where(chronic, rng.normal(-2.6, 0.4, size=n), z)
    fraudster = rng.random(n) < FRAUDSTER_SHARE
    z = np.where(fraudster, np.minimum(z, rng.normal(-1.5, 0.5, size=n)), z)
    span = timeline.end_us - timeline.start_us
    when = timeline.start_us + (rng.uniform(0.25, 0.75, size=n) * span).astype(np.int64)
    moved = (city + rng.integers(1, len(CITIES), size=n)) % len(CITIES)
    return People(
        first=first,
        serial=serials(first, n, serial_offset),
        city=city.astype(np.int64),
        group=group.astype(np.int64),
        depth=depth,
        z=z,
        chronic=chronic,
        fraudster=fraudster,
        fraud_us=np.where(fraudster, when, _NO_TIME),
        moved_city=np.where(fraudster, moved, -1).astype(np.int64),
    )


def by_depth(people: People, thin: float, regular: float, rich: float) -> F64:
    """A per-resident value chosen by file depth (a rate or a participation share)."""
    table = np.array([thin, regular, rich])
    return np.asarray(table[people.depth], dtype=np.float64)


def participates(rng: np.random.Generator, people: People, shares: tuple[float, ...]) -> B:
    """Whether each resident uses a product, with a share per file depth."""
    return np.asarray(rng.random(len(people)) < by_depth(people, *shares), dtype=np.bool_)


def _shares(weights: list[float]) -> F64:
    w = np.asarray(weights, dtype=np.float64)
    return np.asarray(w / w.sum(), dtype=np.float64)


def concat_people(parts: list[People]) -> People:
    """The residents of consecutive blocks as one table (``first`` of the first block)."""
    if len(parts) == 1:
        return parts[0]
    cols = {name: np.concatenate([getattr(p, name) for p in parts]) for name in _COLUMNS}
    return People(first=parts[0].first, **cols)


_COLUMNS = (
    "serial",
    "city",
    "group",
    "depth",
    "z",
    "chronic",
    "fraudster",
    "fraud_us",
    "moved_city",
)
