"""The three files have their documented schemas; records.parquet is the ledger's import format."""

from __future__ import annotations

from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from tests.unit.sim.conftest import CITY_RESIDENTS, City

from creditcity.domain.records import ENTRY_TYPES, IMPORT_COLUMNS
from creditcity.sim import DEFAULT_AS_OF, SimulationSpec

RESIDENT_COLUMNS = {
    "national_id": pa.string(),
    "home_city": pa.string(),
    "group": pa.string(),
    "file_depth": pa.string(),
    "latent": pa.float64(),
    "chronic_defaulter": pa.bool_(),
    "fraudster": pa.bool_(),
    "moved_to": pa.string(),
}


def test_records_have_exactly_the_import_columns_in_order_with_ledger_types(city: City) -> None:
    expected = [c for c in IMPORT_COLUMNS if c != "subject"]
    assert city.records.column_names == expected
    for field in city.records.schema:
        assert field.type == ENTRY_TYPES.get(field.name, pa.string()), field.name
    assert city.records.schema.field("occurred_at").type == pa.timestamp("us")


def test_residents_file_has_one_row_per_resident_with_ground_truth_columns(city: City) -> None:
    assert dict(zip(city.residents.column_names, city.residents.schema.types, strict=True)) == (
        RESIDENT_COLUMNS
    )
    assert city.residents.num_rows == CITY_RESIDENTS
    ids = city.residents.column("national_id")
    assert len(ids.unique()) == CITY_RESIDENTS


def test_outcomes_file_labels_every_resident_once_at_the_training_and_the_as_of_date(
    city: City,
) -> None:
    outcomes = city.outcomes
    assert outcomes.schema == pa.schema(
        [("national_id", pa.string()), ("as_of", pa.date32()), ("defaulted", pa.bool_())]
    )
    training = SimulationSpec(1).training_as_of
    assert training < DEFAULT_AS_OF
    for day in (training, DEFAULT_AS_OF):
        assert _vintage(city, day).column("national_id").to_pylist() == (
            city.residents.column("national_id").to_pylist()
        )
    assert outcomes.num_rows == 2 * city.residents.num_rows
    assert outcomes.column("defaulted").null_count == 0


def test_the_two_outcome_windows_agree_more_often_than_chance(city: City) -> None:
    earlier = np.array(_vintage(city, SimulationSpec(1).training_as_of).column("defaulted"))
    later = np.array(_vintage(city, DEFAULT_AS_OF).column("defaulted"))
    assert later[earlier].mean() > 2 * later.mean()


def _vintage(city: City, day: date) -> pa.Table:
    column = city.outcomes.column("as_of")
    return city.outcomes.filter(pc.equal(column, pa.scalar(day, pa.date32())))


def test_every_record_belongs_to_a_resident_of_the_city(city: City) -> None:
    people = set(city.residents.column("national_id").to_pylist())
    assert set(city.records.column("national_id").unique().to_pylist()) <= people


def test_the_summary_counts_what_the_files_hold(city: City) -> None:
    summary = city.summary
    assert summary.residents == city.residents.num_rows
    assert summary.records == city.records.num_rows
    defaulted = sum(_vintage(city, DEFAULT_AS_OF).column("defaulted").to_pylist())
    assert summary.defaulted == defaulted
    assert summary.as_dict()["default_rate"] == round(defaulted / CITY_RESIDENTS, 4)
    assert not list(city.out.glob("*.partial"))
