"""The charter guard by values: a column of sex or marital codes is refused whatever its name."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from creditcity.domain.charter import value_category
from creditcity.domain.charter_columns import screen_columns
from creditcity.services.column_guard import categorical_values
from creditcity.services.train_table import read_training_table

GERMAN = Path(__file__).parents[4] / "shared" / "data" / "germancredit.csv"
SEX, MARITAL = "sex or gender", "marital or family status"


@pytest.mark.parametrize(
    ("values", "category"),
    [
        (["M", "F"], SEX),
        (["M", "F", "XNA"], SEX),
        (["male", "female", "unknown"], SEX),
        (["Male", "Female"], SEX),
        (["男", "女"], SEX),
        (["single", "married", "divorced"], MARITAL),
        (["Civil marriage", "Married", "Single / not married", "Separated", "Widow"], MARITAL),
        (["未婚", "已婚", "离异"], MARITAL),
        (["male : single", "female : divorced/separated/married", "male : married/widowed"], SEX),
    ],
)
def test_a_column_of_sex_or_marital_codes_is_recognised_by_its_values(
    values: list[str], category: str
) -> None:
    assert value_category(values) == category


@pytest.mark.parametrize(
    "values",
    [
        ["S", "M", "L", "XL"],  # one sex code among sizes
        ["Individual", "Joint App"],
        ["single", "joint"],  # a loan's application type
        ["own", "rent", "for free"],
        ["none", "co-applicant", "guarantor"],
        ["Unaccompanied", "Family", "Spouse, partner", "Children", "Other_A", "Group of people"],
        ["A", "B", "C", "D", "E", "F", "G"],  # Lending Club grades
        [],
        ["unknown", "XNA"],
    ],
)
def test_ordinary_categorical_columns_are_not_taken_for_codes(values: list[str]) -> None:
    assert value_category(values) is None


@given(st.lists(st.sampled_from(["A", "B", "C", "D", "E", "G", "H"]), max_size=30))
def test_adding_m_and_f_to_a_few_other_codes_makes_a_sex_column_only_when_they_dominate(
    others: list[str],
) -> None:
    values = [*others, "M", "F"]
    distinct = len(set(others) | {"m", "f"})
    expected = SEX if 0.6 * distinct <= 2 else None
    assert value_category(values) == expected


def test_a_renamed_sex_column_is_refused_by_its_values_and_the_refusal_quotes_them() -> None:
    table = pa.table({"a1": ["M", "F", "F", "M"], "a2": [1.0, 2.0, 3.0, 4.0]})
    screen = screen_columns(table.column_names, categorical_values(table))
    assert [(f.name, f.category, f.evidence) for f in screen.flags] == [("a1", SEX, "values")]
    message = screen.problems("t.csv")[0].message
    assert "'F', 'M'" in message and "--exclude a1" in message and "--columns FILE" in message


def test_the_german_credit_data_is_refused_on_exactly_its_four_columns_names_and_values_alike() -> (
    None
):
    if not GERMAN.is_file():
        pytest.skip("the German credit data is not beside this checkout")
    table = read_training_table(GERMAN)
    features = [c for c in table.column_names if c != "creditability"]
    screen = screen_columns(features, categorical_values(table))
    assert sorted(f.name for f in screen.flags) == sorted(
        ["job", "personal_status_and_sex", "foreign_worker", "age_in_years"]
    )
    values = categorical_values(table)
    assert value_category(values["personal_status_and_sex"]) == SEX
