"""Mid-rank percentiles against a city's score distribution held as counts.

A city of 22 million people has a few hundred distinct scores, so a live
rescore ranks against ``(score, how many)`` pairs rather than against every
person: the same mid-rank rule as batch scoring (share below plus half the
ties), in memory proportional to the score range, not to the city.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["ranked_among_counts"]


def ranked_among_counts(
    scored: np.ndarray[Any, Any], values: np.ndarray[Any, Any], counts: np.ndarray[Any, Any]
) -> np.ndarray[Any, Any]:
    """Percentile of each of ``scored`` among ``values`` (ascending, distinct) each held
    by ``counts`` people; equal to ranking against ``np.repeat(values, counts)``."""
    ends = np.concatenate(([0], np.cumsum(counts, dtype=np.int64)))
    below = ends[np.searchsorted(values, scored, side="left")]
    upto = ends[np.searchsorted(values, scored, side="right")]
    return np.round(100.0 * (below + upto) / (2.0 * max(1, int(ends[-1]))), 2)
