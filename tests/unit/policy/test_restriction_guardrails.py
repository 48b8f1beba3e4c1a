"""No restriction without an adjudicated record, a notice, an appeal route and an expiry.

Each guardrail refuses the policy when it loads, with its own message.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from creditcity.domain.policy import parse_policy
from creditcity.errors import PolicyError

Refuse = Callable[[str], PolicyError]
Build = Callable[..., str]


def only_message(error: PolicyError) -> str:
    messages = [p.message for p in error.problems]
    assert len(messages) == 1, messages
    return messages[0]


def test_a_restriction_meeting_every_guardrail_loads(with_restriction: Build) -> None:
    (rule,) = parse_policy(with_restriction(), "test.toml").restrictions
    assert rule.trigger == "court_judgment"
    assert rule.blocks == {"bike_deposit"}
    assert rule.expires_after_days == 1826


def test_a_restriction_conditioned_on_a_score_is_refused(
    refuse: Refuse, with_restriction: Build
) -> None:
    message = only_message(refuse(with_restriction(score_below="450")))
    assert "restriction 'unpaid_judgment' is triggered by a score ('score_below')" in message
    assert "never rest on a score alone" in message


def test_a_restriction_triggered_by_a_score_alone_is_refused(
    refuse: Refuse, with_restriction: Build
) -> None:
    message = only_message(refuse(with_restriction(trigger='"low_score"')))
    assert "is triggered by a score ('low_score')" in message


def test_a_restriction_triggered_by_a_tier_is_refused(
    refuse: Refuse, with_restriction: Build
) -> None:
    message = only_message(refuse(with_restriction(trigger='"tier"')))
    assert "is triggered by a score ('tier')" in message


def test_a_restriction_triggered_by_a_record_no_court_adjudicated_is_refused(
    refuse: Refuse, with_restriction: Build
) -> None:
    message = only_message(refuse(with_restriction(trigger='"loan_default"')))
    assert message == (
        "restriction 'unpaid_judgment' is triggered by 'loan_default', which is not "
        "adjudicated by a court; only court_judgment, proven_fraud may trigger a restriction"
    )


def test_a_restriction_triggered_by_voluntary_consent_data_is_refused(
    refuse: Refuse, with_restriction: Build
) -> None:
    message = only_message(refuse(with_restriction(trigger='"monthly_spending"')))
    assert "'monthly_spending', voluntary data given by consent" in message
    assert "never restrict them" in message


@pytest.mark.parametrize(
    ("trigger", "category"),
    [
        ("religion", "religion"),
        ("occupation", "occupation or profession"),
        ("foreign_worker", "nationality or national origin"),
    ],
)
def test_a_restriction_triggered_by_a_charter_forbidden_attribute_is_refused(
    refuse: Refuse, with_restriction: Build, trigger: str, category: str
) -> None:
    message = only_message(refuse(with_restriction(trigger=f'"{trigger}"')))
    assert f"triggered by '{trigger}', which marks {category}: the charter forbids it" in message


def test_a_restriction_conditioned_on_a_charter_forbidden_attribute_is_refused(
    refuse: Refuse, with_restriction: Build
) -> None:
    message = only_message(refuse(with_restriction(occupation='"journalist"')))
    assert "conditions on 'occupation', which marks occupation or profession" in message


def test_a_restriction_triggered_by_an_unknown_record_kind_is_refused(
    refuse: Refuse, with_restriction: Build
) -> None:
    message = only_message(refuse(with_restriction(trigger='"rumour"')))
    assert "names unknown record kind 'rumour'" in message


def test_a_restriction_without_a_trigger_is_refused(
    refuse: Refuse, with_restriction: Build
) -> None:
    message = only_message(refuse(with_restriction(trigger=None)))
    assert "must name the adjudicated record that triggers it" in message


def test_a_restriction_naming_no_services_is_refused(
    refuse: Refuse, with_restriction: Build
) -> None:
    assert "must name the services it blocks" in only_message(refuse(with_restriction(blocks=None)))
    message = only_message(refuse(with_restriction(blocks="[]")))
    assert "must name the services it blocks" in message and "the list is empty" in message


def test_a_restriction_blocking_an_unknown_service_is_refused(
    refuse: Refuse, with_restriction: Build
) -> None:
    message = only_message(refuse(with_restriction(blocks='["bike_deposit", "flights"]')))
    assert message == "restriction 'unpaid_judgment' blocks unknown service 'flights'"


def test_a_restriction_without_an_expiry_is_refused(
    refuse: Refuse, with_restriction: Build
) -> None:
    message = only_message(refuse(with_restriction(expires_after_days=None)))
    assert message == (
        "restriction 'unpaid_judgment' must name its expiry: "
        "expires_after_days = N (days, more than 0)"
    )


@pytest.mark.parametrize("days", ["0", "-30"])
def test_a_restriction_expiring_after_zero_or_fewer_days_is_refused(
    refuse: Refuse, with_restriction: Build, days: str
) -> None:
    message = only_message(refuse(with_restriction(expires_after_days=days)))
    assert f"must expire after more than 0 days, not {days}" in message


def test_a_restriction_that_never_expires_is_refused(
    refuse: Refuse, with_restriction: Build
) -> None:
    message = only_message(refuse(with_restriction(expires_after_days="inf")))
    assert "must expire: expires_after_days must be a finite number of days, not inf" in message


def test_a_restriction_expiring_after_part_of_a_day_is_refused(
    refuse: Refuse, with_restriction: Build
) -> None:
    message = only_message(refuse(with_restriction(expires_after_days="30.5")))
    assert "must expire after a whole number of days, not 30.5" in message


def test_a_restriction_without_an_appeal_route_is_refused(
    refuse: Refuse, with_restriction: Build
) -> None:
    message = only_message(refuse(with_restriction(appeal_route=None)))
    assert message.startswith("restriction 'unpaid_judgment' must name its appeal route")
    assert 'appeal_route.zh = "..."' in message and 'appeal_route.en = "..."' in message
    blank = refuse(with_restriction(appeal_route='{ zh = "上诉", en = "   " }')).problems
    assert [(p.field, "empty" in p.message) for p in blank] == [
        ("restrictions[0].appeal_route.en", True)
    ]


def test_a_restriction_without_a_notice_is_refused(refuse: Refuse, with_restriction: Build) -> None:
    message = only_message(refuse(with_restriction(notice=None)))
    assert "must give the notice sent to the person" in message
    blank = only_message(refuse(with_restriction(notice='""')))
    assert "must give the notice sent to the person" in blank and "it is blank" in blank


def test_a_notice_using_an_unknown_placeholder_is_refused(
    refuse: Refuse, with_restriction: Build
) -> None:
    message = only_message(refuse(with_restriction(notice='"You are {score}"')))
    assert "notice uses unknown placeholders ['score']" in message


def test_a_notice_that_is_not_a_valid_template_is_refused(
    refuse: Refuse, with_restriction: Build
) -> None:
    message = only_message(refuse(with_restriction(notice='"unpaid {ref"')))
    assert "notice is not a valid template" in message


def test_a_restriction_guardrail_problem_names_the_line_of_the_key(
    refuse: Refuse, with_restriction: Build
) -> None:
    text = with_restriction(expires_after_days="0")
    (problem,) = refuse(text).problems
    line = text.splitlines().index("expires_after_days = 0") + 1
    assert problem.where == f"test.toml, line {line}"
    assert problem.field == "restrictions[0].expires_after_days"


def test_a_missing_guardrail_key_points_at_the_restriction_table(
    refuse: Refuse, with_restriction: Build
) -> None:
    text = with_restriction(appeal_route=None)
    (problem,) = refuse(text).problems
    assert problem.where == f"test.toml, line {text.splitlines().index('[[restrictions]]') + 1}"


def test_two_restrictions_may_not_share_a_name(refuse: Refuse, with_restriction: Build) -> None:
    one = with_restriction()
    text = one + one[one.index("[[restrictions]]") :]
    assert "restriction name 'unpaid_judgment' is used twice" in only_message(refuse(text))
