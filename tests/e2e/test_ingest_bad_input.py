"""Every class of bad input gets exit code 1 and a message naming row and field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from tests.support.files import write_rows
from typer.testing import CliRunner

from creditcity.cli import app

GOOD = {
    "source": "bank:west-lake",
    "idempotency_key": "k1",
    "national_id": "330106199001011234",
    "kind": "loan_instalment_paid",
    "occurred_at": "2025-03-01",
    "ref": "L1",
    "amount": 500,
    "days_late": 0,
}


def _run(tmp_path: Path, path: Path) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(
        app, ["ingest", str(path), "--json", "--database-url", f"sqlite:///{tmp_path}/l.db"]
    )
    return result.exit_code, json.loads(result.stdout)


def _problems(report: dict[str, Any]) -> list[tuple[str, str]]:
    return [(p["where"], p["field"]) for f in report["files"] for p in f["problems"]]


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"kind": "loan_bogus"}, "kind", "unknown record kind"),
        ({"amount": "twelve"}, "amount", "not a number"),
        ({"days_late": "1.5"}, "days_late", "whole number"),
        ({"occurred_at": "2031-01-01"}, "occurred_at", "future"),
        ({"occurred_at": "31/01/2024"}, "occurred_at", "not a date"),
        ({"amount": -20}, "amount", "between 0"),
        ({"national_id": ""}, "national_id", "missing"),
        ({"idempotency_key": ""}, "idempotency_key", "missing"),
        ({"source": "court:people"}, "source", "may not submit"),
        ({"ref": ""}, "ref", "required"),
    ],
)
@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_a_bad_value_is_rejected_with_row_and_field_and_good_rows_are_kept(
    tmp_path: Path, change: dict[str, Any], field: str, words: str, suffix: str
) -> None:
    rows = [dict(GOOD), {**GOOD, "idempotency_key": "k2", **change}]
    code, report = _run(tmp_path, write_rows(rows, tmp_path / f"in{suffix}"))
    assert code == 1
    assert (report["accepted"], report["rejected"]) == (1, 1)
    row = 2 if suffix != ".csv" else 3  # CSV rows count the header line
    assert (f"{tmp_path / f'in{suffix}'} row {row}", field) in _problems(report)
    assert any(words in p["message"] for f in report["files"] for p in f["problems"])


def test_a_file_with_a_charter_forbidden_column_is_rejected_whole(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text(
        "source,idempotency_key,national_id,kind,occurred_at,ref,amount,gender\n"
        "bank:b,k,330106199001011234,loan_opened,2024-01-01,L,9,f\n"
    )
    code, report = _run(tmp_path, path)
    assert code == 1 and report["accepted"] == 0
    assert (
        "gender" in p["field"] and "sex or gender" in p["message"]
        for p in report["files"][0]["problems"]
    )
    assert report["files"][0]["file_rejected"]


def test_a_row_that_is_not_utf8_is_rejected_and_named(tmp_path: Path) -> None:
    path = write_rows([GOOD, {**GOOD, "idempotency_key": "k2"}], tmp_path / "in.csv")
    lines = path.read_bytes().splitlines(keepends=True)
    lines[2] = lines[2].replace(b"west-lake", "wést-lake".encode("latin-1"))
    path.write_bytes(b"".join(lines))
    code, report = _run(tmp_path, path)
    assert code == 1 and report["accepted"] == 1 and report["rejected"] == 1
    assert "UTF-8" in report["files"][0]["problems"][0]["message"]
    assert report["files"][0]["problems"][0]["where"].endswith("row 3")


def test_a_utf16_file_is_rejected_with_how_to_fix_it(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text("source,kind\nbank:b,loan_opened\n", encoding="utf-16")
    code, report = _run(tmp_path, path)
    problem = report["files"][0]["problems"][0]
    assert code == 1 and "UTF-16" in problem["message"] and "UTF-8" in problem["expected"]


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("in.parquet", b"PAR1 this is not parquet", "not a readable Parquet file"),
        ("in.jsonl", b'{"source": "bank:b", "kind": \n', "not JSON"),
        ("in.jsonl", b"[1, 2]\n", "not a JSON object"),
        ("in.csv", b"", "empty"),
        ("in.xlsx", b"PK", "unsupported file type"),
        (
            "in.csv",
            b"source,idempotency_key,national_id,kind,occurred_at\nbank:b,k,1\n",
            "has 3 fields",
        ),
    ],
)
def test_a_malformed_file_is_reported_not_a_traceback(
    tmp_path: Path, name: str, content: bytes, words: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    code, report = _run(tmp_path, path)
    assert code == 1
    assert any(words in p["message"] for p in report["files"][0]["problems"])


def test_a_parquet_file_with_a_text_amount_column_is_validated_row_by_row(tmp_path: Path) -> None:
    table = pa.table({k: pa.array([str(v), str(v)]) for k, v in GOOD.items()})
    table = table.set_column(
        table.column_names.index("idempotency_key"), "idempotency_key", pa.array(["a", "b"])
    )
    table = table.set_column(
        table.column_names.index("amount"), "amount", pa.array(["500", "lots"])
    )
    pq.write_table(table, tmp_path / "in.parquet")
    code, report = _run(tmp_path, tmp_path / "in.parquet")
    assert code == 1 and report["accepted"] == 1
    assert _problems(report) == [(f"{tmp_path / 'in.parquet'} row 2", "amount")]
