"""Fairness at policy level: eligibility for every resident, unscored included, by group."""

from __future__ import annotations

import numpy as np
import pytest

from creditcity.domain.policy import default_policy
from creditcity.rights.fairness_plot import fairness_png
from creditcity.rights.fairness_policy import (
    Eligibility,
    PolicyFairness,
    Resident,
    eligible,
    policy_fairness,
)

POLICY = default_policy()


def _city(
    north_scores: list[int | None], south_scores: list[int | None]
) -> tuple[list[Resident], dict[str, str]]:
    people: list[Resident] = []
    groups: dict[str, str] = {}
    for label, scores in (("north", north_scores), ("south", south_scores)):
        for i, score in enumerate(scores):
            subject = f"{label}-{i}"
            people.append(Resident(subject, score))
            groups[subject] = label
    return people, groups


def _row(report: PolicyFairness, service: str, group: str) -> Eligibility:
    return next(e for e in report.eligibility if e.service == service and e.group == group)


def test_eligibility_follows_the_tier_and_the_thin_file_rule_for_the_unscored() -> None:
    assert eligible(POLICY, "bike_deposit", 620) and not eligible(POLICY, "bike_deposit", 560)
    assert eligible(POLICY, "umbrella_deposit", None)
    assert not eligible(POLICY, "bike_deposit", None)


def test_every_resident_counts_including_the_unscored_and_a_shortfall_is_flagged() -> None:
    people, groups = _city([620] * 300 + [None] * 300, [620] * 540 + [None] * 60)
    report = policy_fairness(people, groups, POLICY)
    assert dict(report.groups) == {"north": 600, "south": 600}
    assert dict(report.unscored) == {"north": 300, "south": 60}
    bike = _row(report, "bike_deposit", "north")
    assert (bike.eligible, bike.people) == (300, 600)
    assert bike.impact_ratio == pytest.approx(0.5 / 0.9)
    assert bike.flagged and bike.high < 0.8
    assert _row(report, "bike_deposit", "south").reference
    umbrella = _row(report, "umbrella_deposit", "north")  # everyone gets umbrellas
    assert umbrella.impact_ratio == 1.0 and not umbrella.flagged


def test_a_group_below_the_minimum_gets_counts_but_no_rate_or_ratio() -> None:
    people, groups = _city([560] * 10, [620] * 100)
    report = policy_fairness(people, groups, POLICY, min_group=30)
    small = _row(report, "bike_deposit", "north")
    assert small.people == 10 and small.rate is None
    assert small.impact_ratio is None and not small.flagged
    assert report.flagged == []


def test_calibration_is_observed_over_expected_and_equal_opportunity_compares_good_payers() -> None:
    rng = np.random.default_rng(0)
    people: list[Resident] = []
    groups: dict[str, str] = {}
    for label, score, default_rate in (("north", 560, 0.10), ("south", 620, 0.05)):
        for i in range(400):
            subject = f"{label}-{i}"
            people.append(Resident(subject, score, 0.05, bool(rng.random() < default_rate)))
            groups[subject] = label
    report = policy_fairness(people, groups, POLICY)
    by_group = {c.group: c for c in report.calibration}
    assert by_group["north"].ratio == pytest.approx(by_group["north"].observed / 0.05)
    assert 1.5 < by_group["north"].ratio < 2.6  # the score flatters north: it states 5%
    bike = _row(report, "bike_deposit", "north")
    assert bike.equal_opportunity_difference == pytest.approx(-1.0)


def test_without_outcomes_there_is_no_calibration_nor_equal_opportunity() -> None:
    people, groups = _city([620] * 50, [700] * 50)
    report = policy_fairness(people, groups, POLICY)
    assert all(c.ratio is None for c in report.calibration)
    assert all(e.equal_opportunity_difference is None for e in report.eligibility)


def test_the_report_serialises_and_draws_a_png() -> None:
    people, groups = _city([620] * 300 + [None] * 300, [620] * 540 + [None] * 60)
    report = policy_fairness(people, groups, POLICY)
    body = report.as_dict()
    assert body["flagged"][0][:2] == ["north", "bike_deposit"]
    png = fairness_png(report)
    assert png.startswith(b"\x89PNG") and len(png) > 5000
