"""What compute_features accepts, what it refuses, and the shape of what it returns."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from tests.unit.features.entries import ALICE, AS_OF, BOB, CAROL, entry, features, table

from creditcity.errors import InputRejected
from creditcity.features import compute_features, empty_consents, empty_disputed, feature_schema

ROWS = [
    entry(CAROL, "rent_payment", 40, days_late=35),
    entry(ALICE, "utility_bill", 10, days_late=0),
    entry(BOB, "card_statement", 5, ref="c", balance=10.0, credit_limit=100.0),
    entry(ALICE, "loan_default", 100, ref="L"),
]


def _compute(entries: pa.Table | Path, engine: str = "duckdb") -> pa.Table:
    return compute_features(
        entries, as_of=AS_OF, disputed=empty_disputed(), consents=empty_consents(), engine=engine
    )


def test_the_result_has_one_row_per_subject_sorted_and_the_declared_schema() -> None:
    result = _compute(table(ROWS))
    assert result.schema == feature_schema()
    assert result["subject"].to_pylist() == sorted([ALICE, BOB, CAROL])


def test_a_parquet_file_gives_the_same_features_as_the_table(tmp_path: Path) -> None:
    path = tmp_path / "entries.parquet"
    pq.write_table(table(ROWS), path)
    assert _compute(path).equals(_compute(table(ROWS)))


def test_a_directory_of_parquet_files_is_read_as_one_dataset(tmp_path: Path) -> None:
    whole = table(ROWS)
    folder = tmp_path / "entries"
    folder.mkdir()
    pq.write_table(whole.slice(0, 2), folder / "part-0.parquet")
    pq.write_table(whole.slice(2), folder / "part-1.parquet")
    assert _compute(folder).equals(_compute(whole))


def test_wider_integer_types_and_extra_columns_are_accepted() -> None:
    wide = table(ROWS)
    wide = wide.set_column(
        wide.schema.get_field_index("days_late"), "days_late", wide["days_late"].cast(pa.int64())
    )
    wide = wide.append_column("note", pa.array(["x"] * wide.num_rows))
    assert _compute(wide).equals(_compute(table(ROWS)))


def test_a_missing_column_is_refused_with_its_name() -> None:
    with pytest.raises(InputRejected) as caught:
        _compute(table(ROWS).drop_columns(["days_late", "kind"]))
    assert [p.field for p in caught.value.problems] == ["kind", "days_late"]
    assert "missing" in str(caught.value)


def test_a_column_of_the_wrong_type_is_refused_with_the_expected_type() -> None:
    bad = table(ROWS)
    bad = bad.set_column(
        bad.schema.get_field_index("amount"), "amount", bad["amount"].cast(pa.string())
    )
    with pytest.raises(InputRejected) as caught:
        _compute(bad)
    assert caught.value.problems[0].field == "amount"
    assert caught.value.problems[0].expected == "double"


def test_a_path_that_does_not_exist_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputRejected, match="not found"):
        _compute(tmp_path / "nowhere.parquet")


def test_an_unknown_engine_is_refused_naming_the_known_ones() -> None:
    with pytest.raises(InputRejected) as caught:
        _compute(table(ROWS), engine="polars")
    assert "duckdb" in str(caught.value) and "spark" in str(caught.value)


def test_malformed_consents_are_refused() -> None:
    with pytest.raises(InputRejected, match="consents"):
        compute_features(
            table(ROWS),
            as_of=AS_OF,
            disputed=empty_disputed(),
            consents=pa.table({"subject": [ALICE]}),
        )


def test_an_empty_file_gives_an_empty_table_of_the_same_schema() -> None:
    result = _compute(table([]))
    assert result.num_rows == 0 and result.schema == feature_schema()


def test_the_same_call_twice_gives_the_same_answer() -> None:
    assert features(ROWS) == features(ROWS)
