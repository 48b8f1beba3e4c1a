"""The feature registry: every feature declared once, executed by both engines.

A feature is an SQL aggregate expression at one of four grains:

- ``ENTRIES``: over the person's entries, columns ``kind``, ``day`` (day
  number of ``occurred_at``), ``days_late``, ``amount``, ``balance``,
  ``credit_limit`` and the kind-class booleans of
  :data:`~creditcity.features.vocabulary.KIND_CLASSES` (``is_payment``...).
  An entry that does not count (disputed, expired, in the future) reaches
  the aggregate with ``kind`` and every class NULL, so no condition can
  match it: exclusions are applied once, upstream, in
  :mod:`creditcity.features.sql`.
- ``CARDS``, ``CASES``, ``SHARED``: over the person's rows of one
  per-obligation relation of :mod:`creditcity.features.obligations` (one row
  per card, per loan/fine/tax/judgment case, per consented voluntary
  source), with that relation's columns. Only ``SHARED`` features read
  voluntary data, and exactly they are one-sided.

Names are checked against the charter when this module is imported.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Literal

from creditcity.domain.catalogue import SERIOUS_DAYS_LATE, SERIOUS_KINDS, Dimension
from creditcity.domain.charter import ensure_allowed
from creditcity.features.obligations import OBLIGATIONS, Grain
from creditcity.features.vocabulary import (
    DAYS_6M,
    DAYS_12M,
    DELINQUENT_DAYS_LATE,
    count_where,
    is_kind,
    max_where,
    min_where,
    months_since,
    within,
)


@dataclass(frozen=True, slots=True)
class Feature:
    """One feature: what it means and its one definition.

    What a person reads about it (reason codes and sentences, in Chinese and
    English) is in :mod:`creditcity.domain.reason_catalogue`.
    """

    name: str
    dimension: Dimension
    description: str
    grain: Grain
    #: an SQL aggregate expression at ``grain`` (``{as_of}`` = as-of day number)
    sql: str
    dtype: Literal["int", "float"] = "int"
    #: True when no value is meaningful (e.g. no delinquency); otherwise no rows mean 0
    nullable: bool = False
    #: built only from voluntary (consent) data: sharing it may only help
    one_sided: bool = False
    #: counts a serious record of the catalogue (set from :data:`SERIOUS_COUNTS`)
    serious: bool = False
    #: the direction of risk its bins must follow (set from :data:`TRENDS`)
    trend: Literal["auto", "ascending", "descending"] = "auto"


E, CARDS, CASES, SHARED = Grain.ENTRIES, Grain.CARDS, Grain.CASES, Grain.SHARED
PH, OC, HL, NO, PR = (
    Dimension.PAYMENT_HISTORY,
    Dimension.OBLIGATIONS_CAPACITY,
    Dimension.HISTORY_LENGTH,
    Dimension.NEW_OBLIGATIONS,
    Dimension.PUBLIC_RECORDS,
)
_SEVERITIES = (("1_29", 1, 29), ("30_59", 30, 59), ("60_89", 60, 89), ("90_plus", 90, None))
_12M = f" AND {within(DAYS_12M)}"


def _late(label: str, low: int, high: int | None, recent: bool) -> Feature:
    span = f"days_late >= {low}" + (f" AND days_late <= {high}" if high else "")
    words = f"{low}-{high}" if high else f"{low} or more"
    recency = "in the last 12 months" if recent else "on file"
    return Feature(
        name=f"late_{label}_days_{'12m' if recent else 'ever'}",
        dimension=PH,
        description=f"Payments made {words} days late {recency}",
        grain=E,
        sql=count_where(f"is_payment AND {span}" + (_12M if recent else "")),
    )


def _on_time(recent: bool) -> Feature:
    recency = "in the last 12 months" if recent else "on file"
    return Feature(
        name=f"on_time_obligations_{'12m' if recent else 'ever'}",
        dimension=PH,
        description=f"Obligations met on time {recency} (bills, loans, rent, borrowings)",
        grain=E,
        sql=count_where("is_rated AND days_late = 0" + (_12M if recent else "")),
    )


def _count(name: str, dim: Dimension, condition: str, description: str) -> Feature:
    """A count of the person's counted entries matching ``condition``."""
    return Feature(name, dim, description, E, count_where(condition))


