"""Tiers state expected default rates that fall as scores rise; the gate's thresholds load."""

from __future__ import annotations

from collections.abc import Callable

from tests.unit.policy.conftest import BASE

from creditcity.domain.policy import default_policy, parse_policy
from creditcity.domain.policy_gate import ModelGate
from creditcity.errors import PolicyError


def _rates(low: str, high: str) -> str:
    text = BASE.replace('name = "low"\n', f'name = "low"\nexpected_default_rate = {low}\n')
    return text.replace('name = "high"\n', f'name = "high"\nexpected_default_rate = {high}\n')


def test_every_default_tier_states_a_rate_that_falls_as_scores_rise() -> None:
    rates = [t.expected_default_rate for t in default_policy().tiers]
    assert all(r is not None for r in rates)
    assert rates == sorted(rates, reverse=True)  # type: ignore[type-var]


def test_stated_rates_are_kept_and_published_in_the_summary() -> None:
    policy = parse_policy(_rates("0.2", "0.04"))
    assert [t.expected_default_rate for t in policy.tiers] == [0.2, 0.04]
    assert policy.summary()["tiers"][1]["expected_default_rate"] == 0.04


def test_a_higher_tier_expecting_more_defaults_is_refused_at_its_line(
    refuse: Callable[[str], PolicyError],
) -> None:
    error = refuse(_rates("0.05", "0.08"))
    assert "falls as scores rise" in str(error) and "line 13" in str(error)


def test_a_rate_on_some_tiers_only_is_refused(refuse: Callable[[str], PolicyError]) -> None:
    text = BASE.replace('name = "low"\n', 'name = "low"\nexpected_default_rate = 0.2\n')
    assert "states no expected_default_rate" in str(refuse(text))


def test_a_rate_outside_zero_and_one_is_refused(refuse: Callable[[str], PolicyError]) -> None:
    assert "expected_default_rate" in str(refuse(_rates("1.5", "0.1")))


def test_the_gate_has_defaults_and_reads_the_operators_thresholds(
    refuse: Callable[[str], PolicyError],
) -> None:
    assert parse_policy(BASE).model_gate == ModelGate()
    strict = parse_policy(BASE + "\n[model_gate]\nmin_auc = 0.7\nmax_psi = 0.1\n")
    assert (strict.model_gate.min_auc, strict.model_gate.max_psi) == (0.7, 0.1)
    assert "min_aux" in str(refuse(BASE + "\n[model_gate]\nmin_aux = 0.7\n"))
