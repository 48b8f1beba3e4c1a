"""The charter guard on how real credit data sets name their columns.

``data/public_credit_columns.txt`` holds the column names of public credit
data sets (German credit, Taiwan default of credit card clients, Give Me
Some Credit, Home Credit, Lending Club, Prosper, the Statlog Australian and
Japanese credit data...), written out by hand, each forbidden one marked
``!``. Every marked column must be refused and every other one must pass.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from creditcity.domain import charter_words
from creditcity.domain.charter import CATEGORIES, forbidden_category

DATA = Path(__file__).parent / "data" / "public_credit_columns.txt"
#: the shared data folder sits beside the checkout
GERMAN = Path(__file__).parents[4] / "shared" / "data" / "germancredit.csv"


def _data_sets() -> dict[str, list[tuple[str, bool]]]:
    sets: dict[str, list[tuple[str, bool]]] = {}
    current: list[tuple[str, bool]] = []
    for line in DATA.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("["):
            current = sets.setdefault(line.strip("[]"), [])
        else:
            current.append((line.removeprefix("!"), line.startswith("!")))
    return sets


DATA_SETS = _data_sets()


@pytest.mark.parametrize("data_set", sorted(DATA_SETS))
def test_the_guard_refuses_exactly_the_forbidden_columns_of_a_public_data_set(
    data_set: str,
) -> None:
    columns = DATA_SETS[data_set]
    refused = {name for name, _ in columns if forbidden_category(name) is not None}
    assert refused == {name for name, forbidden in columns if forbidden}


def test_the_public_data_sets_cover_a_dozen_sources_and_every_forbidden_kind_of_spelling() -> None:
    assert len(DATA_SETS) >= 12
    marked = [name for columns in DATA_SETS.values() for name, bad in columns if bad]
    assert len(marked) >= 80


def test_the_german_credit_file_has_exactly_its_four_forbidden_columns() -> None:
    if not GERMAN.is_file():
        pytest.skip("the German credit data is not beside this checkout")
    with GERMAN.open(encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    flagged = sorted(name for name in header if forbidden_category(name))
    assert flagged == sorted(["job", "personal_status_and_sex", "foreign_worker", "age_in_years"])


@pytest.mark.parametrize(
    ("name", "category"),
    [
        ("SEX", "sex or gender"),
        ("is_male", "sex or gender"),
        ("sex_f", "sex or gender"),
        ("xingbie", "sex or gender"),
        ("MARRIAGE", "marital or family status"),
        ("hunyin", "marital or family status"),
        ("NumberOfDependents", "marital or family status"),
        ("DAYS_BIRTH", "age"),
        ("nianling", "age"),
        ("age", "age"),
        ("emp_title", "occupation or profession"),
        ("zhiye", "occupation or profession"),
        ("minzu", "ethnicity"),
        ("zongjiao", "religion"),
        ("addr_state", "location history"),
        ("OBS_30_CNT_SOCIAL_CIRCLE", "social connections"),
        ("NAME_GOODS_CATEGORY", "categories of things bought"),
        ("jiguan", "nationality or national origin"),
        ("zhengzhi_mianmao", "political views or speech"),
        ("性别", "sex or gender"),
        ("年龄", "age"),
    ],
)
def test_a_forbidden_column_is_refused_under_the_category_it_marks(
    name: str, category: str
) -> None:
    assert forbidden_category(name) == category


@pytest.mark.parametrize(
    "name",
    [
        "age_of_oldest_account",
        "months_since_oldest_trade",
        "OWN_CAR_AGE",
        "credit_age_months",
        "账龄",
        "mortgage_balance",
        "percentage_of_limit_used",
        "present_employment_since",
        "present_residence_since",
        "national_id",
        "original_amount",
        "ListingCategory (numeric)",
        "single_payment_amount",
        "senior_debt_outstanding",
        "city",
    ],
)
def test_a_credit_history_column_that_merely_contains_a_forbidden_word_passes(name: str) -> None:
    assert forbidden_category(name) is None


def test_a_stated_meaning_is_judged_with_the_same_words() -> None:
    assert forbidden_category("the applicant's age in years") == "age"
    assert forbidden_category("age of the oldest account, in months") is None
    assert forbidden_category("申请人的婚姻状况") == "marital or family status"


def test_every_distinctive_word_belongs_to_a_charter_category() -> None:
    words = {word: cat for cat, text in charter_words.WORDS.items() for word in text.split()}
    assert words.keys() >= charter_words.DISTINCTIVE
    assert set(charter_words.CHINESE) <= set(CATEGORIES)
    assert {cat for cat, _, _ in charter_words.PAIRS} <= set(CATEGORIES)
