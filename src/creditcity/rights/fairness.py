"""The fairness audit: do scores and decisions fall differently on different groups?

Group labels (sex, age band, district of origin...) are exactly what the
charter forbids as model inputs, so they reach creditcity only here: the
operator supplies them for the audit, joined to scores and decisions by
subject, and they go nowhere else. :func:`refuse_group_labels_in_training`
is the guard the trainer calls so a label column cannot slip into a model.

Per group the audit reports the score distribution (count, mean, quartiles,
a histogram in bins of :data:`BIN_WIDTH` points from 350 to 950) and, per
service, the approval rate and the **adverse impact ratio**: the group's
approval rate divided by the highest group's rate. A ratio below 4/5 is
flagged (the "four-fifths rule" of US employment practice, a common first
screen; a flag asks for a closer look, it is not a verdict).

Rates are kept as exact fractions and only turned into floats at the end,
so a ratio is the correctly rounded value of the exact one and the 4/5
threshold is applied exactly. Quartiles use linear interpolation between
order statistics (``statistics.quantiles(method="inclusive")``, NumPy's
default). A person with no decision for a service does not count in that
service's denominator; a service no group member used has no rate (``None``).
When the highest rate is 0 nobody is favoured and every ratio is 1.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from creditcity.errors import CharterViolation, InputRejected, Problem

__all__ = [
    "BIN_EDGES",
    "FOUR_FIFTHS",
    "AuditedPerson",
    "FairnessReport",
    "GroupStats",
    "ServiceRate",
    "fairness_audit",
    "refuse_group_labels_in_training",
]

SCORE_MIN, SCORE_MAX, BIN_WIDTH = 350, 950, 50
#: The histogram's bin edges; the last bin is closed (950 falls in 900-950).
BIN_EDGES = tuple(range(SCORE_MIN, SCORE_MAX + 1, BIN_WIDTH))
FOUR_FIFTHS = Fraction(4, 5)


@dataclass(frozen=True, slots=True)
class AuditedPerson:
    """One scored person: the score and, per service, whether the decision approved."""

    subject: str
    score: float
    decisions: Mapping[str, bool]


@dataclass(frozen=True, slots=True)
class ServiceRate:
    """One group's decisions for one service, and how they compare with the best group."""

    service: str
    decisions: int
    approvals: int
    rate: float | None
    impact_ratio: float | None
    flagged: bool


@dataclass(frozen=True, slots=True)
class GroupStats:
    group: str
    count: int
    mean: float
    q1: float
    median: float
    q3: float
    histogram: tuple[int, ...]
    services: Mapping[str, ServiceRate]


@dataclass(frozen=True, slots=True)
class FairnessReport:
    """The audit of one group attribute; ``unlabelled`` people had no label and were left out."""

    attribute: str
    groups: tuple[GroupStats, ...]
    services: tuple[str, ...]
    unlabelled: int

    @property
    def flagged(self) -> list[tuple[str, str, float | None]]:
        """``(group, service, impact ratio)`` for every ratio below four fifths."""
        return [
            (g.group, s.service, s.impact_ratio)
            for g in self.groups
            for s in g.services.values()
            if s.flagged
        ]

    def as_dict(self) -> dict[str, Any]:
        return {
            "attribute": self.attribute,
            "bin_edges": list(BIN_EDGES),
            "unlabelled": self.unlabelled,
            "services": list(self.services),
            "groups": [_group_dict(g) for g in self.groups],
            "flagged": [list(f) for f in self.flagged],
        }


def _group_dict(group: GroupStats) -> dict[str, Any]:
    return {
        "group": group.group,
        "count": group.count,
        "mean": group.mean,
        "q1": group.q1,
        "median": group.median,
        "q3": group.q3,
        "histogram": list(group.histogram),
        "services": {
            s.service: {
                "decisions": s.decisions,
                "approvals": s.approvals,
                "rate": s.rate,
                "impact_ratio": s.impact_ratio,
                "flagged": s.flagged,
            }
            for s in group.services.values()
        },
    }


