"""The record catalogue: every kind of record creditcity holds about a person.

One table in code. For each kind: its fields, its polarity, the score
dimension it feeds, its legal basis (which decides what consent withdrawal
can remove), how long it may be kept, and which source roles may submit it.
The catalogue validates itself at import time: a field whose name marks a
charter-forbidden attribute cannot be declared (see :mod:`creditcity.domain.charter`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from creditcity.domain.charter import ensure_allowed


class Polarity(StrEnum):
    POSITIVE = "positive"
    NEGATIVE = "negative"
    NEUTRAL = "neutral"
    #: positive when ``days_late`` is 0, negative when it is above 0
    BY_LATENESS = "by_lateness"


class Dimension(StrEnum):
    PAYMENT_HISTORY = "payment_history"
    OBLIGATIONS_CAPACITY = "obligations_capacity"
    HISTORY_LENGTH = "history_length"
    NEW_OBLIGATIONS = "new_obligations"
    PUBLIC_RECORDS = "public_records"


class LegalBasis(StrEnum):
    STATUTORY = "statutory"  # public records: tax, fines, courts, credentials
    CONTRACT = "contract"  # performance of credit the person took
    CONSENT = "consent"  # voluntary data; withdrawing consent removes it


class FieldType(StrEnum):
    TEXT = "text"
    MONEY = "money"  # yuan, >= 0, two decimals
    DAYS = "days"  # whole days, >= 0
    ITEM = "item"  # one of ITEMS
    SERVICE = "service"  # a service id of the policy


#: The flat field columns of the import format and of ledger entries.
FIELD_TYPES: MappingProxyType[str, FieldType] = MappingProxyType(
    {
        "ref": FieldType.TEXT,
        "amount": FieldType.MONEY,
        "balance": FieldType.MONEY,
        "credit_limit": FieldType.MONEY,
        "days_late": FieldType.DAYS,
        "item": FieldType.ITEM,
        "service": FieldType.SERVICE,
    }
)

ITEMS = ("bike", "power_bank", "umbrella", "library_book", "other")

#: Source roles. A source id is written ``role:name`` (e.g. ``bank:west-lake``).
SOURCE_ROLES = (
    "bank",
    "lender",
    "card_issuer",
    "utility",
    "telecom",
    "landlord_platform",
    "tax_office",
    "traffic_police",
    "court",
    "university_registry",
    "licensing_body",
    "bike_operator",
    "power_bank_operator",
    "umbrella_operator",
    "library",
    "clinic",
    "transit",
    "public_office",
    "broker",
    "creditcity",
)

#: Service ids of the default policy; a record's ``service`` field must name one.
SERVICE_IDS = (
    "bike_deposit",
    "power_bank_deposit",
    "umbrella_deposit",
    "library_deposit",
    "rental_deposit",
    "agency_fee",
    "pay_later_clinic",
    "pay_later_transit",
    "pay_later_public_office",
)

DEFAULT_NEGATIVE_RETENTION_DAYS = 5 * 365 + 1
POSITIVE_RETENTION_DAYS = 10 * 365 + 2
CONSENT_RETENTION_DAYS = 2 * 365 + 1

_LENDERS = ("bank", "lender")
_BORROWING = ("bike_operator", "power_bank_operator", "umbrella_operator", "library", "creditcity")
_PAY_LATER = ("clinic", "transit", "public_office", "creditcity")


@dataclass(frozen=True, slots=True)
class RecordKind:
    """One kind of record and the rules that travel with it."""

    name: str
    description: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    polarity: Polarity
    dimension: Dimension
    basis: LegalBasis
    sources: tuple[str, ...]
    #: adjudicated by a court or equivalent; only these may trigger restrictions
    adjudicated: bool = False
    retention_days: int | None = None
    #: an adjudicated outcome (or its settlement) that follows the person to other cities;
    #: nothing else ever leaves the city (see :mod:`creditcity.domain.federation`)
    shareable: bool = False
    #: a serious negative record: the scorecard always prices it in a bin of its own
    serious: bool = False

    @property
    def fields(self) -> tuple[str, ...]:
        return self.required + self.optional

    def is_negative(self, days_late: int | None) -> bool:
        if self.polarity is Polarity.BY_LATENESS:
            return (days_late or 0) > 0
        return self.polarity is Polarity.NEGATIVE

    def retention_for(self, days_late: int | None) -> int:
        """Days this record may count; negative records default to 5 years."""
        if self.retention_days is not None:
            return self.retention_days
        if self.basis is LegalBasis.CONSENT:
            return CONSENT_RETENTION_DAYS
        if self.is_negative(days_late):
            return DEFAULT_NEGATIVE_RETENTION_DAYS
        return POSITIVE_RETENTION_DAYS


def _kind(
    name: str,
    description: str,
    required: tuple[str, ...],
    polarity: Polarity,
    dimension: Dimension,
    basis: LegalBasis,
    sources: tuple[str, ...],
    optional: tuple[str, ...] = (),
    adjudicated: bool = False,
    shareable: bool = False,
    serious: bool = False,
) -> RecordKind:
    return RecordKind(
        name,
        description,
        required,
        optional,
        polarity,
        dimension,
        basis,
        sources,
        adjudicated,
        shareable=shareable,
        serious=serious,
    )


P, N, Z, L = Polarity.POSITIVE, Polarity.NEGATIVE, Polarity.NEUTRAL, Polarity.BY_LATENESS
PH, OC, HL, NO, PR = (
    Dimension.PAYMENT_HISTORY,
    Dimension.OBLIGATIONS_CAPACITY,
    Dimension.HISTORY_LENGTH,
    Dimension.NEW_OBLIGATIONS,
    Dimension.PUBLIC_RECORDS,
)
ST, CT, CS = LegalBasis.STATUTORY, LegalBasis.CONTRACT, LegalBasis.CONSENT

# fmt: off
_KINDS: tuple[RecordKind, ...] = (
    # credit: loans and cards
    _kind("loan_opened", "A loan was opened", ("ref", "amount"), Z, NO, CT, _LENDERS,
          ("credit_limit",)),
    _kind("loan_instalment_paid", "A loan instalment was paid (days late, 0 = on time)",
          ("ref", "amount", "days_late"), L, PH, CT, _LENDERS),
    _kind("loan_default", "A loan went into default", ("ref", "amount"), N, PH, CT, _LENDERS,
          serious=True),
    _kind("loan_settled", "A loan was repaid in full or a default settled", ("ref", "amount"),
          P, PH, CT, _LENDERS),
    _kind("card_statement", "A credit-card statement: balance against limit",
          ("ref", "balance", "credit_limit"), L, OC, CT, ("bank", "card_issuer"), ("days_late",)),
    # bills and rent
    _kind("utility_bill", "A utility bill was paid (days late, 0 = on time)",
          ("ref", "amount", "days_late"), L, PH, CT, ("utility",)),
    _kind("telecom_bill", "A telecom bill was paid (days late, 0 = on time)",
          ("ref", "amount", "days_late"), L, PH, CT, ("telecom",)),
    _kind("rent_payment", "Rent was paid (days late, 0 = on time)",
          ("ref", "amount", "days_late"), L, PH, CT, ("landlord_platform",)),
    # tax and fines
    _kind("tax_assessed", "Tax was assessed", ("ref", "amount"), Z, PR, ST, ("tax_office",)),
    _kind("tax_paid", "Assessed tax was paid", ("ref", "amount"), P, PR, ST, ("tax_office",),
          ("days_late",)),
    _kind("tax_arrears", "Assessed tax is in arrears", ("ref", "amount"), N, PR, ST,
          ("tax_office",), serious=True),
    _kind("traffic_fine_issued", "A traffic fine was issued", ("ref", "amount"), Z, PR, ST,
          ("traffic_police",)),
    _kind("traffic_fine_paid", "A traffic fine was paid", ("ref", "amount"), P, PR, ST,
          ("traffic_police",)),
    _kind("traffic_fine_overdue", "A traffic fine is overdue", ("ref", "amount"), N, PR, ST,
          ("traffic_police",)),
    # courts and fraud (adjudicated: the only kinds a restriction may cite)
    _kind("court_judgment", "A court judgment to pay was issued", ("ref", "amount"), N, PR, ST,
          ("court",), adjudicated=True, shareable=True, serious=True),
    _kind("judgment_satisfied", "A court judgment was satisfied", ("ref",), P, PR, ST,
          ("court",), ("amount",), shareable=True),
    _kind("proven_fraud", "Fraud was proven by a court", ("ref",), N, PR, ST, ("court",),
          ("amount",), adjudicated=True, shareable=True, serious=True),
    # credentials and licences
    _kind("credential_verified", "An academic credential was verified", ("ref",), P, PR, ST,
          ("university_registry",)),
    _kind("credential_fraud", "An academic credential was found fraudulent", ("ref",), N, PR,
          ST, ("university_registry",), shareable=True, serious=True),
    _kind("licence_disciplinary", "A professional licensing body's disciplinary decision",
          ("ref",), N, PR, ST, ("licensing_body",)),
    # shared items borrowed without deposit
    _kind("borrowing_started", "A shared item was borrowed", ("ref", "item"), Z, NO, CT,
          _BORROWING, ("amount",)),
    _kind("borrowing_returned", "A borrowed item was returned (days late, 0 = on time)",
          ("ref", "item", "days_late"), L, PH, CT, _BORROWING),
    _kind("borrowing_lost", "A borrowed item was lost or not returned", ("ref", "item"), N,
          PH, CT, _BORROWING, ("amount",), serious=True),
    _kind("deposit_waived", "A deposit was waived on the strength of the score",
          ("ref", "service", "amount"), Z, NO, CT, ("creditcity",)),
    # service first, pay later
    _kind("pay_later_charged", "A service was used on pay-later terms",
          ("ref", "service", "amount"), Z, NO, CT, _PAY_LATER),
    _kind("pay_later_paid", "A pay-later charge was paid (days late, 0 = on time)",
          ("ref", "service", "days_late"), L, PH, CT, _PAY_LATER, ("amount",)),
    _kind("pay_later_overdue", "A pay-later charge is overdue", ("ref", "service", "amount"),
          N, PH, CT, _PAY_LATER),
    # voluntary data: totals only, never categories of goods
    _kind("investment_holding", "Total value of investment holdings (voluntary)", ("amount",),
          P, OC, CS, ("bank", "broker")),
    _kind("monthly_spending", "Total spending in a month (voluntary; totals only)",
          ("amount",), Z, OC, CS, ("bank", "card_issuer")),
    # corrections: withdraw an earlier entry of the same source
    _kind("retraction", "The source withdraws an earlier record (named in 'supersedes')",
          (), Z, PH, CT, SOURCE_ROLES),
)
# fmt: on


def _validate(kinds: tuple[RecordKind, ...]) -> MappingProxyType[str, RecordKind]:
    by_name: dict[str, RecordKind] = {}
    for kind in kinds:
        if kind.name in by_name:
            raise ValueError(f"record kind '{kind.name}' is declared twice")
        unknown = [f for f in kind.fields if f not in FIELD_TYPES]
        if unknown:
            raise ValueError(f"record kind '{kind.name}' declares unknown fields {unknown}")
        bad_roles = [r for r in kind.sources if r not in SOURCE_ROLES]
        if bad_roles:
            raise ValueError(f"record kind '{kind.name}' names unknown source roles {bad_roles}")
        if kind.adjudicated and kind.basis is not LegalBasis.STATUTORY:
            raise ValueError(f"adjudicated kind '{kind.name}' must have statutory basis")
        if kind.shareable and kind.basis is not LegalBasis.STATUTORY:
            raise ValueError(f"shareable kind '{kind.name}' must have statutory basis")
        ensure_allowed(kind.fields, what=f"record kind '{kind.name}'")
        by_name[kind.name] = kind
    ensure_allowed(FIELD_TYPES, what="the record field set")
    return MappingProxyType(by_name)


CATALOGUE: MappingProxyType[str, RecordKind] = _validate(_KINDS)
ADJUDICATED_KINDS = frozenset(k.name for k in _KINDS if k.adjudicated)
#: Kinds the scorecard must always price (unpaid judgments, fraud, defaults, arrears, and a
#: deposit-free item never returned: the default of the services this system exists for).
SERIOUS_KINDS = frozenset(k.name for k in _KINDS if k.serious)
#: A payment this many days late or more is a serious record too (whatever its kind).
SERIOUS_DAYS_LATE = 60
CONSENT_KINDS = frozenset(k.name for k in _KINDS if k.basis is LegalBasis.CONSENT)
#: kinds that cross to other cities of the federation (with retractions of them)
SHAREABLE_KINDS = frozenset(k.name for k in _KINDS if k.shareable)


def source_role(source: str) -> str:
    """``bank:west-lake`` -> ``bank``."""
    return source.split(":", 1)[0]
