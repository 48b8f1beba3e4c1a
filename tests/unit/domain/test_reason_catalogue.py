"""The reason catalogue: stable codes, words in Chinese and English, values as people write them."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from creditcity.domain.reason_catalogue import (
    LANGS,
    Direction,
    ReasonFacts,
    Unit,
    code_for,
    entry_for,
    feature_title,
    language,
    may_cite,
    negotiate,
    published,
    render,
    render_all,
    sentence_of,
)
from creditcity.domain.reason_wordings import ENTRIES, Entry
from creditcity.errors import InputRejected
from creditcity.features import FEATURES

CATALOGUED = [(e, d) for e in ENTRIES for d in e.wordings]
_CJK = re.compile(r"[\u4e00-\u9fff]")
_LONG_DECIMAL = re.compile(r"\d\.\d{3,}")


def _facts(
    entry: Entry, direction: Direction, value: float | None, target: float | None, gain: int
) -> ReasonFacts:
    dimension = FEATURES[entry.feature].dimension.value
    code = code_for(entry.feature, dimension, direction)
    return ReasonFacts(code, entry.feature, dimension, direction, gain + 3, gain, value, target)


def test_every_feature_of_the_registry_has_a_catalogue_entry_and_nothing_else_does() -> None:
    assert {e.feature for e in ENTRIES} == set(FEATURES)


def test_codes_are_dimension_stem_and_direction_with_no_digits() -> None:
    codes = [code_for(e.feature, FEATURES[e.feature].dimension.value, d) for e, d in CATALOGUED]
    assert len(set(codes)) == len(codes)
    assert all(re.fullmatch(r"(PH|OC|HL|NO|PR)-[A-Z_]+-(HI|LO|NA)", c) for c in codes), codes
    assert code_for("late_30_59_days_12m", "payment_history", Direction.HIGH) == (
        "PH-LATE_MODERATE_RECENT-HI"
    )


def test_no_reason_ever_asks_a_person_to_borrow_more() -> None:
    for feature in (
        "new_obligations_6m",
        "new_obligations_12m",
        "card_outstanding_total",
        "card_limit_total",
        "card_utilisation",
    ):
        assert not may_cite(feature, Direction.LOW)
    for feature in ("card_utilisation", "card_outstanding_total", "card_limit_total"):
        assert not may_cite(feature, Direction.MISSING)
    assert not may_cite("months_since_last_delinquency", Direction.MISSING)  # never late: no reason


def test_features_the_catalogue_lacks_may_be_cited_in_any_direction() -> None:
    assert entry_for("duration_in_month") is None
    assert all(may_cite("duration_in_month", d) for d in Direction)


_VALUES = {
    Unit.COUNT: st.integers(0, 5000).map(float),
    Unit.MONTHS: st.integers(0, 600).map(float),
    Unit.YUAN: st.floats(0, 5e7, allow_nan=False),
    Unit.SHARE: st.floats(0, 3, allow_nan=False),
}


@settings(max_examples=300, deadline=None)
@given(
    pick=st.sampled_from(CATALOGUED),
    lang=st.sampled_from(LANGS),
    data=st.data(),
    gain=st.integers(1, 400),
)
def test_every_catalogue_reason_renders_in_both_languages_with_formatted_values(
    pick: tuple[Entry, Direction], lang: str, data: st.DataObject, gain: int
) -> None:
    entry, direction = pick
    values = _VALUES[entry.unit]
    value = None if direction is Direction.MISSING else data.draw(values)
    target = data.draw(st.none() | values) if direction is Direction.MISSING else data.draw(values)
    rendered = render(_facts(entry, direction, value, target, gain), lang)
    for text in (rendered.text, rendered.advice, rendered.sentence):
        assert text and not _LONG_DECIMAL.search(text), text  # never a raw float
        assert not re.search(r"[{}|_]", text), text  # no placeholder, plural markup or raw id
        assert entry.feature not in text and rendered.code not in text
        assert bool(_CJK.search(text)) == (lang == "zh"), text
    assert re.search(r"\d", rendered.advice), "the advice states its points"


def test_english_words_follow_the_plural_rule() -> None:
    late = entry_for("late_30_59_days_12m")
    assert late is not None
    one = render(_facts(late, Direction.HIGH, 1.0, 0.0, 1), "en")
    two = render(_facts(late, Direction.HIGH, 2.0, 1.0, 25), "en")
    assert one.text == "1 payment 30–59 days late in the last 12 months"
    assert one.advice.endswith("would add 1 point")
    assert two.text.startswith("2 payments") and two.advice.endswith("would add 25 points")


def test_money_and_shares_are_formatted_for_each_language() -> None:
    card = entry_for("card_outstanding_total")
    share = entry_for("card_utilisation")
    assert card is not None and share is not None
    money = render(_facts(card, Direction.HIGH, 83653.1, 5000.0, 12), "en")
    assert money.text == "¥83,653 outstanding on cards"
    assert "at most ¥5,000" in money.advice
    used = render(_facts(share, Direction.HIGH, 0.873051, 0.3, 9), "zh")
    assert used.text == "信用卡已用额度占总额度的87%"
    assert used.advice == "把信用卡余额还到额度的30%以内，可加9分"
    assert used.sentence == "信用卡已用额度占总额度的87%；把信用卡余额还到额度的30%以内，可加9分。"


def test_nothing_on_file_is_phrased_as_what_the_person_can_do() -> None:
    history = entry_for("history_length_months")
    assert history is not None
    missing = render(_facts(history, Direction.MISSING, None, 7.0, 14), "en")
    assert missing.text == "No record on file yet"
    assert missing.advice.startswith("A bill or rent paid on time")
    assert "at 7 months it adds 14 points" in missing.advice
    anything = render(_facts(history, Direction.MISSING, None, None, 14), "zh")
    assert anything.advice.endswith("可加14分") and "{" not in anything.advice


def test_the_accept_language_header_picks_the_preferred_catalogue_language() -> None:
    assert negotiate("zh-CN,zh;q=0.9,en;q=0.8") == "zh"
    assert negotiate("en-GB,en;q=0.9") == "en"
    assert negotiate("fr-FR, en;q=0.5, zh;q=0.7") == "zh"
    assert negotiate("fr, de") == "en"
    assert negotiate(None) == "en"
    assert negotiate("zh;q=0, en") == "en"


def test_an_unknown_language_is_refused_naming_the_choices() -> None:
    assert language("zh-Hans-CN") == "zh" and language("EN") == "en"
    with pytest.raises(InputRejected, match="'fr'") as caught:
        language("fr")
    assert caught.value.problems[0].expected == "zh or en"


def test_stored_reasons_render_again_in_any_language_and_old_ones_keep_their_text() -> None:
    late = entry_for("loan_defaults")
    assert late is not None
    stored = _facts(late, Direction.HIGH, 2.0, 1.0, 30).to_dict()
    zh, en = render_all([stored], "zh")[0], render_all([stored], "en")[0]
    assert zh["code"] == en["code"] == "PH-LOAN_DEFAULT-HI"
    assert zh["text"] == "档案中有2笔贷款违约" and en["text"] == "2 loans in default on file"
    old = {"code": "PH-LATE-30", "feature": "x", "points_lost": 4, "text": "old words"}
    assert render_all([old], "zh")[0]["text"] == "old words"
    assert sentence_of(old) == "old words"
    assert sentence_of(stored, "en") == "2 loans in default on file. " + en["advice"] + "."


def test_the_published_catalogue_has_every_code_in_both_languages() -> None:
    document = published()
    assert document["languages"] == ["zh", "en"]
    assert set(document["features"]) == set(FEATURES)
    late = document["features"]["late_30_59_days_12m"]
    assert set(late["directions"]["HI"]) == {"zh", "en"}
    assert feature_title("card_utilisation", "zh") == "信用卡额度使用率"