def fairness_audit(
    people: Iterable[AuditedPerson], groups: Mapping[str, str], *, attribute: str = "group"
) -> FairnessReport:
    """Compare score distributions and approval rates across the groups of ``attribute``.

    ``groups`` maps a subject to its label for this audit only; people
    without a label are counted in ``unlabelled`` and left out.
    """
    members: dict[str, list[AuditedPerson]] = {}
    seen: set[str] = set()
    unlabelled = 0
    for person in people:
        _check_person(person, seen)
        label = groups.get(person.subject)
        if label is None:
            unlabelled += 1
            continue
        members.setdefault(str(label), []).append(person)
    services = tuple(sorted({s for group in members.values() for p in group for s in p.decisions}))
    rates = {name: _rates(group, services) for name, group in members.items()}
    stats = tuple(_group_stats(name, members[name], rates, services) for name in sorted(members))
    return FairnessReport(attribute, stats, services, unlabelled)


def _check_person(person: AuditedPerson, seen: set[str]) -> None:
    where = f"subject {person.subject}"
    if person.subject in seen:
        raise InputRejected(
            "a person appears twice in the fairness audit",
            problems=[
                Problem(
                    message="duplicate subject",
                    where=where,
                    field="subject",
                    expected="one row per person",
                )
            ],
        )
    seen.add(person.subject)
    if not (math.isfinite(person.score) and SCORE_MIN <= person.score <= SCORE_MAX):
        raise InputRejected(
            "a score is outside the scale",
            problems=[
                Problem(
                    message=f"score {person.score}",
                    where=where,
                    field="score",
                    expected=f"{SCORE_MIN} to {SCORE_MAX}",
                )
            ],
        )


def _rates(group: list[AuditedPerson], services: tuple[str, ...]) -> dict[str, tuple[int, int]]:
    """Per service: (approvals, decisions) within one group."""
    counts: dict[str, tuple[int, int]] = {}
    for service in services:
        outcomes = [bool(p.decisions[service]) for p in group if service in p.decisions]
        counts[service] = (sum(outcomes), len(outcomes))
    return counts


def _group_stats(
    name: str,
    group: list[AuditedPerson],
    rates: Mapping[str, Mapping[str, tuple[int, int]]],
    services: tuple[str, ...],
) -> GroupStats:
    scores = sorted(p.score for p in group)
    if len(scores) > 1:
        q1, median, q3 = statistics.quantiles(scores, n=4, method="inclusive")
    else:
        q1 = median = q3 = scores[0]
    histogram = [0] * (len(BIN_EDGES) - 1)
    for score in scores:
        histogram[min(int((score - SCORE_MIN) // BIN_WIDTH), len(histogram) - 1)] += 1
    per_service = {s: _service_rate(s, rates[name][s], _top_rate(rates, s)) for s in services}
    return GroupStats(
        name, len(scores), statistics.fmean(scores), q1, median, q3, tuple(histogram), per_service
    )


def _top_rate(rates: Mapping[str, Mapping[str, tuple[int, int]]], service: str) -> Fraction:
    counts = [group[service] for group in rates.values()]
    return max((Fraction(a, n) for a, n in counts if n), default=Fraction(0))


def _service_rate(service: str, counts: tuple[int, int], top: Fraction) -> ServiceRate:
    approvals, decisions = counts
    if decisions == 0:
        return ServiceRate(service, 0, 0, None, None, False)
    rate = Fraction(approvals, decisions)
    ratio = rate / top if top else Fraction(1)
    return ServiceRate(
        service, decisions, approvals, float(rate), float(ratio), ratio < FOUR_FIFTHS
    )


def refuse_group_labels_in_training(
    columns: Iterable[str],
    group_columns: Iterable[str] = ("group",),
    *,
    what: str = "training table",
) -> None:
    """Raise :class:`CharterViolation` if a training table holds a fairness group label.

    Group attributes may be supplied only to the fairness audit, never to a
    model. Names are compared case-insensitively, ignoring surrounding spaces.
    """
    labels = {c.strip().lower() for c in group_columns}
    offending = [c for c in columns if c.strip().lower() in labels]
    if offending:
        raise CharterViolation(
            f"{what} contains fairness group labels: {', '.join(offending)}",
            problems=[
                Problem(
                    message=f"'{c}' is a group label; group attributes may be supplied only "
                    f"to the fairness audit, never to a model; leave it out (--exclude {c})",
                    where=what,
                    field=c,
                )
                for c in offending
            ],
        )
