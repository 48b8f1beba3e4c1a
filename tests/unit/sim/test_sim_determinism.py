"""Same seed and arguments, same bytes; another seed, another city; chunking changes no data."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from creditcity.sim import SimulationSpec, simulate
from creditcity.sim.block import BLOCK_SIZE

FILES = ("residents.parquet", "records.parquet", "outcomes.parquet")
#: Three blocks, the last one partial.
N = 2 * BLOCK_SIZE + 808


def _run(out: Path, seed: int = 3, chunk_size: int = 65_536) -> Path:
    simulate(SimulationSpec(residents=N, seed=seed, chunk_size=chunk_size), out)
    return out


@pytest.fixture(scope="module")
def first(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _run(tmp_path_factory.mktemp("first"))


def test_the_same_seed_and_arguments_give_byte_identical_files(first: Path, tmp_path: Path) -> None:
    again = _run(tmp_path)
    for name in FILES:
        assert (again / name).read_bytes() == (first / name).read_bytes(), name


def test_another_seed_gives_other_people_and_other_records(first: Path, tmp_path: Path) -> None:
    other = _run(tmp_path, seed=4)
    ids = set(pq.read_table(first / "residents.parquet").column("national_id").to_pylist())
    other_ids = set(pq.read_table(other / "residents.parquet").column("national_id").to_pylist())
    assert not ids & other_ids
    assert (other / "records.parquet").read_bytes() != (first / "records.parquet").read_bytes()


def test_the_chunk_size_changes_row_groups_but_not_a_single_value(
    first: Path, tmp_path: Path
) -> None:
    small = _run(tmp_path, chunk_size=1000)
    for name in FILES:
        assert pq.read_table(small / name).equals(pq.read_table(first / name)), name
    assert pq.ParquetFile(small / "records.parquet").metadata.num_row_groups == 3
    assert pq.ParquetFile(first / "records.parquet").metadata.num_row_groups == 1


def test_a_bigger_city_extends_a_smaller_one_with_the_same_seed(
    first: Path, tmp_path: Path
) -> None:
    """Blocks are the unit of randomness: the first residents do not depend on N."""
    smaller = tmp_path / "smaller"
    simulate(SimulationSpec(residents=BLOCK_SIZE, seed=3), smaller)
    head = pq.read_table(first / "residents.parquet").slice(0, BLOCK_SIZE)
    assert pq.read_table(smaller / "residents.parquet").equals(head)
    records = pq.read_table(smaller / "records.parquet")
    assert pq.read_table(first / "records.parquet").slice(0, records.num_rows).equals(records)
