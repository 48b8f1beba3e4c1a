"""The words feature definitions are written in: kind classes, windows, SQL helpers.

Feature definitions are SQL aggregate expressions shared by both engines
(DuckDB and Spark SQL), so they use only what both dialects read the same
way: conditional aggregates (``COUNT(CASE WHEN ... THEN 1 END)``, ``FILTER``),
``MAX``/``MIN``/``SUM``, ``MAX_BY``, ``CASE``, ``COALESCE``, ``NULLIF``,
``FLOOR`` and integer day numbers.
``{as_of}`` stands for the as-of day number (days since 1970-01-01), so every
date comparison is integer arithmetic that both engines agree on to the day.

Each counted entry carries one boolean column per kind class below (joined
from a small ``kinds`` relation built from the catalogue), so a definition
says ``is_payment AND days_late >= 30`` instead of repeating kind lists; an
excluded entry has every class column NULL and ``kind`` NULL, so it matches
no condition.
"""

from __future__ import annotations

from types import MappingProxyType

from creditcity.domain.catalogue import CATALOGUE, CONSENT_KINDS, Polarity

#: Records reported with ``days_late`` for a money obligation (bills, loans, cards, pay-later).
PAYMENT_KINDS = (
    "loan_instalment_paid",
    "utility_bill",
    "telecom_bill",
    "rent_payment",
    "card_statement",
    "pay_later_paid",
)
#: Records that open a new obligation.
NEW_OBLIGATION_KINDS = ("loan_opened", "borrowing_started", "pay_later_charged", "deposit_waived")
#: Records that open or close a case, matched per obligation (``source`` + ``ref``): a default
#: and its settlement, a fine and its payment, tax arrears and payment, a judgment and its
#: satisfaction.
CASE_KINDS = (
    "loan_default",
    "loan_settled",
    "traffic_fine_overdue",
    "traffic_fine_paid",
    "tax_arrears",
    "tax_paid",
    "court_judgment",
    "judgment_satisfied",
)
#: Records that are a delinquency whatever their ``days_late``.
DELINQUENCY_KINDS = ("loan_default", "pay_later_overdue", "borrowing_lost")

#: Kind classes: the boolean column each counted entry carries, and the kinds it is true for.
KIND_CLASSES: MappingProxyType[str, tuple[str, ...]] = MappingProxyType(
    {
        "is_payment": PAYMENT_KINDS,
        #: every record whose ``days_late`` says whether an obligation was met on time
        "is_rated": tuple(k.name for k in CATALOGUE.values() if k.polarity is Polarity.BY_LATENESS),
        "is_new_obligation": NEW_OBLIGATION_KINDS,
        #: everything but corrections and voluntary data starts a person's history
        "is_history": tuple(k for k in CATALOGUE if k not in CONSENT_KINDS and k != "retraction"),
        "is_delinquency": DELINQUENCY_KINDS,
        "is_case": CASE_KINDS,
        #: voluntary records, grouped per source (a consent is granted per source)
        "is_shared": tuple(sorted(CONSENT_KINDS)),
    }
)

#: Windows in days; "12 months" is the 365 days up to and including the as-of day.
DAYS_12M = 365
DAYS_6M = 183
#: Days per month for turning day spans into whole months (exact in binary floating point).
DAYS_PER_MONTH = 365.25 / 12
#: An obligation met this many days late or more is a delinquency.
DELINQUENT_DAYS_LATE = 30


def within(days: int) -> str:
    """The record happened in the ``days`` days up to and including the as-of day."""
    return f"day > {{as_of}} - {days}"


def months_since(day_sql: str) -> str:
    """Whole months from a day number to the as-of day (null stays null)."""
    return f"FLOOR(({{as_of}} - {day_sql}) / {DAYS_PER_MONTH!r})"


def count_where(condition: str) -> str:
    """Entries matching ``condition``.

    Written as ``COUNT(CASE WHEN ...)`` rather than ``COUNT(*) FILTER (WHERE ...)``:
    the same in both dialects, and DuckDB runs two dozen of them over one
    group-by 15-25% faster (no selection per aggregate; measured on 10M entries).
    """
    return f"COUNT(CASE WHEN {condition} THEN 1 END)"


def max_where(value: str, condition: str) -> str:
    """The largest ``value`` among entries matching ``condition`` (NULL if none)."""
    return f"MAX(CASE WHEN {condition} THEN {value} END)"


def min_where(value: str, condition: str) -> str:
    """The smallest ``value`` among entries matching ``condition`` (NULL if none)."""
    return f"MIN(CASE WHEN {condition} THEN {value} END)"


def is_kind(kind: str) -> str:
    """``kind = 'x'`` for a catalogue kind (a misspelt kind fails at import, not silently)."""
    if kind not in CATALOGUE:
        raise ValueError(f"feature definitions name unknown record kind '{kind}'")
    return f"kind = '{kind}'"


def _check_classes() -> None:
    for name, kinds in KIND_CLASSES.items():
        unknown = [k for k in kinds if k not in CATALOGUE]
        if unknown:
            raise ValueError(f"kind class '{name}' names unknown record kinds {unknown}")


_check_classes()
