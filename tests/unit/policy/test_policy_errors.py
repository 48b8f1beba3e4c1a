"""A refused policy lists every problem with the line to edit and how to fix it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from creditcity.domain.policy import load_policy, parse_policy
from creditcity.errors import PolicyError, Problem

Refuse = Callable[[str], PolicyError]


def line_of(text: str, needle: str, start: int = 0) -> int:
    """1-based number of the first line at or after line ``start`` containing ``needle``."""
    lines = text.splitlines()
    return next(i for i in range(start, len(lines)) if needle in lines[i]) + 1


def at(error: PolicyError, line: int) -> list[Problem]:
    return [p for p in error.problems if p.where == f"test.toml, line {line}"]


def test_the_base_policy_is_valid(base_text: str) -> None:
    policy = parse_policy(base_text, "test.toml")
    assert [t.name for t in policy.tiers] == ["low", "high"]


def test_a_toml_syntax_error_names_its_line(refuse: Refuse, base_text: str) -> None:
    text = base_text.replace("max_amount = 299", 'max_amount = "299')
    error = refuse(text)
    (problem,) = error.problems
    assert problem.where == f"test.toml, line {line_of(text, 'max_amount')}"
    assert "not valid TOML" in problem.message


def test_an_unknown_key_names_its_line_and_the_keys_that_exist(
    refuse: Refuse, base_text: str
) -> None:
    text = base_text.replace('min_tier = "high"', 'min_tier = "high"\nmax_amonut = 5')
    (problem,) = refuse(text).problems
    assert problem.where == f"test.toml, line {line_of(text, 'max_amonut')}"
    assert "unknown key 'max_amonut'" in problem.message
    assert "max_amount" in problem.expected
    assert problem.field == "services.bike_deposit.max_amonut"


def test_a_wrong_type_names_its_line_and_what_was_given(refuse: Refuse, base_text: str) -> None:
    text = base_text.replace("min_score = 600", 'min_score = "600"')
    (problem,) = refuse(text).problems
    assert problem.where == f"test.toml, line {line_of(text, 'min_score', 9)}"
    assert problem.field == "tiers[1].min_score"
    assert "valid integer" in problem.message and "'600'" in problem.message


def test_a_missing_key_points_at_the_table_that_needs_it(refuse: Refuse, base_text: str) -> None:
    text = base_text.replace('kind = "deposit_waiver"\n', "")
    (problem,) = refuse(text).problems
    assert problem.where == f"test.toml, line {line_of(text, '[services.bike_deposit]')}"
    assert "missing required key 'kind'" in problem.message
    assert "deposit_waiver" in problem.expected


def test_a_gap_between_bands_is_refused_at_the_tier_after_it(
    refuse: Refuse, base_text: str
) -> None:
    text = base_text.replace("min_score = 600", "min_score = 610")
    (problem,) = refuse(text).problems
    assert problem.where == f"test.toml, line {line_of(text, 'min_score = 610')}"
    assert "scores 600-609 are in no tier" in problem.message


def test_overlapping_bands_are_refused(refuse: Refuse, base_text: str) -> None:
    text = base_text.replace("min_score = 600", "min_score = 590")
    (problem,) = refuse(text).problems
    assert "overlaps 'low' (scores 590-599 are in both)" in problem.message
    assert problem.where == f"test.toml, line {line_of(text, 'min_score = 590')}"


def test_bands_must_reach_the_top_of_the_scale(refuse: Refuse, base_text: str) -> None:
    text = base_text.replace("max_score = 950", "max_score = 900")
    (problem,) = refuse(text).problems
    assert "scores 901-950 are in no tier" in problem.message


def test_bands_must_start_at_the_bottom_of_the_scale(refuse: Refuse, base_text: str) -> None:
    text = base_text.replace("min_score = 350", "min_score = 300")
    (problem,) = refuse(text).problems
    assert "below the lowest score 350" in problem.message


def test_a_service_naming_an_unknown_tier_is_refused(refuse: Refuse, base_text: str) -> None:
    text = base_text.replace('min_tier = "high"', 'min_tier = "gold"')
    (problem,) = refuse(text).problems
    assert "unknown tier 'gold'" in problem.message
    assert "low, high" in problem.expected


def test_a_tier_limit_above_the_service_maximum_is_refused(refuse: Refuse, base_text: str) -> None:
    text = base_text + "tier_limits = { high = 400 }\n"
    (problem,) = refuse(text).problems
    assert "limit 400 for 'high' is above its max_amount 299" in problem.message
    assert problem.where == f"test.toml, line {line_of(text, 'tier_limits')}"


def test_a_better_tier_never_gets_a_lower_limit(refuse: Refuse, base_text: str) -> None:
    text = base_text.replace('min_tier = "high"', 'min_tier = "low"')
    text += "tier_limits = { high = 50 }\n"
    (problem,) = refuse(text).problems
    assert "a better score never gets less" in problem.message


def test_a_tier_exposure_cap_may_not_exceed_the_policy_cap(refuse: Refuse, base_text: str) -> None:
    text = base_text.replace('name = "high"', 'name = "high"\nexposure_cap = 5000')
    (problem,) = refuse(text).problems
    assert "above the policy's exposure_cap 1000" in problem.message


def test_a_charter_forbidden_key_is_refused_as_a_policy_input(
    refuse: Refuse, base_text: str
) -> None:
    text = base_text.replace('name = "low"', 'name = "low"\nmin_age = 18')
    (problem,) = refuse(text).problems
    assert "'min_age' marks age, which the charter forbids" in problem.message
    assert problem.where == f"test.toml, line {line_of(text, 'min_age')}"


def test_the_version_must_be_a_date(refuse: Refuse, base_text: str) -> None:
    (problem,) = refuse(base_text.replace('"2026-11-01"', '"latest"')).problems
    assert problem.where == "test.toml, line 1"
    assert problem.field == "version"


def test_a_thin_file_rule_may_only_name_existing_services(refuse: Refuse, base_text: str) -> None:
    text = base_text + '\n[thin_file]\nservices = ["scooter"]\nmax_amount = 20\n'
    (problem,) = refuse(text).problems
    assert "thin_file names unknown service 'scooter'" in problem.message
    assert problem.where == f"test.toml, line {line_of(text, 'scooter')}"


def test_every_problem_is_listed_at_once_in_line_order(refuse: Refuse, base_text: str) -> None:
    text = (
        base_text.replace("exposure_cap = 1000", "exposure_cap = -1")
        .replace("max_score = 950", "max_score = 950\ncolour = 1")
        .replace('kind = "deposit_waiver"', 'kind = "gift"')
    )
    error = refuse(text)
    lines = [int(p.where.rsplit(" ", 1)[1]) for p in error.problems]
    assert lines == sorted(lines)
    assert len(error.problems) == 3
    assert "3 problems" in error.message
    assert at(error, line_of(text, "colour"))
    assert at(error, line_of(text, '"gift"'))


def test_loading_a_missing_file_is_a_policy_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(PolicyError) as caught:
        load_policy(tmp_path / "absent.toml")
    assert caught.value.problems[0].where.endswith("absent.toml")
    assert "no such file" in caught.value.message


def test_loading_names_the_file_in_every_location(tmp_path: Path, base_text: str) -> None:
    path = tmp_path / "city.toml"
    path.write_text(base_text.replace("min_score = 600", "min_score = 601"), encoding="utf-8")
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    assert caught.value.problems[0].where == f"{path}, line 12"


def test_a_service_the_ledger_does_not_know_is_refused_with_the_known_ids(
    refuse: Refuse, base_text: str
) -> None:
    text = base_text.replace("[services.bike_deposit]", "[services.scooter_deposit]")
    (problem,) = refuse(text).problems
    assert problem.where == f"test.toml, line {line_of(text, 'scooter_deposit')}"
    assert "not a service the ledger knows" in problem.message
    assert "bike_deposit" in problem.expected
