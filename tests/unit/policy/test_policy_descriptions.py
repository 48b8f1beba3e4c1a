"""Every tier, service and restriction says what it is in Chinese and English, or is refused."""

from __future__ import annotations

from collections.abc import Callable

from creditcity.domain.policy import default_policy, parse_policy
from creditcity.errors import PolicyError

Refuse = Callable[[str], PolicyError]
BIKE = 'description = { zh = "单车押金", en = "Bike deposit" }'


def _line(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_the_texts_are_kept_in_both_languages_and_published(base_text: str) -> None:
    policy = parse_policy(base_text)
    assert policy.services["bike_deposit"].description.in_language("zh") == "单车押金"
    assert policy.tiers[1].description.in_language("en") == "Bikes deposit-free"
    summary = policy.summary()
    assert summary["services"][0]["description"] == {"zh": "单车押金", "en": "Bike deposit"}


def test_a_service_without_a_description_is_refused_at_its_table_with_how_to_add_one(
    refuse: Refuse, base_text: str
) -> None:
    text = base_text.replace(BIKE + "\n", "")
    (problem,) = refuse(text).problems
    assert problem.where == f"test.toml, line {_line(text, '[services.bike_deposit]')}"
    assert problem.field == "services.bike_deposit.description"
    assert "missing required key 'description'" in problem.message
    assert 'description.zh = "..."' in problem.expected and "description.en" in problem.expected


def test_a_description_in_one_language_names_the_missing_one_on_its_line(
    refuse: Refuse, base_text: str
) -> None:
    text = base_text.replace(BIKE, 'description = { en = "Bike deposit" }')
    (problem,) = refuse(text).problems
    assert problem.where == f"test.toml, line {_line(text, 'Bike deposit')}"
    assert problem.field == "services.bike_deposit.description.zh"
    assert "Chinese" in problem.expected


def test_an_empty_text_is_refused(refuse: Refuse, base_text: str) -> None:
    text = base_text.replace('en = "Bikes deposit-free"', 'en = "  "')
    (problem,) = refuse(text).problems
    assert problem.field == "tiers[1].description.en" and "empty" in problem.message


def test_an_old_one_language_description_says_to_give_both(refuse: Refuse, base_text: str) -> None:
    text = base_text.replace(BIKE, 'description = "Bike deposit"')
    (problem,) = refuse(text).problems
    assert problem.where == f"test.toml, line {_line(text, 'Bike deposit')}"
    assert "both languages" in problem.message and "description.zh" in problem.expected


def test_a_restriction_without_a_description_is_refused_with_its_other_breaches(
    refuse: Refuse, with_restriction: Callable[..., str]
) -> None:
    text = with_restriction(description=None, expires_after_days="0")
    messages = [p.message for p in refuse(text).problems]
    assert any("has no description" in m for m in messages)
    assert any("must expire after more than 0 days" in m for m in messages)


def test_the_default_policy_describes_everything_in_both_languages() -> None:
    policy = default_policy()
    texts = [
        *(t.description for t in policy.tiers),
        *(s.description for s in policy.services.values()),
        *(r.description for r in policy.restrictions),
    ]
    assert len(texts) == 16 and all(t.zh.strip() and t.en.strip() for t in texts)
    assert not any(c.isascii() and c.isalpha() for t in texts for c in t.zh)


def test_an_appeal_route_missing_a_language_is_refused_naming_the_field(
    refuse: Refuse, with_restriction: Callable[..., str]
) -> None:
    text = with_restriction(appeal_route='{ en = "Appeal to the issuing court" }')
    (problem,) = refuse(text).problems
    assert problem.field == "restrictions[0].appeal_route.zh"
    assert "appeal_route" in problem.message
    assert 'appeal_route.zh = "..."' in problem.expected and "Chinese" in problem.expected


def test_an_old_one_language_appeal_route_says_to_give_both(
    refuse: Refuse, with_restriction: Callable[..., str]
) -> None:
    (problem,) = refuse(with_restriction(appeal_route='"Appeal to the court"')).problems
    assert problem.field == "restrictions[0].appeal_route"
    assert "both languages" in problem.message and "appeal_route.zh" in problem.expected


def test_the_default_policy_words_every_appeal_route_for_people_in_both_languages() -> None:
    routes = [r.appeal_route for r in default_policy().restrictions]
    assert routes and all(r.zh.strip() and r.en.strip() for r in routes)
    assert not any(c.isascii() and c.isalpha() for r in routes for c in r.zh)
    assert not any("creditcity" in r.en or "(" in r.en for r in routes)
