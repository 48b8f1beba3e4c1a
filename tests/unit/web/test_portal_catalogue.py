"""The portal's words: every message has its Chinese, every id people see has words."""

from __future__ import annotations

from importlib.resources import files

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from creditcity.domain.catalogue import CATALOGUE, FIELD_TYPES, ITEMS
from creditcity.domain.policy import default_policy
from creditcity.features.definitions import FEATURES as FEATURE_REGISTRY
from creditcity.web import words
from creditcity.web.i18n import Speaker, catalogue_path


def _catalogue() -> dict[str, str]:
    with catalogue_path().open("rb") as source:
        return {m.id: m.string for m in read_po(source) if m.id}


def _extracted() -> set[str]:
    web = str(files("creditcity.web"))
    method_map = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
    options = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n", "trimmed": "true"}}
    found = set()
    for _, _, message, _, _ in extract_from_dir(web, method_map, options):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def test_every_message_the_portal_says_has_a_chinese_translation() -> None:
    catalogue = _catalogue()
    used = _extracted()
    assert len(used) > 200, "extraction found too little: the method map is wrong"
    assert sorted(m for m in used if not catalogue.get(m)) == []


def test_every_record_kind_field_item_feature_and_service_has_words() -> None:
    policy = default_policy()
    assert sorted(set(CATALOGUE) - set(words.KINDS)) == []
    assert sorted(set(FIELD_TYPES) - set(words.FIELDS)) == []
    assert sorted(set(ITEMS) - set(words.ITEMS)) == []
    assert sorted(set(FEATURE_REGISTRY) - set(words.FEATURES)) == []
    assert sorted(set(policy.services) - set(words.SERVICES)) == []
    assert sorted({t.name for t in policy.tiers} - set(words.TIERS)) == []


def test_chinese_dates_money_and_percentages_read_as_people_write_them() -> None:
    zh, en = Speaker("zh"), Speaker("en")
    assert zh.date("2026-06-30") == "2026年6月30日"
    assert en.date("2026-06-30") == "June 30, 2026"
    assert zh.month("2026-06-30") == "2026年6月" and en.month("2026-06-01") == "June 2026"
    assert "¥1,300<" in zh.money(1300) and "¥40.30<" in en.money("40.3")
    assert ">13%<" in zh.percent(0.13)
    assert zh.datetime("2026-06-30T06:05:00") == "2026年6月30日 14:05"
    assert zh.word("KINDS", "pay_later_paid") == "先享后付已还"
    assert zh.source("bank:west-lake") == "银行"
