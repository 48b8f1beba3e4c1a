"""Fairness at policy level: who the policy lets use each service, compared across groups.

Stored decisions show only who happened to ask. The policy decides for
everyone: every resident (scored or not) is eligible for a service when the
policy grants their tier (or, without a score, the thin-file rule) a
non-zero amount of it. Per service and group the audit reports

- the eligibility rate and the **adverse impact ratio** against the group
  with the highest rate, with a bootstrap interval
  (:mod:`creditcity.rights.fairness_intervals`); a ratio is flagged when its
  whole interval lies below 4/5, and the point estimate is reported beside;
- when outcomes are given, the **equal-opportunity difference**: among the
  people who did not default, the group's eligibility rate minus the
  reference group's (a negative number: good payers in this group are
  refused more often);

and per group, when outcomes are given, **calibration**: the observed
default rate of its scored members over the rate their scores state
(observed / expected; above 1, the score flatters the group).

Groups smaller than ``min_group`` get counts only: a rate over a handful of
people says nothing and could point at individuals. Labels are used here
and dropped; nothing in this module stores anything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from functools import partial
from typing import Any

from creditcity.domain.policy import Policy
from creditcity.rights.fairness import FOUR_FIFTHS
from creditcity.rights.fairness_intervals import DRAWS, RatioInterval, impact_ratio_interval

__all__ = [
    "MIN_GROUP",
    "Calibration",
    "Eligibility",
    "PolicyFairness",
    "Resident",
    "eligible",
    "policy_fairness",
]

#: The smallest group that gets rates and ratios.
MIN_GROUP = 30
_THRESHOLD = float(FOUR_FIFTHS)


@dataclass(frozen=True, slots=True)
class Resident:
    """One resident: score (``None``: unscored), the stated default probability, the outcome."""

    subject: str
    score: int | None
    expected: float | None = None  #: the default probability the score states
    defaulted: bool | None = None  #: the observed outcome, when outcomes were given


@dataclass(frozen=True, slots=True)
class Eligibility:
    """One group's eligibility for one service."""

    service: str
    group: str
    people: int
    eligible: int
    rate: float | None
    impact_ratio: float | None
    low: float | None
    high: float | None
    flagged: bool
    reference: bool
    #: good payers' eligibility rate minus the reference group's (needs outcomes)
    equal_opportunity_difference: float | None = None


@dataclass(frozen=True, slots=True)
class Calibration:
    """Observed over expected default rate of a group's scored members with an outcome."""

    group: str
    people: int
    observed: float | None
    expected: float | None
    ratio: float | None


@dataclass(frozen=True, slots=True)
class PolicyFairness:
    attribute: str
    min_group: int
    groups: Mapping[str, int]  #: group -> residents
    unscored: Mapping[str, int]  #: group -> residents with no score
    eligibility: tuple[Eligibility, ...]
    calibration: tuple[Calibration, ...]

    @property
    def flagged(self) -> list[Eligibility]:
        return [e for e in self.eligibility if e.flagged]

    def as_dict(self) -> dict[str, Any]:
        return {
            "attribute": self.attribute,
            "min_group": self.min_group,
            "groups": dict(self.groups),
            "unscored": dict(self.unscored),
            "eligibility": [asdict(e) for e in self.eligibility],
            "calibration": [asdict(c) for c in self.calibration],
            "flagged": [[e.group, e.service, e.impact_ratio, e.high] for e in self.flagged],
        }


def eligible(policy: Policy, service: str, score: int | None) -> bool:
    """Whether the policy grants a score (``None``: no score) a non-zero amount of ``service``."""
    if score is None:
        thin = policy.thin_file
        return service in thin.services and thin.max_amount > 0
    limit = policy.services[service].limits[policy.tier_for(score).rank]
    return limit is not None and limit > 0


def policy_fairness(
    residents: Iterable[Resident],
    groups: Mapping[str, str],
    policy: Policy,
    *,
    attribute: str = "group",
    min_group: int = MIN_GROUP,
    draws: int = DRAWS,
    seed: int = 0,
) -> PolicyFairness:
    """Eligibility per service for every labelled resident, compared across groups."""
    members: dict[str, list[Resident]] = {}
    for person in residents:
        label = groups.get(person.subject)
        if label is not None:
            members.setdefault(label, []).append(person)
    names = sorted(members)
    rows: list[Eligibility] = []
    for service in policy.services:
        test = _memo(partial(eligible, policy, service))
        rows += _service_rows(service, {g: members[g] for g in names}, test, min_group, draws, seed)
    return PolicyFairness(
        attribute,
        min_group,
        {g: len(members[g]) for g in names},
        {g: sum(p.score is None for p in members[g]) for g in names},
        tuple(rows),
        tuple(_calibration(g, members[g], min_group) for g in names),
    )


def _memo(test: Callable[[int | None], bool]) -> Callable[[int | None], bool]:
    cache: dict[int | None, bool] = {}

    def cached(score: int | None) -> bool:
        if score not in cache:
            cache[score] = test(score)
        return cache[score]

    return cached


def _service_rows(
    service: str,
    members: Mapping[str, list[Resident]],
    test: Callable[[int | None], bool],
    min_group: int,
    draws: int,
    seed: int,
) -> list[Eligibility]:
    counts = {g: (sum(test(p.score) for p in ps), len(ps)) for g, ps in members.items()}
    good = {g: _good_payers(ps, test) for g, ps in members.items()}
    large = [g for g, (_, n) in counts.items() if n >= min_group]
    reference = max(large, key=lambda g: (counts[g][0] / counts[g][1], g), default=None)
    rows = []
    for index, (name, (k, n)) in enumerate(counts.items()):
        if name not in large or reference is None:
            rows.append(Eligibility(service, name, n, k, None, None, None, None, False, False))
            continue
        if name == reference:
            interval = RatioInterval(1.0, 1.0, 1.0)
        else:
            interval = impact_ratio_interval(
                (k, n), counts[reference], draws=draws, seed=seed + index
            )
        eod = _difference(good[name], good[reference])
        rows.append(
            Eligibility(
                service,
                name,
                n,
                k,
                k / n,
                interval.point,
                interval.low,
                interval.high,
                interval.below(_THRESHOLD),
                name == reference,
                eod,
            )
        )
    return rows


def _good_payers(people: list[Resident], test: Callable[[int | None], bool]) -> tuple[int, int]:
    """(eligible, total) among the people whose outcome is known and not a default."""
    good = [p for p in people if p.defaulted is False]
    return sum(test(p.score) for p in good), len(good)


def _difference(group: tuple[int, int], reference: tuple[int, int]) -> float | None:
    if group[1] == 0 or reference[1] == 0:
        return None
    return group[0] / group[1] - reference[0] / reference[1]


def _calibration(group: str, people: list[Resident], min_group: int) -> Calibration:
    known = [p for p in people if p.defaulted is not None and p.expected is not None]
    if len(known) < min_group:
        return Calibration(group, len(known), None, None, None)
    observed = sum(bool(p.defaulted) for p in known) / len(known)
    expected = sum(float(p.expected or 0.0) for p in known) / len(known)
    return Calibration(
        group, len(known), observed, expected, observed / expected if expected > 0 else None
    )
