"""One SQL query, assembled from the registry, that both engines execute.

The query reads three relations the engine provides: ``entries``,
``disputed`` (entry ids under a pending dispute) and ``consents``. Its stages:

1. ``flagged``: every entry, joined to its kind's row of the catalogue
   (retention, class flags) only when it counts as of the date: not in the
   future, not expired under the catalogue's retention, not disputed. This
   is the one place exclusions happen; keeping the row (with ``kind`` and
   the flags NULL) rather than filtering it keeps its subject in the output
   with empty features.
2. ``entries_features``: one pass over ``flagged``, grouped by subject,
   computing every entries-grain feature as a conditional aggregate.
3. For each per-obligation relation (cards, cases, shared): ``<grain>_rows``
   groups the counted entries it needs per obligation (shared rows keep only
   sources with an active consent), and ``<grain>_features`` aggregates
   them per subject.
4. Every subject of ``entries_features`` left-joined to the others, so a
   person without cards still gets a row (counts 0, ratios NULL).

DuckDB streams ``flagged`` to its four consumers in one scan of the input.

Dialects differ only in how a timestamp becomes a day number.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass

from creditcity.domain.catalogue import CATALOGUE
from creditcity.features.definitions import FEATURES, Feature
from creditcity.features.obligations import OBLIGATIONS, Grain, Obligations
from creditcity.features.vocabulary import KIND_CLASSES

#: The relations an engine provides: live entries, disputed entry ids, the consent register.
INPUTS = ("entries", "disputed", "consents")
#: Multiplier that makes ``day * SEQ_DAY + entry_id`` order by day, then arrival.
SEQ_DAY = 1_000_000_000_000


@dataclass(frozen=True, slots=True)
class Dialect:
    """What differs between the engines' SQL."""

    name: str
    day_number: Callable[[str], str]
    #: how the query names an input relation (Spark takes DataFrames as ``{name}`` arguments)
    relation: Callable[[str], str]


DUCKDB = Dialect(
    "duckdb", lambda column: f"(CAST({column} AS DATE) - DATE '1970-01-01')", lambda name: name
)
SPARK = Dialect(
    "spark", lambda column: f"unix_date(CAST({column} AS DATE))", lambda name: f"{{{name}}}"
)


def kinds_relation() -> str:
    """The catalogue as a tiny inline relation: retention and class flags per kind."""
    classes = list(KIND_CLASSES)
    rows = []
    for kind in CATALOGUE.values():
        flags = ", ".join("TRUE" if kind.name in KIND_CLASSES[c] else "FALSE" for c in classes)
        rows.append(f"('{kind.name}', {kind.retention_for(0)}, {kind.retention_for(1)}, {flags})")
    columns = ", ".join(["kind", "keep_on_time", "keep_late", *classes])
    return f"SELECT * FROM (VALUES {', '.join(rows)}) AS catalogue({columns})"


def _flagged(
    dialect: Dialect, inputs: Mapping[str, str], *, with_disputes: bool, with_consents: bool
) -> str:
    """Every entry; ``kind`` and the class flags only where the entry counts.

    The LEFT JOIN to ``kinds`` is the exclusion: an entry finds its kind's row
    only if it occurred on or before the as-of day, is still within the
    retention for its kind and lateness, and is not disputed. An unknown kind
    finds no row either, so it never counts.
    """
    # only voluntary (consent) features read amounts: without consents the column stays unread
    amount, e_amount = (" amount,", " e.amount,") if with_consents else ("", "")
    dated = (
        f"SELECT entry_id, subject, source, kind AS entry_kind, ref,{amount} balance,"
        f" credit_limit, days_late, {dialect.day_number('occurred_at')} AS day"
        f" FROM {inputs['entries']}"
    )
    disputes = (
        " LEFT JOIN (SELECT DISTINCT entry_id AS disputed_id"
        f" FROM {inputs['disputed']}) d ON e.entry_id = d.disputed_id"
        if with_disputes
        else ""
    )
    keep = "CASE WHEN COALESCE(e.days_late, 0) > 0 THEN k.keep_late ELSE k.keep_on_time END"
    counts = f"e.entry_kind = k.kind AND e.day <= {{as_of}} AND e.day + {keep} > {{as_of}}" + (
        " AND d.disputed_id IS NULL" if with_disputes else ""
    )
    flags = ", ".join(f"k.{name}" for name in KIND_CLASSES)
    return (
        f"SELECT e.entry_id, e.subject, e.source, e.ref,{e_amount} e.balance,"
        f" e.credit_limit, e.days_late, e.day, k.kind, {flags}"
        f" FROM ({dated}) e{disputes} LEFT JOIN kinds k ON {counts}"
    )


