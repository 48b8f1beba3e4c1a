"""Small policy texts with known line numbers, and a helper to catch a refusal."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from creditcity.domain.policy import parse_policy
from creditcity.errors import PolicyError

#: A valid two-tier policy; line numbers below are relied on by the tests.
BASE = """\
version = "2026-11-01"
exposure_cap = 1000

[[tiers]]
name = "low"
min_score = 350
max_score = 599
description = { zh = "起步", en = "Starting out" }

[[tiers]]
name = "high"
min_score = 600
max_score = 950
description = { zh = "单车免押", en = "Bikes deposit-free" }

[services.bike_deposit]
kind = "deposit_waiver"
min_tier = "high"
max_amount = 299
description = { zh = "单车押金", en = "Bike deposit" }
"""
BASE_LINES = BASE.count("\n")

#: A restriction that passes every guardrail, as raw TOML values.
GOOD_RESTRICTION = {
    "name": '"unpaid_judgment"',
    "trigger": '"court_judgment"',
    "blocks": '["bike_deposit"]',
    "expires_after_days": "1826",
    "appeal_route": '{ zh = "向作出判决的法院上诉", en = "Appeal to the issuing court" }',
    "notice": '"Judgment {ref} is unpaid until {expires_on}. Appeal: {appeal_route}"',
    "description": '{ zh = "判决未履行", en = "An unpaid judgment" }',
}


@pytest.fixture
def base_text() -> str:
    return BASE


@pytest.fixture
def refuse() -> Callable[[str], PolicyError]:
    """Parse ``text`` and return the :class:`PolicyError` it must raise."""

    def parse(text: str) -> PolicyError:
        with pytest.raises(PolicyError) as caught:
            parse_policy(text, "test.toml")
        return caught.value

    return parse


@pytest.fixture
def with_restriction() -> Callable[..., str]:
    """BASE plus one ``[[restrictions]]`` table; a field set to ``None`` is left out.

    The table header is on line BASE_LINES + 2 and its keys follow in the order
    of GOOD_RESTRICTION, then any extra keys.
    """

    def build(**fields: str | None) -> str:
        merged: dict[str, str | None] = {**GOOD_RESTRICTION, **fields}
        body = "".join(f"{key} = {value}\n" for key, value in merged.items() if value is not None)
        return f"{BASE}\n[[restrictions]]\n{body}"

    return build
