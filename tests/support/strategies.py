"""Hypothesis strategies for valid and almost-valid import rows."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from hypothesis import strategies as st

from creditcity.domain.catalogue import CATALOGUE, ITEMS, SERVICE_IDS

KINDS = sorted(k for k in CATALOGUE if k != "retraction")
_FIELD_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "ref": st.text("ABCDEFGH0123456789-", min_size=1, max_size=12),
    "amount": st.floats(0, 1e7, allow_nan=False).map(lambda x: round(x, 2)),
    "balance": st.floats(0, 1e6, allow_nan=False).map(lambda x: round(x, 2)),
    "credit_limit": st.floats(0, 1e6, allow_nan=False).map(lambda x: round(x, 2)),
    "days_late": st.integers(0, 400),
    "item": st.sampled_from(ITEMS),
    "service": st.sampled_from(SERVICE_IDS),
}
national_ids = st.from_regex(r"\A3301[0-9]{14}\Z")
dates = st.datetimes(datetime(2015, 1, 1), datetime(2026, 1, 1)).map(
    lambda d: d.replace(microsecond=0)
)


@st.composite
def valid_row(draw: st.DrawFn, key: str) -> dict[str, Any]:
    kind = CATALOGUE[draw(st.sampled_from(KINDS))]
    role = draw(st.sampled_from([r for r in kind.sources if r != "creditcity"] or ["creditcity"]))
    row: dict[str, Any] = {
        "source": f"{role}:acme",
        "idempotency_key": key,
        "national_id": draw(national_ids),
        "kind": kind.name,
        "occurred_at": draw(dates),
        "city": draw(st.sampled_from(["hangzhou", "suzhou", None])),
    }
    for name in kind.required:
        row[name] = draw(_FIELD_VALUES[name])
    for name in kind.optional:
        if draw(st.booleans()):
            row[name] = draw(_FIELD_VALUES[name])
    return row


def valid_rows(min_size: int = 1, max_size: int = 30) -> st.SearchStrategy[list[dict[str, Any]]]:
    return st.integers(min_size, max_size).flatmap(
        lambda n: st.tuples(*(valid_row(f"key-{i}") for i in range(n))).map(list)
    )


def future(days: int = 30) -> datetime:
    return datetime.now() + timedelta(days=days)
