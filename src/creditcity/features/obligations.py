"""Per-obligation relations: what one card, one case, one shared source says.

Some features cannot be counted entry by entry: a fine is unpaid only if no
payment for the *same* ref came on or after the day it went overdue; a card's
utilisation is its *latest* statement. For these, the person's counted
entries are first grouped into one row per obligation, then aggregated per
person. There are three such relations, each read by features of its grain:

- ``CARDS``: one row per open card (source + ref): its latest balance and
  limit. A card is open when it has a statement in the last 12 months; a
  card last reported years ago says nothing about what is owed today (and
  leaving it out keeps this group-by to a year of statements).
- ``CASES``: one row per loan, fine, tax bill or judgment (source + ref):
  the last day it went into default / overdue / arrears / judgment and the
  last day it was settled / paid / satisfied.
- ``SHARED``: one row per voluntary source; only sources the person has an
  active consent for at the as-of instant reach this relation.

Keeping cards (the bulk of these entries) apart from the rare cases keeps
each group-by narrow: no card statement passes through eight filtered
aggregates it can never match.

``seq`` orders entries within an obligation: the day, then the entry id
(ties broken by arrival), so "latest" picks the same row in every engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from creditcity.features.vocabulary import DAYS_12M, is_kind, max_where, within

#: Fewest shared months before a spending variation means anything.
MIN_SPENDING_MONTHS = 3


class Grain(StrEnum):
    """Where a feature's aggregate runs: over entries, or over one obligation relation."""

    ENTRIES = "entries"
    CARDS = "cards"
    CASES = "cases"
    SHARED = "shared"


@dataclass(frozen=True, slots=True)
class Obligations:
    """One per-obligation relation: which counted entries, grouped how, into which columns."""

    grain: Grain
    #: condition on counted entries (kind-class flags are NULL for entries that do not count)
    where: str
    #: grouping columns besides ``subject``
    key: tuple[str, ...]
    #: column name -> SQL aggregate over the obligation's entries
    columns: MappingProxyType[str, str]
    #: only sources with an active consent of the subject at the as-of instant
    needs_consent: bool = False


def _latest(column: str) -> str:
    return f"MAX_BY({column}, seq)"


def _last_day(kind: str) -> str:
    return max_where("day", is_kind(kind))


_SPEND = f"{is_kind('monthly_spending')} AND {within(DAYS_12M)}"

CARDS = Obligations(
    Grain.CARDS,
    where=f"{is_kind('card_statement')} AND {within(DAYS_12M)}",
    key=("source", "ref"),
    columns=MappingProxyType(
        {"card_balance": _latest("balance"), "card_limit": _latest("credit_limit")}
    ),
)
CASES = Obligations(
    Grain.CASES,
    where="is_case",
    key=("source", "ref"),
    columns=MappingProxyType(
        {
            "default_day": _last_day("loan_default"),
            "settled_day": _last_day("loan_settled"),
            "fine_overdue_day": _last_day("traffic_fine_overdue"),
            "fine_paid_day": _last_day("traffic_fine_paid"),
            "arrears_day": _last_day("tax_arrears"),
            "tax_paid_day": _last_day("tax_paid"),
            "judgment_day": _last_day("court_judgment"),
            "satisfied_day": _last_day("judgment_satisfied"),
        }
    ),
)
SHARED = Obligations(
    Grain.SHARED,
    where="is_shared",
    key=("source",),
    columns=MappingProxyType(
        {
            # the mean of the source's reports, not the latest: a one-day balance
            # (moved in before a decision, out after it) should not buy points
            "holding": f"AVG(amount) FILTER (WHERE {is_kind('investment_holding')})",
            "spending_variation": (
                f"CASE WHEN COUNT(*) FILTER (WHERE {_SPEND}) >= {MIN_SPENDING_MONTHS}"
                f" THEN STDDEV_POP(amount) FILTER (WHERE {_SPEND})"
                f" / NULLIF(AVG(amount) FILTER (WHERE {_SPEND}), 0) END"
            ),
        }
    ),
    needs_consent=True,
)

#: The per-obligation relations, by the grain of the features that read them.
OBLIGATIONS: MappingProxyType[Grain, Obligations] = MappingProxyType(
    {relation.grain: relation for relation in (CARDS, CASES, SHARED)}
)
