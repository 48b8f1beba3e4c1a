"""The feature query's shortcuts change how much work is done, never the answer."""

from __future__ import annotations

from datetime import date

import duckdb
import pyarrow as pa
import pytest

from creditcity.features.engine import day_number
from creditcity.features.schema import empty_consents, empty_disputed
from creditcity.features.sql import DUCKDB, features_query
from creditcity.features.synthetic import random_entries

AS_OF = date(2026, 6, 30)


def _run(entries: pa.Table, **options: bool) -> pa.Table:
    with duckdb.connect() as connection:
        connection.register("entries", entries)
        connection.register("disputed", empty_disputed())
        connection.register("consents", empty_consents())
        query = features_query(DUCKDB, as_of_day=day_number(AS_OF), **options)
        return connection.sql(query).to_arrow_table()


def test_an_empty_consent_register_gives_the_same_features_without_the_voluntary_stage() -> None:
    entries = random_entries(residents=300, records=20_000, seed=11, end=AS_OF)
    full = _run(entries, with_consents=True)
    short = _run(entries, with_consents=False)
    assert short.equals(full)
    assert full.column("investment_holdings_total").null_count == full.num_rows


def test_unordered_features_are_the_ordered_ones_in_some_order() -> None:
    entries = random_entries(residents=300, records=20_000, seed=12, end=AS_OF)
    ordered = _run(entries, with_consents=False)
    loose = _run(entries, with_consents=False, ordered=False).sort_by("subject")
    assert loose.column_names == ordered.column_names
    for name in ordered.column_names:
        expected, got = ordered.column(name).to_pylist(), loose.column(name).to_pylist()
        if pa.types.is_floating(ordered.schema.field(name).type):
            # sums of doubles may add up in another order
            assert got == pytest.approx(expected, nan_ok=True), name
        else:
            assert got == expected, name