def _cases(name: str, dim: Dimension, condition: str, description: str) -> Feature:
    """A count of the person's cases (a loan, fine, tax bill or judgment) matching ``condition``."""
    return Feature(name, dim, description, CASES, count_where(condition))


def _unresolved(opened: str, resolved: str) -> str:
    """Opened, and not resolved on or after the day it was opened."""
    return f"{opened} IS NOT NULL AND NOT COALESCE({resolved} >= {opened}, FALSE)"


_DELINQUENT = f"((is_rated AND days_late >= {DELINQUENT_DAYS_LATE}) OR is_delinquency)"

_FEATURES: tuple[Feature, ...] = (
    # payment history
    _on_time(recent=True),
    _on_time(recent=False),
    *(_late(label, low, high, recent=True) for label, low, high in _SEVERITIES),
    *(_late(label, low, high, recent=False) for label, low, high in _SEVERITIES),
    Feature(
        "months_since_last_delinquency",
        PH,
        "Whole months since the last payment 30+ days late, default or loss",
        E,
        months_since(max_where("day", _DELINQUENT)),
        nullable=True,
    ),
    _cases(
        "loan_defaults",
        PH,
        "default_day IS NOT NULL",
        "Loans that went into default",
    ),
    _cases(
        "loan_defaults_settled",
        PH,
        "settled_day >= default_day",
        "Defaulted loans settled on or after the default",
    ),
    _count(
        "borrowings_returned_late",
        PH,
        f"{is_kind('borrowing_returned')} AND days_late > 0",
        "Shared items returned late",
    ),
    _count(
        "borrowings_lost",
        PH,
        is_kind("borrowing_lost"),
        "Shared items lost or never returned",
    ),
    _count(
        "pay_later_overdue",
        PH,
        is_kind("pay_later_overdue"),
        "Pay-later charges that went overdue",
    ),
    # obligations and capacity
    Feature(
        "card_utilisation",
        OC,
        "Latest card balances over latest card limits, cards reported in the last 12 months",
        CARDS,
        "SUM(card_balance) / NULLIF(SUM(card_limit), 0)",
        dtype="float",
        nullable=True,
    ),
    Feature(
        "card_outstanding_total",
        OC,
        "Sum of the latest balance of every card reported in the last 12 months",
        CARDS,
        "SUM(card_balance)",
        dtype="float",
    ),
    Feature(
        "card_limit_total",
        OC,
        "Sum of the latest limit of every card reported in the last 12 months",
        CARDS,
        "SUM(card_limit)",
        dtype="float",
    ),
    Feature(
        "investment_holdings_total",
        OC,
        "Investment holdings averaged over each shared source's reports, summed (voluntary)",
        SHARED,
        "SUM(holding)",
        dtype="float",
        nullable=True,
        one_sided=True,
    ),
    Feature(
        "monthly_spending_variation",
        OC,
        "Coefficient of variation of shared monthly spending totals, last 12 months "
        "(mean over shared sources with 3+ months; voluntary)",
        SHARED,
        "AVG(spending_variation)",
        dtype="float",
        nullable=True,
        one_sided=True,
    ),
    # history length
    Feature(
        "history_length_months",
        HL,
        "Whole months since the first record that still counts",
        E,
        months_since(min_where("day", "is_history")),
        nullable=True,
    ),
    # new obligations
    _count(
        "new_obligations_6m",
        NO,
        f"is_new_obligation AND {within(DAYS_6M)}",
        "Loans, borrowings, pay-later charges and waived deposits in the last 6 months",
    ),
    _count(
        "new_obligations_12m",
        NO,
        f"is_new_obligation AND {within(DAYS_12M)}",
        "Loans, borrowings, pay-later charges and waived deposits in the last 12 months",
    ),
    # public records
    _cases(
        "traffic_fines_unpaid",
        PR,
        _unresolved("fine_overdue_day", "fine_paid_day"),
        "Overdue traffic fines not paid since",
    ),
    _cases(
        "tax_arrears_unpaid",
        PR,
        _unresolved("arrears_day", "tax_paid_day"),
        "Tax in arrears not paid since",
    ),
    _cases(
        "court_judgments_active",
        PR,
        _unresolved("judgment_day", "satisfied_day"),
        "Court judgments to pay not yet satisfied",
    ),
    _cases(
        "court_judgments_satisfied",
        PR,
        "satisfied_day >= judgment_day",
        "Court judgments to pay that were satisfied",
    ),
    _count(
        "proven_fraud_count",
        PR,
        is_kind("proven_fraud"),
        "Frauds proven by a court",
    ),
    _count(
        "credential_fraud_count",
        PR,
        is_kind("credential_fraud"),
        "Academic credentials found fraudulent",
    ),
    _count(
        "licence_disciplinary_count",
        PR,
        is_kind("licence_disciplinary"),
        "Disciplinary decisions of a licensing body",
    ),
)


