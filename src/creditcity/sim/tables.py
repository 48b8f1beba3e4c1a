"""Arrow tables and Parquet schemas of the three output files.

Low-cardinality text (source, kind, city, item, service, national ID) is
handed to Parquet as dictionary arrays, which it writes as dictionary pages
directly; the files carry no Arrow schema, so readers see plain ``string``
columns. ``occurred_at`` is ``timestamp[us]`` (no time zone), money is
``float64`` with two decimals, ``days_late`` is ``int32``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from creditcity.domain.catalogue import ITEMS
from creditcity.sim.events import Columns
from creditcity.sim.people import People
from creditcity.sim.text import U8, digits, join, rows, strings, table_of
from creditcity.sim.vocab import (
    CITIES,
    CITY_NAMES,
    DEPTHS,
    GROUP_NAMES,
    KINDS,
    REF_PREFIXES,
    SERVICES,
    SOURCES,
    STREAM_KIND_CODE,
    STREAM_PREFIX,
)

I64 = npt.NDArray[np.int64]
_DICT = pa.dictionary(pa.int32(), pa.string())

#: The import format of the ledger (see catalogue.py), as written to records.parquet.
RECORD_SCHEMA = pa.schema(
    [
        ("source", _DICT),
        ("idempotency_key", pa.string()),
        ("national_id", _DICT),
        ("kind", _DICT),
        ("occurred_at", pa.timestamp("us")),
        ("city", _DICT),
        ("supersedes", pa.string()),
        ("ref", pa.string()),
        ("amount", pa.float64()),
        ("balance", pa.float64()),
        ("credit_limit", pa.float64()),
        ("days_late", pa.int32()),
        ("item", _DICT),
        ("service", _DICT),
    ]
)
RESIDENT_SCHEMA = pa.schema(
    [
        ("national_id", pa.string()),
        ("home_city", _DICT),
        ("group", _DICT),
        ("file_depth", _DICT),
        ("latent", pa.float64()),
        ("chronic_defaulter", pa.bool_()),
        ("fraudster", pa.bool_()),
        ("moved_to", _DICT),
    ]
)
OUTCOME_SCHEMA = pa.schema(
    [("national_id", pa.string()), ("as_of", pa.date32()), ("defaulted", pa.bool_())]
)

_REGIONS = table_of(tuple(c[1] for c in CITIES))
_STREAM_TEXT = table_of(STREAM_PREFIX)
_REF_TEXT = table_of(REF_PREFIXES)
_KIND_OF_STREAM = np.asarray(STREAM_KIND_CODE, dtype=np.int32)


def coded(codes: npt.NDArray[Any], words: tuple[str, ...]) -> pa.DictionaryArray:
    """Codes into ``words`` as a dictionary array; negative codes are null."""
    missing = codes < 0
    indices = pa.array(codes.astype(np.int32), mask=missing if missing.any() else None)
    return pa.DictionaryArray.from_arrays(indices, pa.array(words, pa.string()))


def national_ids(people: People) -> U8:
    """18-character IDs: the home city's region code and the resident's 12-digit serial."""
    return join([_REGIONS[people.city], digits(people.serial, 12)], len(people))


def _keys(
    prefixes: npt.NDArray[np.void],
    codes: npt.NDArray[Any],
    serials: U8,
    res: npt.NDArray[Any],
    numbers: npt.NDArray[Any],
) -> U8:
    """``abc-<serial>-<number>``: 23 characters, unique per (prefix, resident, number)."""
    n = len(res)
    return join([prefixes[codes], b"-", rows(serials)[res], b"-", digits(numbers, 6)], n)


def records_table(events: Columns, people_ids: U8, serials: U8) -> pa.Table:
    """The chunk's records; ``people_ids`` and ``serials`` are per-resident byte matrices."""
    res = events["res"]
    has_ref = events["ref_prefix"] >= 0
    has_sup = events["sup_stream"] >= 0
    at_ref, at_sup = np.flatnonzero(has_ref), np.flatnonzero(has_sup)
    ref = _keys(
        _REF_TEXT, events["ref_prefix"][at_ref], serials, res[at_ref], events["refno"][at_ref]
    )
    sup = _keys(
        _STREAM_TEXT, events["sup_stream"][at_sup], serials, res[at_sup], events["sup_k"][at_sup]
    )
    key = _keys(_STREAM_TEXT, events["stream"], serials, res, events["k"])
    columns = [
        coded(events["source"], SOURCES),
        strings(key),
        pa.DictionaryArray.from_arrays(pa.array(res), strings(people_ids)),
        pa.DictionaryArray.from_arrays(
            pa.array(_KIND_OF_STREAM[events["stream"]]), pa.array(KINDS)
        ),
        pa.array(events["t"], type=pa.timestamp("us")),
        coded(events["city"], CITY_NAMES),
        strings(sup, has_sup),
        strings(ref, has_ref),
        _money(events["amount"]),
        _money(events["balance"]),
        _money(events["credit_limit"]),
        _days(events["days_late"]),
        coded(events["item"], ITEMS),
        coded(events["service"], SERVICES),
    ]
    return pa.Table.from_arrays(columns, schema=RECORD_SCHEMA)


def _money(values: npt.NDArray[Any]) -> pa.Array:
    missing = np.isnan(values)
    return pa.array(values, mask=missing if missing.any() else None)


def _days(values: npt.NDArray[Any]) -> pa.Array:
    missing = values < 0
    return pa.array(values, type=pa.int32(), mask=missing if missing.any() else None)


def residents_table(people: People, ids: U8) -> pa.Table:
    columns = [
        strings(ids),
        coded(people.city, CITY_NAMES),
        coded(people.group, GROUP_NAMES),
        coded(people.depth, DEPTHS),
        pa.array(people.z),
        pa.array(people.chronic),
        pa.array(people.fraudster),
        coded(people.moved_city, CITY_NAMES),
    ]
    return pa.Table.from_arrays(columns, schema=RESIDENT_SCHEMA)


def outcomes_table(
    ids: U8,
    training_days: int,
    training: npt.NDArray[np.bool_],
    as_of_days: int,
    defaulted: npt.NDArray[np.bool_],
) -> pa.Table:
    """Two rows per resident, training vintage first: the order never depends on chunking."""
    n = len(defaulted)
    order = np.arange(2 * n) // 2
    days = np.tile(np.array([training_days, as_of_days], dtype=np.int32), n)
    labels = np.empty(2 * n, dtype=np.bool_)
    labels[0::2], labels[1::2] = training, defaulted
    columns = [strings(ids).take(pa.array(order)), pa.array(days, type=pa.date32()), labels]
    return pa.Table.from_arrays(
        [columns[0], columns[1], pa.array(columns[2])], schema=OUTCOME_SCHEMA
    )
