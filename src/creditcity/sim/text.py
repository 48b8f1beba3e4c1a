"""Fixed-width ASCII strings built as byte matrices: how a billion keys get written fast.

Every generated identifier (national ID, idempotency key, ``ref``) has a fixed
width, so a column of them is an ``(n, width)`` uint8 matrix whose rows are
the strings. Arrow takes that matrix as the data buffer of a string array
with evenly spaced offsets: no Python string is ever created.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

U8 = npt.NDArray[np.uint8]
I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]

#: "00".."99" as little-endian uint16 pairs of ASCII digits.
_PAIRS = np.array([(48 + i // 10) | ((48 + i % 10) << 8) for i in range(100)], dtype=np.uint16)

#: A piece of a text column: a constant, an ``(n, w)`` byte matrix, or a vector of ``V<w>`` rows.
Part = bytes | npt.NDArray[Any]


def digits(values: npt.NDArray[np.integer[Any]], width: int) -> U8:
    """Zero-padded decimal digits of non-negative ``values`` as an ``(n, width)`` matrix."""
    if len(values) and (values.min() < 0 or values.max() >= 10**width):
        raise ValueError(f"values must lie in [0, 10**{width}) to be written in {width} digits")
    out = np.empty((len(values), width + width % 2), dtype=np.uint8)
    pairs = out.view(np.uint16)
    x = values.astype(np.int64)
    for j in range(pairs.shape[1] - 1, -1, -1):
        x, r = np.divmod(x, 100)
        pairs[:, j] = _PAIRS[r]
    return out[:, width % 2 :] if width % 2 else out


def rows(matrix: U8) -> npt.NDArray[np.void]:
    """An ``(n, w)`` byte matrix as a vector of ``n`` opaque ``w``-byte rows (cheap to gather)."""
    contiguous = np.ascontiguousarray(matrix)
    return contiguous.view(f"V{contiguous.shape[1]}").ravel()


def table_of(words: tuple[str, ...]) -> npt.NDArray[np.void]:
    """Equal-width words as rows to gather by code."""
    widths = {len(w) for w in words}
    if len(widths) != 1:
        raise ValueError(f"words must share one width, got {sorted(widths)}")
    matrix = np.frombuffer("".join(words).encode("ascii"), dtype=np.uint8)
    return rows(matrix.reshape(len(words), -1))


def _width(part: Part) -> int:
    if isinstance(part, bytes):
        return len(part)
    return part.shape[1] if part.ndim == 2 else part.dtype.itemsize


def join(parts: list[Part], n: int) -> U8:
    """Concatenate per-row pieces and constant separators into one ``(n, width)`` matrix.

    The pieces are fields of one structured array, so each is one contiguous
    copy rather than a strided byte-by-byte one.
    """
    widths = [_width(p) for p in parts]
    layout = np.dtype([(f"f{i}", f"V{w}") for i, w in enumerate(widths)])
    out = np.empty(n, dtype=layout)
    for i, part in enumerate(parts):
        if isinstance(part, bytes):
            out[f"f{i}"] = np.void(part)
        else:
            out[f"f{i}"] = rows(part) if part.ndim == 2 else part
    return out.view(np.uint8).reshape(n, sum(widths))


def strings(matrix: U8, valid: B | None = None) -> pa.Array:
    """A string array from fixed-width rows.

    Without ``valid``, row ``i`` of the array is ``matrix[i]``. With it, the
    array has ``len(valid)`` rows, null where ``valid`` is False, and
    ``matrix`` holds only the valid rows, in order (nulls take no bytes).
    """
    width = matrix.shape[1]
    data = np.ascontiguousarray(matrix)
    if valid is None:
        n = matrix.shape[0]
        offsets = np.arange(0, (n + 1) * width, width, dtype=np.int64)
        bitmap = None
        nulls = 0
    else:
        n = len(valid)
        offsets = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(valid * width, out=offsets[1:])
        nulls = int(n - np.count_nonzero(valid))
        bitmap = pa.py_buffer(np.packbits(valid, bitorder="little")) if nulls else None
    if offsets[-1] >= 2**31:
        raise ValueError("too many bytes for one string array; use a smaller chunk")
    buffers = [bitmap, pa.py_buffer(offsets.astype(np.int32)), pa.py_buffer(data)]
    return pa.Array.from_buffers(pa.string(), n, buffers, null_count=nulls)