#: The feature that counts each serious kind of the catalogue (unpaid, where it can be paid).
SERIOUS_COUNTS: MappingProxyType[str, str] = MappingProxyType(
    {
        "loan_default": "loan_defaults",
        "tax_arrears": "tax_arrears_unpaid",
        "court_judgment": "court_judgments_active",
        "proven_fraud": "proven_fraud_count",
        "credential_fraud": "credential_fraud_count",
        "borrowing_lost": "borrowings_lost",
    }
)


#: Features whose direction is known before any data is seen: ``ascending``, more of it is
#: never safer; ``descending``, more of it is never riskier. Fixed directions mean a refit
#: cannot flip a feature on a quirk of its sample, and no bin can ever reward more late
#: payments or more borrowing (new obligations learned "more is safer" on the demo city,
#: 2 points for two loans in six months). Features not named here learn their direction.
TRENDS: MappingProxyType[str, Literal["ascending", "descending"]] = MappingProxyType(
    {
        **{
            f"late_{label}_days_{span}": "ascending"
            for label, _, _ in _SEVERITIES
            for span in ("12m", "ever")
        },
        "borrowings_returned_late": "ascending",
        "borrowings_lost": "ascending",
        "pay_later_overdue": "ascending",
        "card_utilisation": "ascending",
        "new_obligations_6m": "ascending",
        "new_obligations_12m": "ascending",
        "traffic_fines_unpaid": "ascending",
        "tax_arrears_unpaid": "ascending",
        "court_judgments_active": "ascending",
        "proven_fraud_count": "ascending",
        "credential_fraud_count": "ascending",
        "licence_disciplinary_count": "ascending",
        "loan_defaults": "ascending",
        "on_time_obligations_12m": "descending",
        "on_time_obligations_ever": "descending",
        "months_since_last_delinquency": "descending",
        "history_length_months": "descending",
    }
)


def _is_serious(feature: Feature) -> bool:
    if feature.name in SERIOUS_COUNTS.values():
        return True
    late = [low for label, low, _ in _SEVERITIES if feature.name.startswith(f"late_{label}_")]
    return bool(late) and late[0] >= SERIOUS_DAYS_LATE


def _registry(features: tuple[Feature, ...]) -> MappingProxyType[str, Feature]:
    if set(SERIOUS_COUNTS) != SERIOUS_KINDS:
        raise ValueError(
            f"serious kinds {sorted(SERIOUS_KINDS)} and the features counting them "
            f"{sorted(SERIOUS_COUNTS)} disagree"
        )
    by_name: dict[str, Feature] = {}
    for feature in (
        replace(f, serious=_is_serious(f), trend=TRENDS.get(f.name, "auto")) for f in features
    ):
        if feature.name in by_name:
            raise ValueError(f"feature '{feature.name}' is declared twice")
        if feature.one_sided != (feature.grain is Grain.SHARED):
            raise ValueError(
                f"feature '{feature.name}': exactly the features read from shared (consent) "
                "data are one-sided"
            )
        by_name[feature.name] = feature
    ensure_allowed(by_name, what="the feature registry")
    for relation in OBLIGATIONS.values():
        ensure_allowed(relation.columns, what=f"the {relation.grain} relation")
    return MappingProxyType(by_name)


FEATURES: MappingProxyType[str, Feature] = _registry(_FEATURES)
if set(TRENDS) - set(FEATURES):
    raise ValueError(
        f"TRENDS names features that do not exist: {sorted(set(TRENDS) - set(FEATURES))}"
    )
FEATURE_NAMES: tuple[str, ...] = tuple(FEATURES)
