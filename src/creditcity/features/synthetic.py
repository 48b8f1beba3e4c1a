"""Random live ledger entries in :data:`ENTRY_SCHEMA`, for tests and benchmarks.

Not a simulation of behaviour (that is ``creditcity.sim``): a fast, seeded
generator of entries with the shapes the feature definitions care about —
every record kind, lateness of every severity, obligations whose refs repeat
so defaults meet settlements and fines meet payments, voluntary records from
a few sources — built column-wise with numpy so 10 million rows take seconds.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from creditcity.domain.catalogue import CATALOGUE, CONSENT_KINDS, ITEMS, SERVICE_IDS, Polarity
from creditcity.features.schema import CONSENT_SCHEMA, DISPUTED_SCHEMA, ENTRY_SCHEMA

#: Relative frequency of each kind; kinds not listed are rare (weight 0.2).
_WEIGHTS = {
    "utility_bill": 20,
    "telecom_bill": 15,
    "rent_payment": 8,
    "card_statement": 15,
    "loan_instalment_paid": 12,
    "borrowing_started": 5,
    "borrowing_returned": 5,
    "pay_later_charged": 2,
    "pay_later_paid": 2,
    "monthly_spending": 4,
    "investment_holding": 1,
    "loan_opened": 1,
    "tax_assessed": 1,
    "tax_paid": 1,
    "traffic_fine_issued": 0.5,
    "traffic_fine_paid": 0.5,
    "traffic_fine_overdue": 0.5,
    "deposit_waived": 1,
}
_KINDS = tuple(k for k in CATALOGUE if k != "retraction")
_LATE_DAYS = np.array([1, 5, 15, 29, 30, 45, 59, 60, 75, 89, 90, 120, 400], dtype=np.int32)
_SOURCE_NAMES = ("a", "b", "c")
_REFS_PER_PERSON = 3
#: Kinds whose records follow one obligation over time (a card, a loan, a fine, a borrowing):
#: their refs repeat per person; bills and rent get a fresh ref each time.
_FOLLOWED = (
    "card_statement",
    "loan_opened",
    "loan_instalment_paid",
    "loan_default",
    "loan_settled",
    "traffic_fine_issued",
    "traffic_fine_paid",
    "traffic_fine_overdue",
    "tax_assessed",
    "tax_paid",
    "tax_arrears",
    "court_judgment",
    "judgment_satisfied",
    "borrowing_started",
    "borrowing_returned",
    "borrowing_lost",
    "pay_later_charged",
    "pay_later_paid",
    "pay_later_overdue",
    "deposit_waived",
)
_EPOCH = date(1970, 1, 1)


def _kind_probabilities() -> np.ndarray:
    weights = np.array([_WEIGHTS.get(k, 0.2) for k in _KINDS], dtype=np.float64)
    probabilities: np.ndarray = weights / weights.sum()
    return probabilities


def _sources() -> tuple[list[str], np.ndarray, np.ndarray]:
    """All (kind, source) pairs flattened: names, offset of each kind, count per kind."""
    names: list[str] = []
    offsets, counts = [], []
    for kind in _KINDS:
        offsets.append(len(names))
        roles = CATALOGUE[kind].sources
        names += [f"{role}:{n}" for role in roles[:2] for n in _SOURCE_NAMES]
        counts.append(len(names) - offsets[-1])
    return names, np.array(offsets), np.array(counts)


def subject_names(residents: int, *, seed: int) -> pa.Array:
    """Pseudonym-shaped subjects ``p_`` + 32 hex, distinct and seeded."""
    raw = np.random.default_rng(seed).bytes(16 * residents)
    return pa.array([f"p_{raw[16 * i : 16 * i + 16].hex()}" for i in range(residents)])


def _strings(prefix: str, numbers: np.ndarray) -> pa.Array:
    return pc.binary_join_element_wise(prefix, pc.cast(pa.array(numbers), pa.string()), "")


def _masked(values: pa.Array, keep: np.ndarray) -> pa.Array:
    return pc.if_else(pa.array(keep), values, pa.nulls(len(values), values.type))


def random_entries(
    *,
    residents: int,
    records: int,
    seed: int,
    end: date,
    years: int = 8,
    first_entry_id: int = 0,
    subjects: pa.Array | None = None,
    grouped: bool = False,
) -> pa.Table:
    """``records`` entries about ``residents`` people, occurring in the ``years`` before ``end``.

    ``grouped`` keeps each person's entries together, as an export clustered
    by subject (a ledger's per-subject index order) would hold them.
    """
    rng = np.random.default_rng(seed)
    people = subjects if subjects is not None else subject_names(residents, seed=seed)
    person = rng.integers(0, len(people), records)
    if grouped:
        person.sort()
    kind = rng.choice(len(_KINDS), records, p=_kind_probabilities())
    names, offsets, counts = _sources()
    end_day = (end - _EPOCH).days
    day = rng.integers(end_day - 365 * years, end_day + 1, records)
    occurred_us = day * 86_400_000_000 + rng.integers(0, 86_400, records) * 1_000_000
    kinds = pa.array(_KINDS)
    lateness = np.isin(
        kind, [i for i, k in enumerate(_KINDS) if CATALOGUE[k].polarity is Polarity.BY_LATENESS]
    )
    late = np.where(rng.random(records) < 0.85, 0, rng.choice(_LATE_DAYS, records))
    per_obligation = np.isin(kind, [_KINDS.index(k) for k in _FOLLOWED])
    ref = np.where(
        per_obligation,
        person * _REFS_PER_PERSON + rng.integers(0, 3, records),
        -np.arange(1, records + 1),
    )
    # an obligation stays with one source, so its entries meet in one (source, ref) group
    pick = np.where(per_obligation, ref, rng.integers(0, 1 << 30, records))
    source = offsets[kind] + pick % counts[kind]
    card = kind == _KINDS.index("card_statement")
    limit = rng.choice([5_000.0, 20_000.0, 50_000.0], records)
    borrow = np.isin(kind, [i for i, k in enumerate(_KINDS) if "item" in CATALOGUE[k].fields])
    serve = np.isin(kind, [i for i, k in enumerate(_KINDS) if "service" in CATALOGUE[k].fields])
    columns = {
        "entry_id": pa.array(np.arange(first_entry_id, first_entry_id + records)),
        "subject": people.take(pa.array(person)),
        "source": pa.array(names).take(pa.array(source)),
        "kind": kinds.take(pa.array(kind)),
        "occurred_at": pa.array(occurred_us, pa.timestamp("us")),
        "received_at": pa.array(occurred_us + 3_600_000_000, pa.timestamp("us")),
        "city": pa.array(np.array(["hangzhou", "suzhou"])[person % 2]),
        "ref": _strings("r", ref),
        "amount": pa.array(np.round(rng.lognormal(6.0, 1.0, records), 2)),
        "balance": _masked(pa.array(np.round(limit * rng.random(records), 2)), card),
        "credit_limit": _masked(pa.array(limit), card),
        "days_late": _masked(pa.array(late.astype(np.int32)), lateness),
        "item": _masked(pa.array(ITEMS).take(pa.array(person % len(ITEMS))), borrow),
        "service": _masked(pa.array(SERVICE_IDS).take(pa.array(person % len(SERVICE_IDS))), serve),
    }
    return pa.table(columns, schema=ENTRY_SCHEMA)


def entry_chunks(
    *, residents: int, records: int, seed: int, end: date, chunk: int = 5_000_000
) -> Iterator[pa.Table]:
    """The same people's entries in chunks, for writing more rows than fit in memory."""
    people = subject_names(residents, seed=seed)
    for index, start in enumerate(range(0, records, chunk)):
        size = min(chunk, records - start)
        yield random_entries(
            residents=residents,
            records=size,
            seed=seed + 1 + index,
            end=end,
            first_entry_id=start,
            subjects=people,
        )


def random_consents(entries: pa.Table, *, seed: int, end: date) -> pa.Table:
    """Consents for most (subject, source) pairs with voluntary records; some withdrawn."""
    shared = entries.filter(pc.is_in(entries["kind"], pa.array(sorted(CONSENT_KINDS))))
    pairs = shared.group_by(["subject", "source"]).aggregate([]).sort_by("subject")
    rng = np.random.default_rng(seed)
    keep = rng.random(pairs.num_rows) < 0.8
    pairs = pairs.filter(pa.array(keep))
    rows = pairs.num_rows
    end_us = (end - _EPOCH).days * 86_400_000_000
    granted = end_us - rng.integers(0, 6 * 365, rows) * 86_400_000_000
    withdrawn = granted + rng.integers(1, 3 * 365, rows) * 86_400_000_000
    withdrawn_mask = rng.random(rows) < 0.2
    return pa.table(
        {
            "subject": pairs["subject"],
            "source": pairs["source"],
            "granted_at": pa.array(granted, pa.timestamp("us")),
            "withdrawn_at": _masked(pa.array(withdrawn, pa.timestamp("us")), withdrawn_mask),
        },
        schema=CONSENT_SCHEMA,
    )


def random_disputed(entries: pa.Table, *, seed: int, share: float = 0.002) -> pa.Table:
    """A random ``share`` of the entry ids, as if under pending dispute."""
    rng = np.random.default_rng(seed)
    ids = entries["entry_id"].to_numpy()
    chosen = ids[rng.random(len(ids)) < share]
    return pa.table({"entry_id": pa.array(chosen, pa.int64())}, schema=DISPUTED_SCHEMA)


def as_datetime(day_number: int) -> datetime:
    """A day number (days since 1970-01-01) as a midnight datetime."""
    return datetime.fromordinal(_EPOCH.toordinal() + day_number)