def _features(grain: Grain) -> list[Feature]:
    return [f for f in FEATURES.values() if f.grain is grain]


def _obligation_rows(relation: Obligations) -> str:
    """One row per obligation of ``relation``, from the counted entries that feed it."""
    columns = ", ".join(f"{sql} AS {name}" for name, sql in relation.columns.items())
    key = ", ".join(relation.key)
    entries = (
        f"SELECT *, CAST(day AS BIGINT) * {SEQ_DAY} + entry_id AS seq"
        f" FROM flagged WHERE {relation.where}"
    )
    rows = (
        f"SELECT subject, {key}, {columns} FROM ({entries}) {relation.grain}_entries"
        f" GROUP BY subject, {key}"
    )
    if not relation.needs_consent:
        return rows
    return (
        f"SELECT o.* FROM ({rows}) o JOIN active_consent c"
        " ON o.subject = c.subject AND o.source = c.source"
    )


def _active_consent(dialect: Dialect, inputs: Mapping[str, str]) -> str:
    """(subject, source) pairs with a consent granted by, and not withdrawn by, the as-of day."""
    granted = dialect.day_number("granted_at")
    withdrawn = dialect.day_number("withdrawn_at")
    return (
        f"SELECT DISTINCT subject, source FROM {inputs['consents']}"
        f" WHERE {granted} <= {{as_of}} AND (withdrawn_at IS NULL OR {withdrawn} > {{as_of}})"
    )


def _final_column(feature: Feature, grains: Collection[Grain]) -> str:
    sql_type = "BIGINT" if feature.dtype == "int" else "DOUBLE"
    if feature.grain not in grains:
        return f"CAST(NULL AS {sql_type}) AS {feature.name}"
    value = f"{feature.grain}_features.{feature.name}"
    if not feature.nullable:
        value = f"COALESCE({value}, 0)"
    return f"CAST({value} AS {sql_type}) AS {feature.name}"


def _per_subject(grain: Grain, source: str) -> str:
    aggregates = ", ".join(f"{f.sql} AS {f.name}" for f in _features(grain))
    return f"{grain}_features AS (SELECT subject, {aggregates} FROM {source} GROUP BY subject)"


def features_query(
    dialect: Dialect,
    *,
    as_of_day: int,
    with_disputes: bool = True,
    with_consents: bool = True,
    ordered: bool = True,
    inputs: Mapping[str, str] | None = None,
) -> str:
    """The whole feature query for ``dialect`` as of a day number (days since 1970-01-01).

    ``inputs`` may replace how an input relation is named, e.g. ``entries``
    by ``read_parquet('...')``; by default the dialect's own naming is used.
    ``with_consents=False`` (an empty consent register) leaves out the
    voluntary relation: no voluntary record can count, so its features are
    NULL, as the full query would give. ``ordered=False`` leaves rows unsorted.
    """
    named = {name: dialect.relation(name) for name in INPUTS} | dict(inputs or {})
    flagged = _flagged(dialect, named, with_disputes=with_disputes, with_consents=with_consents)
    stages = [
        f"kinds AS ({kinds_relation()})",
        f"flagged AS ({flagged})",
        _per_subject(Grain.ENTRIES, "flagged"),
    ]
    if with_consents:
        stages.append(f"active_consent AS ({_active_consent(dialect, named)})")
    grains = {Grain.ENTRIES}
    joins = []
    for grain, relation in OBLIGATIONS.items():
        if relation.needs_consent and not with_consents:
            continue
        grains.add(grain)
        stages.append(f"{grain}_rows AS ({_obligation_rows(relation)})")
        stages.append(_per_subject(grain, f"{grain}_rows"))
        joins.append(
            f" LEFT JOIN {grain}_features ON entries_features.subject = {grain}_features.subject"
        )
    final = ", ".join(_final_column(f, grains) for f in FEATURES.values())
    query = (
        f"WITH {', '.join(stages)}"
        f" SELECT entries_features.subject, {final} FROM entries_features{''.join(joins)}"
        + (" ORDER BY entries_features.subject" if ordered else "")
    )
    return query.replace("{as_of}", str(int(as_of_day)))
