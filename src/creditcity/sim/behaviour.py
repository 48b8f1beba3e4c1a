"""How a resident's latent creditworthiness turns into behaviour.

Every probability of a bad event is a logistic function of the latent score
``z`` (standard normal for most people, far lower for chronic defaulters):
``sigmoid(base - slope * z)``. The same ``z`` drives the records *and* the
12-month outcome, which is what lets a model learn from the records; the
outcome also carries a shock the records never see, so they cannot explain
all of it. Amounts are lognormal: most are small, a few are very large.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]


def sigmoid(x: F64) -> F64:
    return np.asarray(1.0 / (1.0 + np.exp(-x)), dtype=np.float64)


@dataclass(frozen=True, slots=True)
class Link:
    """``P(bad event) = sigmoid(base - slope * z)``."""

    base: float
    slope: float

    def p(self, z: F64) -> F64:
        return sigmoid(self.base - self.slope * z)

    def draw(self, rng: np.random.Generator, z: F64) -> B:
        return np.asarray(rng.random(len(z)) < self.p(z), dtype=np.bool_)


#: A monthly bill or rent payment is late.
BILL_LATE = Link(-2.8, 1.3)
#: A card statement is paid late.
CARD_LATE = Link(-3.0, 1.3)
#: A loan instalment is paid late.
INSTALMENT_LATE = Link(-3.0, 1.4)
#: A loan goes into default before it is repaid.
LOAN_DEFAULT = Link(-3.8, 1.7)
#: A defaulted loan is later settled.
DEFAULT_SETTLED = Link(-0.5, -0.8)
#: Assessed tax goes into arrears.
TAX_ARREARS = Link(-4.0, 1.4)
#: A traffic fine goes overdue.
FINE_OVERDUE = Link(-2.6, 1.2)
#: An overdue fine or tax is paid in the end.
LATE_SETTLEMENT = Link(0.3, -1.0)
#: A court judgment against the resident in a given year (unrelated to loans).
JUDGMENT_PER_YEAR = Link(-6.8, 1.6)
#: A court judgment is satisfied.
JUDGMENT_SATISFIED = Link(0.2, -0.9)
#: A borrowed item comes back late.
BORROWING_LATE = Link(-3.0, 1.2)
#: A borrowed item is lost or never returned.
BORROWING_LOST = Link(-5.6, 1.4)
#: A pay-later charge goes overdue.
PAY_LATER_OVERDUE = Link(-3.6, 1.3)
#: A licensing body's disciplinary decision, per resident over the span (rare).
DISCIPLINARY = Link(-7.5, 0.8)
#: Default within 12 months after as_of, given latent plus an unseen shock.
OUTCOME_DEFAULT = Link(-3.75, 1.35)
#: Standard deviation of the life shock the records never see.
OUTCOME_SHOCK_SD = 0.6
#: Correlation of the shocks of two 12-month windows six months apart.
OUTCOME_SHOCK_OVERLAP = 0.7


def days_late(rng: np.random.Generator, late: B, z: F64) -> npt.NDArray[np.int32]:
    """0 when on time; otherwise a lognormal number of days, longer for lower ``z``."""
    out = np.zeros(len(z), dtype=np.int32)
    at = np.flatnonzero(late)
    days = np.ceil(np.exp(rng.normal(1.5 - 0.35 * z[at], 0.75, size=len(at))))
    out[at] = np.clip(days, 1, 365)
    return out


def money(rng: np.random.Generator, median: F64 | float, sigma: float, n: int) -> F64:
    """Lognormal amounts in yuan with two decimals; heavy right tail."""
    raw = np.exp(rng.normal(np.log(median), sigma, size=n))
    return rounded(raw)


def rounded(values: F64) -> F64:
    return np.asarray(np.round(values, 2), dtype=np.float64)


def delay(rng: np.random.Generator, median_days: float, sigma: float, n: int) -> I64:
    """A lognormal waiting time in whole seconds, as microseconds (at least one hour)."""
    seconds = np.exp(rng.normal(np.log(median_days * 86_400), sigma, size=n))
    return np.maximum(seconds, 3_600).astype(np.int64) * 1_000_000
