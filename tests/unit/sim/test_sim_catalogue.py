"""Every generated record is one the ledger accepts: the catalogue's rules, row by row."""

from __future__ import annotations

from datetime import datetime, time

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
from tests.unit.sim.conftest import City

from creditcity.domain.bulk_validation import passing_rows
from creditcity.domain.catalogue import CATALOGUE, FIELD_TYPES, ITEMS, SERVICE_IDS, source_role
from creditcity.domain.records import validate_row
from creditcity.domain.subjects import is_national_id
from creditcity.sim import DEFAULT_AS_OF
from creditcity.sim.timeline import years_before


def _by_kind(records: pa.Table) -> dict[str, pa.Table]:
    return {
        k: records.filter(pc.equal(records.column("kind"), k))
        for k in records.column("kind").unique().to_pylist()
    }


def test_every_kind_is_in_the_catalogue_and_fills_exactly_its_fields(city: City) -> None:
    for kind, rows in _by_kind(city.records).items():
        assert kind in CATALOGUE
        spec = CATALOGUE[kind]
        for field in FIELD_TYPES:
            nulls = rows.column(field).null_count
            if field in spec.required:
                assert nulls == 0, f"{kind}: required field {field} is null"
            elif field not in spec.fields:
                assert nulls == rows.num_rows, f"{kind}: field {field} is not one of its fields"


def test_every_record_kind_is_generated(city: City) -> None:
    assert set(city.records.column("kind").unique().to_pylist()) == set(CATALOGUE) - {
        "deposit_waived"  # written by creditcity's own decisions, not by sources
    }


def test_every_source_is_role_colon_name_with_a_role_allowed_for_the_kind(city: City) -> None:
    pairs = city.records.group_by(["kind", "source"]).aggregate([]).to_pylist()
    for pair in pairs:
        name = pair["source"].partition(":")[2]
        assert name, pair
        assert source_role(pair["source"]) in CATALOGUE[pair["kind"]].sources, pair


def test_money_and_days_are_never_negative_and_codes_come_from_their_lists(city: City) -> None:
    records = city.records
    for field in ("amount", "balance", "credit_limit", "days_late"):
        assert pc.min(records.column(field)).as_py() >= 0, field
    assert set(records.column("item").drop_null().unique().to_pylist()) <= set(ITEMS)
    assert set(records.column("service").drop_null().unique().to_pylist()) <= set(SERVICE_IDS)


def test_every_record_happened_in_the_years_before_as_of(city: City) -> None:
    when = city.records.column("occurred_at")
    start = datetime.combine(years_before(DEFAULT_AS_OF, 3), time())
    assert pc.min(when).as_py() >= start
    assert pc.max(when).as_py() < datetime.combine(DEFAULT_AS_OF, time())


def test_idempotency_keys_are_unique_per_source_and_short_enough(city: City) -> None:
    records = city.records
    distinct = records.group_by(["source", "idempotency_key"]).aggregate([])
    assert distinct.num_rows == records.num_rows
    assert pc.max(pc.utf8_length(records.column("idempotency_key"))).as_py() <= 128


def test_every_national_id_has_the_form_the_ledger_accepts(city: City) -> None:
    ids = city.residents.column("national_id").to_pylist()
    assert all(is_national_id(i) and len(i) == 18 for i in ids)


def test_every_retraction_supersedes_an_earlier_record_of_the_same_source(city: City) -> None:
    numbered = city.records.append_column("row", pa.array(range(city.records.num_rows), pa.int64()))
    con = duckdb.connect()
    con.register("r", numbered)
    retractions, unmatched = con.execute(
        """
        select count(*), count(*) filter (where o.row is null or o.row > n.row
                                          or o.occurred_at > n.occurred_at)
        from r n left join r o
          on o.idempotency_key = n.supersedes and o.source = n.source
        where n.supersedes is not null
        """
    ).fetchone() or (0, 0)
    assert retractions > 0
    assert unmatched == 0
    assert set(
        con.execute("select distinct kind from r where supersedes is not null").fetchall()
    ) == {("retraction",)}


def test_the_ledgers_vectorised_validator_accepts_every_row(city: City) -> None:
    mask = passing_rows(city.records, datetime.now())
    assert mask is not None, "the validator fell back to the row path: a column type is wrong"
    assert pc.all(mask).as_py()


def test_the_ledgers_row_validator_accepts_a_sample_of_every_kind(city: City) -> None:
    for kind, rows in _by_kind(city.records).items():
        for position in range(0, rows.num_rows, max(1, rows.num_rows // 50)):
            row = rows.slice(position, 1).to_pylist()[0]
            outcome = validate_row(row, f"{kind} row {position}", "test-secret", datetime.now())
            assert not isinstance(outcome, list), [p.render() for p in outcome]
