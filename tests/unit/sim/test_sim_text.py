"""Fixed-width strings built from byte matrices read back as the strings they encode."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from creditcity.sim.text import digits, join, rows, strings, table_of


@given(values=st.lists(st.integers(0, 10**12 - 1), max_size=50), width=st.integers(12, 14))
def test_digits_are_the_zero_padded_decimal_form(values: list[int], width: int) -> None:
    matrix = digits(np.array(values, dtype=np.int64), width)
    assert [bytes(r).decode() for r in matrix] == [f"{v:0{width}d}" for v in values]


@given(values=st.lists(st.integers(0, 99_999), min_size=1, max_size=20))
def test_odd_widths_work_too(values: list[int]) -> None:
    matrix = digits(np.array(values, dtype=np.int64), 5)
    assert [bytes(r).decode() for r in matrix] == [f"{v:05d}" for v in values]


def test_a_value_that_does_not_fit_is_refused_rather_than_truncated() -> None:
    with pytest.raises(ValueError, match="6 digits"):
        digits(np.array([1_000_000]), 6)
    with pytest.raises(ValueError):
        digits(np.array([-1]), 6)


@given(
    words=st.lists(st.text("abcdef0123", min_size=4, max_size=4), min_size=1, max_size=8),
    numbers=st.lists(st.integers(0, 999), min_size=1, max_size=30),
)
def test_joined_parts_read_as_the_concatenated_strings(
    words: list[str], numbers: list[int]
) -> None:
    codes = np.arange(len(numbers)) % len(words)
    table = table_of(tuple(words))
    matrix = join([table[codes], b"-", digits(np.array(numbers), 3)], len(numbers))
    expected = [f"{words[c]}-{n:03d}" for c, n in zip(codes, numbers, strict=True)]
    assert strings(matrix).to_pylist() == expected


@given(valid=st.lists(st.booleans(), min_size=1, max_size=40))
def test_null_rows_take_no_bytes_and_the_valid_rows_keep_their_order(valid: list[bool]) -> None:
    mask = np.array(valid)
    numbers = np.flatnonzero(mask)
    array = strings(digits(numbers, 4), mask)
    assert array.to_pylist() == [f"{i:04d}" if v else None for i, v in enumerate(valid)]
    assert array.null_count == len(valid) - len(numbers)
    array.validate(full=True)


def test_rows_can_be_gathered_by_index_like_strings() -> None:
    matrix = digits(np.array([7, 42, 512]), 4)
    picked = rows(matrix)[np.array([2, 0, 0])]
    assert strings(join([picked], 3)).to_pylist() == ["0512", "0007", "0007"]


def test_words_of_unequal_width_are_refused() -> None:
    with pytest.raises(ValueError, match="one width"):
        table_of(("abc", "de"))
