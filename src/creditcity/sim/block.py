"""One block of residents: the unit of randomness.

Each block of :data:`BLOCK_SIZE` residents draws from its own generators,
seeded by ``SeedSequence(seed, spawn_key=(block,))``. A block's residents,
records and outcomes therefore depend only on the seed, the block index and
the simulation's span, never on how blocks are grouped into written chunks:
``--chunk-size`` changes memory use and Parquet row groups, not the data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from creditcity.sim import behaviour as bh
from creditcity.sim.events import Columns, Events
from creditcity.sim.families.bills import all_bills
from creditcity.sim.families.borrowing import borrowings, pay_later
from creditcity.sim.families.credit import loans
from creditcity.sim.families.public import all_public
from creditcity.sim.families.voluntary import voluntary
from creditcity.sim.people import People, draw_people
from creditcity.sim.timeline import Timeline

#: Residents per block. Fixed: changing it changes every generated file.
BLOCK_SIZE = 4096

_FAMILIES = (all_bills, loans, all_public, borrowings, pay_later, voluntary)


@dataclass(frozen=True, slots=True)
class BlockResult:
    people: People
    events: list[Columns]
    #: default within 12 months after ``as_of`` (the out-of-time sample)
    defaulted: npt.NDArray[np.bool_]
    #: default within 12 months after the training date, ``OUT_OF_TIME_MONTHS`` earlier
    defaulted_training: npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class World:
    """What every block shares: the seed, the size of the city and its calendar."""

    seed: int
    residents: int
    timeline: Timeline

    @classmethod
    def build(cls, seed: int, residents: int, as_of: date, years: int) -> World:
        return cls(seed=seed, residents=residents, timeline=Timeline.build(as_of, years))

    @property
    def blocks(self) -> int:
        return -(-self.residents // BLOCK_SIZE)

    @property
    def serial_offset(self) -> int:
        """A seed-dependent shift of the national-ID serials, so seeds differ in IDs too."""
        state = np.random.SeedSequence(self.seed).generate_state(1, dtype=np.uint64)
        return int(state[0]) % 10**12

    def block(self, index: int) -> BlockResult:
        """Generate block ``index`` (residents ``index * BLOCK_SIZE`` onwards)."""
        first = index * BLOCK_SIZE
        n = min(BLOCK_SIZE, self.residents - first)
        seeds = np.random.SeedSequence(self.seed, spawn_key=(index,)).spawn(len(_FAMILIES) + 2)
        rngs = [np.random.Generator(np.random.PCG64(s)) for s in seeds]
        people = draw_people(rngs[0], first, n, self.serial_offset, self.timeline)
        events = Events(people, self.timeline)
        for family, rng in zip(_FAMILIES, rngs[2:], strict=True):
            family(rng, events)
        later, training = outcomes(rngs[1], people)
        return BlockResult(people, events.parts, later, training)


def outcomes(
    rng: np.random.Generator, people: People
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Default within 12 months after ``as_of`` and after the earlier training date.

    Each is the latent plus a life shock no record reveals; the two windows
    overlap by half, so the shocks share most of their variance
    (``OUTCOME_SHOCK_OVERLAP``) and a person who defaults in one window often
    does in the other.
    """
    shock = rng.normal(0.0, bh.OUTCOME_SHOCK_SD, size=len(people))
    later = bh.OUTCOME_DEFAULT.draw(rng, people.z + shock)
    own = rng.normal(0.0, bh.OUTCOME_SHOCK_SD, size=len(people))
    overlap = bh.OUTCOME_SHOCK_OVERLAP
    earlier_shock = overlap * shock + np.sqrt(1.0 - overlap**2) * own
    return later, bh.OUTCOME_DEFAULT.draw(rng, people.z + earlier_shock)
