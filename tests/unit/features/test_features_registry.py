"""The registry: every feature declared once, named within the charter."""

from __future__ import annotations

import pyarrow as pa
import pytest

from creditcity.domain.catalogue import Dimension
from creditcity.domain.charter import forbidden_category
from creditcity.errors import CharterViolation
from creditcity.features import FEATURES, Grain, feature_schema
from creditcity.features.definitions import Feature, _registry
from creditcity.features.obligations import OBLIGATIONS
from creditcity.features.sql import DUCKDB, SPARK, features_query, kinds_relation


@pytest.mark.parametrize("name", list(FEATURES))
def test_every_feature_name_passes_the_charter(name: str) -> None:
    assert forbidden_category(name) is None


def test_every_obligation_column_name_passes_the_charter() -> None:
    for relation in OBLIGATIONS.values():
        assert [c for c in relation.columns if forbidden_category(c)] == []


def test_a_feature_named_after_a_forbidden_attribute_is_refused() -> None:
    bad = Feature("applicant_age_months", Dimension.HISTORY_LENGTH, "x", Grain.ENTRIES, "COUNT(*)")
    with pytest.raises(CharterViolation, match="applicant_age_months"):
        _registry((bad,))


def test_a_feature_declared_twice_is_refused() -> None:
    feature = next(iter(FEATURES.values()))
    with pytest.raises(ValueError, match="declared twice"):
        _registry((feature, feature))


def test_only_features_of_shared_data_are_one_sided_and_all_of_them_are() -> None:
    assert {f.name for f in FEATURES.values() if f.one_sided} == {
        "investment_holdings_total",
        "monthly_spending_variation",
    }
    lying = Feature(
        "card_count",
        Dimension.OBLIGATIONS_CAPACITY,
        "x",
        Grain.CARDS,
        "COUNT(*)",
        one_sided=True,
    )
    with pytest.raises(ValueError, match="one-sided"):
        _registry((lying,))


def test_the_registry_covers_every_dimension_with_20_to_35_features() -> None:
    assert 20 <= len(FEATURES) <= 35
    assert {f.dimension for f in FEATURES.values()} == set(Dimension)


def test_the_output_schema_is_subject_then_every_feature_in_registry_order() -> None:
    schema = feature_schema()
    assert schema.names == ["subject", *FEATURES]
    assert schema.field("late_30_59_days_12m").type == pa.int64()
    assert schema.field("card_utilisation").type == pa.float64()


def test_the_two_dialects_differ_only_in_day_numbers_and_input_names() -> None:
    duck = features_query(DUCKDB, as_of_day=20_000)
    spark = features_query(SPARK, as_of_day=20_000)
    for text in (duck, spark):
        assert "{as_of}" not in text and "20000" in text
        assert kinds_relation() in text
    normalised = spark.replace("unix_date(CAST(", "DAYNUM(").replace(" AS DATE))", ")")
    duck_normalised = duck.replace("(CAST(", "DAYNUM(").replace(
        " AS DATE) - DATE '1970-01-01')", ")"
    )
    for name in ("entries", "disputed", "consents"):
        normalised = normalised.replace("{" + name + "}", name)
    assert normalised == duck_normalised
