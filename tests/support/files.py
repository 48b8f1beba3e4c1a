"""Write rows to CSV, JSON Lines or Parquet import files."""

from __future__ import annotations

import csv
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from creditcity.domain.records import IMPORT_COLUMNS

TYPES = {
    "occurred_at": pa.timestamp("us"),
    "amount": pa.float64(),
    "balance": pa.float64(),
    "credit_limit": pa.float64(),
    "days_late": pa.int32(),
}


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, datetime) else str(value)


def write_rows(rows: list[dict[str, Any]], path: Path) -> Path:
    columns = [c for c in IMPORT_COLUMNS if any(c in r for r in rows)] or ["source"]
    if path.suffix == ".csv":
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(columns)
            writer.writerows([[_text(r.get(c)) for c in columns] for r in rows])
    elif path.suffix == ".jsonl":
        with path.open("w", encoding="utf-8") as handle:
            for row in rows:
                handle.write(
                    json.dumps(
                        {k: _text(v) if isinstance(v, datetime) else v for k, v in row.items()}
                    )
                    + "\n"
                )
    else:
        table = pa.table({c: _column(c, [r.get(c) for r in rows]) for c in columns})
        pq.write_table(table, path)
    return path


def _column(name: str, values: list[Any]) -> pa.Array:
    """Typed as the simulator writes it; as text when a value does not fit the type."""
    try:
        typed = [
            datetime.fromisoformat(v) if name == "occurred_at" and isinstance(v, str) else v
            for v in values
        ]
        return pa.array(typed, TYPES.get(name, pa.string()))
    except (ValueError, TypeError, pa.ArrowException):
        return pa.array([None if v is None else str(v) for v in values], pa.string())
