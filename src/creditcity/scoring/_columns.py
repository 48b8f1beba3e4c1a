"""The one input shape the scoring estimators accept, and its conversion to numpy.

Estimators take ``X`` as either a :class:`pyarrow.Table` or a mapping of column
name to a 1-D array (a ``dict`` of numpy arrays is the fast path). A pandas
DataFrame can be passed as ``{c: df[c].to_numpy() for c in df.columns}`` or
``pyarrow.Table.from_pandas(df)``; pandas itself is never imported here.

Numeric columns become ``float64`` with ``NaN`` for missing. Text columns are
dictionary-encoded by Arrow (much faster than ``np.unique`` on Python strings)
into integer codes with ``-1`` for missing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from creditcity.errors import InputRejected, Problem

#: What ``fit``/``transform`` accept as ``X``.
Table: TypeAlias = "pa.Table | Mapping[str, Any]"

FloatArray: TypeAlias = npt.NDArray[np.float64]
IntArray: TypeAlias = npt.NDArray[np.int64]


def column_names(X: Table) -> list[str]:
    """Column names in table order."""
    if isinstance(X, pa.Table):
        return list(X.column_names)
    return list(X.keys())


def n_rows(X: Table) -> int:
    """Number of rows; every column of a mapping must have the same length."""
    if isinstance(X, pa.Table):
        return int(X.num_rows)
    lengths = {name: len(values) for name, values in X.items()}
    if len(set(lengths.values())) > 1:
        raise InputRejected(
            "columns of X have different lengths",
            problems=[Problem(f"{n} rows", field=name) for name, n in lengths.items()],
        )
    return next(iter(lengths.values()), 0)


def _raw(X: Table, name: str) -> pa.ChunkedArray | np.ndarray[Any, Any]:
    try:
        if isinstance(X, pa.Table):
            return X.column(name)
        return np.asarray(X[name])
    except KeyError:
        raise InputRejected(
            f"X has no column '{name}'",
            problems=[Problem("column missing", field=name, expected="the columns seen in fit")],
        ) from None


def is_numeric(X: Table, name: str) -> bool:
    """True when a column holds numbers (or booleans) rather than text."""
    raw = _raw(X, name)
    if isinstance(raw, pa.ChunkedArray):
        kind = raw.type
        return bool(
            pa.types.is_integer(kind)
            or pa.types.is_floating(kind)
            or pa.types.is_boolean(kind)
            or pa.types.is_decimal(kind)
        )
    return raw.dtype.kind in "biuf"


def numeric_values(X: Table, name: str) -> FloatArray:
    """The column as float64, missing values as NaN."""
    raw = _raw(X, name)
    if isinstance(raw, pa.ChunkedArray):
        raw = raw.cast(pa.float64()).to_numpy()
    if raw.dtype.kind not in "biuf":
        raise InputRejected(
            f"column '{name}' was declared numeric but holds {raw.dtype} values",
            problems=[
                Problem("not numeric", field=name, expected="numbers, or kind='categorical'")
            ],
        )
    return np.asarray(raw, dtype=np.float64)


def _as_arrow_strings(raw: pa.ChunkedArray | np.ndarray[Any, Any]) -> pa.Array:
    if isinstance(raw, pa.ChunkedArray):
        arr = raw.combine_chunks()
    elif raw.dtype.kind in "biuf":
        arr = pa.array(raw, from_pandas=True)
    else:
        try:
            arr = pa.array(raw, from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            # mixed Python objects: compare them by their text
            arr = pa.array([None if _missing(v) else str(v) for v in raw], type=pa.string())
    if pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_decode()
    if not pa.types.is_string(arr.type) and not pa.types.is_large_string(arr.type):
        arr = _format_numbers(arr) if _is_number_type(arr.type) else arr.cast(pa.string())
    return arr


def _is_number_type(kind: pa.DataType) -> bool:
    return bool(pa.types.is_integer(kind) or pa.types.is_floating(kind))


def _format_numbers(arr: pa.Array) -> pa.Array:
    """Integral floats print as '3', not '3.0', so a category reads the same from CSV or numpy."""
    if pa.types.is_floating(arr.type):
        values = arr.to_numpy(zero_copy_only=False)
        whole = np.isfinite(values) & (np.floor(values) == values)
        if bool(np.all(whole | np.isnan(values))):
            arr = pc.cast(arr, pa.int64())
    return arr.cast(pa.string())


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def categorical_codes(X: Table, name: str) -> tuple[IntArray, list[str]]:
    """Integer codes (``-1`` = missing) and the category text each code stands for."""
    encoded = _as_arrow_strings(_raw(X, name)).dictionary_encode()
    codes = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    return codes, [str(c) for c in encoded.dictionary.to_pylist()]


def target_vector(y: Any, n: int) -> IntArray:
    """``y`` as 0/1 int64 (1 = the event, i.e. default); both classes must be present."""
    arr = np.asarray(y.to_numpy() if isinstance(y, pa.ChunkedArray | pa.Array) else y)
    if arr.ndim != 1 or arr.shape[0] != n:
        raise InputRejected(
            f"y has shape {arr.shape}; expected one 0/1 value per row of X ({n} rows)"
        )
    if arr.dtype.kind == "b":
        arr = arr.astype(np.int64)
    if arr.dtype.kind not in "iuf" or not np.isin(arr, (0, 1)).all():
        raise InputRejected("y must hold only 0 (no event) and 1 (event, e.g. default)")
    out = arr.astype(np.int64)
    if out.min() == out.max():
        raise InputRejected(
            f"y holds only the value {int(out[0])}; fitting needs both events and non-events"
        )
    return out
