"""Bootstrap confidence intervals for adverse impact ratios (pure numpy).

An impact ratio compares a group's rate of eligibility with the reference
group's (the group with the highest rate). With few people a ratio of 0.7
may be chance, so the audit reports a percentile bootstrap interval and
flags a ratio only when the *whole* interval lies below four fifths.

Resampling ``n`` yes/no outcomes with replacement and counting the yeses is
exactly a draw from Binomial(n, k/n), so each group's bootstrap rates are
drawn from that binomial directly: the same distribution as resampling
people (stratified by group), at the cost of one number per draw instead of
``n``. Groups are resampled independently; the reference group stays the one
chosen on the full data (re-choosing the best group in every draw would
bias every ratio downwards).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["DRAWS", "LEVEL", "RatioInterval", "bootstrap_rates", "impact_ratio_interval"]

#: Bootstrap draws and the interval's coverage, unless the caller asks otherwise.
DRAWS, LEVEL = 2000, 0.95


@dataclass(frozen=True, slots=True)
class RatioInterval:
    """A ratio's point estimate and its bootstrap interval ``[low, high]``."""

    point: float
    low: float
    high: float

    def below(self, threshold: float) -> bool:
        """True when the whole interval lies below ``threshold``."""
        return self.high < threshold


def bootstrap_rates(
    successes: int, trials: int, *, draws: int, rng: np.random.Generator
) -> np.ndarray:
    """``draws`` bootstrap rates of ``successes`` out of ``trials`` (see the module docstring)."""
    if trials <= 0:
        raise ValueError("a rate needs at least one trial")
    if not 0 <= successes <= trials:
        raise ValueError(f"successes {successes} must lie in 0..{trials}")
    counts = rng.binomial(trials, successes / trials, size=draws)
    return np.asarray(counts / trials, dtype=np.float64)


def _ratios(group: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Per draw, group rate over reference rate; 0/0 is 1 (nobody favoured)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(reference > 0, group / np.where(reference > 0, reference, 1.0), np.inf)
    return np.where((reference == 0) & (group == 0), 1.0, ratio)


def impact_ratio_interval(
    group: tuple[int, int],
    reference: tuple[int, int],
    *,
    draws: int = DRAWS,
    level: float = LEVEL,
    seed: int = 0,
) -> RatioInterval:
    """The impact ratio of ``group`` against ``reference``, each ``(successes, trials)``.

    Deterministic for a given ``seed``. The reference group's own ratio is
    1 by definition; the caller states that rather than bootstrapping it.
    """
    if not 0 < level < 1:
        raise ValueError("level must lie strictly between 0 and 1")
    (k, n), (kr, nr) = group, reference
    rate, top = k / n, kr / nr
    point = 1.0 if top == 0 else rate / top
    rng = np.random.default_rng(seed)
    ratios = _ratios(
        bootstrap_rates(k, n, draws=draws, rng=rng), bootstrap_rates(kr, nr, draws=draws, rng=rng)
    )
    tail = (1 - level) / 2
    # order statistics, not interpolation: a draw whose reference rate is 0 has an
    # infinite ratio, and interpolating towards it would give NaN
    low, high = np.quantile(ratios, [tail, 1 - tail], method="inverted_cdf")
    return RatioInterval(point, float(low), float(high))
