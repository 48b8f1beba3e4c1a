"""The synthetic city's fixed vocabularies: cities, groups, sources, record streams.

Everything here is a code table: generators work on small integer codes and
the Arrow layer turns codes into strings once per chunk (as dictionary
columns), which is what keeps a billion-row run fast. A *stream* is one
generator output: it fixes the record kind and the three-letter prefix of the
idempotency key, so ``(stream, resident, k)`` is unique across the whole file.
"""

from __future__ import annotations

from creditcity.domain.catalogue import CATALOGUE, ITEMS

#: (name, 6-digit region code used as the national-ID prefix, share of residents)
CITIES: tuple[tuple[str, str, float], ...] = (
    ("hangzhou", "330100", 0.30),
    ("beijing", "110100", 0.20),
    ("shanghai", "310100", 0.15),
    ("suzhou", "320500", 0.10),
    ("guangzhou", "440100", 0.08),
    ("shenzhen", "440300", 0.07),
    ("chengdu", "510100", 0.06),
    ("wuhan", "420100", 0.04),
)
CITY_NAMES = tuple(c[0] for c in CITIES)

#: Audit-only labels (never a model input). Independent of creditworthiness;
#: ``group_d`` (newcomers) has thinner files, so a fair score must not punish it.
GROUPS: tuple[tuple[str, float], ...] = (
    ("group_a", 0.40),
    ("group_b", 0.30),
    ("group_c", 0.20),
    ("group_d", 0.10),
)
GROUP_NAMES = tuple(g[0] for g in GROUPS)

#: How deep a resident's file is; the generative cause of thin and rich files.
DEPTHS = ("thin", "regular", "rich")
THIN, REGULAR, RICH = 0, 1, 2

#: National sources: (role, names). A resident keeps one name per role.
NATIONAL_SOURCES: dict[str, tuple[str, ...]] = {
    "bank": ("west-lake", "icbc-city", "merchants"),
    "lender": ("antcredit", "weilidai"),
    "card_issuer": ("unionpay-east", "citic-card"),
    "utility": ("state-grid", "city-water", "city-gas"),
    "telecom": ("china-mobile", "china-unicom", "china-telecom"),
    "landlord_platform": ("ziroom", "beike"),
    "tax_office": ("state-taxation",),
    "traffic_police": ("traffic-police",),
    "university_registry": ("chsi",),
    "licensing_body": ("professional-board",),
    "bike_operator": ("hellobike", "meituan-bike"),
    "power_bank_operator": ("jiedian", "xiaodian"),
    "umbrella_operator": ("moshang",),
    "broker": ("east-money", "huatai"),
    "clinic": ("community-clinic",),
    "transit": ("metro-card",),
    "public_office": ("citizen-centre",),
}
#: Roles whose source is the city's own institution (``court:hangzhou``).
CITY_ROLES = ("court", "library")


def _sources() -> tuple[str, ...]:
    names = [f"{role}:{name}" for role, names in NATIONAL_SOURCES.items() for name in names]
    names += [f"{role}:{city}" for role in CITY_ROLES for city in CITY_NAMES]
    return tuple(names)


SOURCES = _sources()
_SOURCE_INDEX = {name: i for i, name in enumerate(SOURCES)}


def source_code(role: str, name: str) -> int:
    """The integer code of ``role:name``."""
    return _SOURCE_INDEX[f"{role}:{name}"]


def source_codes(role: str) -> tuple[int, ...]:
    """Codes of every national source of ``role``, in declaration order."""
    return tuple(source_code(role, name) for name in NATIONAL_SOURCES[role])


def city_source_base(role: str) -> int:
    """Code of ``role:<first city>``; add the city code to get the city's own source."""
    return _SOURCE_INDEX[f"{role}:{CITY_NAMES[0]}"]


KINDS = tuple(CATALOGUE)
_KIND_INDEX = {name: i for i, name in enumerate(KINDS)}

#: (key prefix, kind). The key prefix is also the stream's identity.
STREAMS: tuple[tuple[str, str], ...] = (
    ("tel", "telecom_bill"),
    ("utl", "utility_bill"),
    ("rnt", "rent_payment"),
    ("crd", "card_statement"),
    ("lno", "loan_opened"),
    ("lni", "loan_instalment_paid"),
    ("lnd", "loan_default"),
    ("lns", "loan_settled"),
    ("txa", "tax_assessed"),
    ("txp", "tax_paid"),
    ("txr", "tax_arrears"),
    ("txl", "tax_paid"),  # paid late, after arrears were recorded
    ("fni", "traffic_fine_issued"),
    ("fnp", "traffic_fine_paid"),
    ("fno", "traffic_fine_overdue"),
    ("fnl", "traffic_fine_paid"),  # paid after it went overdue
    ("cjd", "court_judgment"),
    ("cjs", "judgment_satisfied"),
    ("frd", "proven_fraud"),
    ("cvf", "credential_verified"),
    ("cff", "credential_fraud"),
    ("lic", "licence_disciplinary"),
    ("bst", "borrowing_started"),
    ("bre", "borrowing_returned"),
    ("bls", "borrowing_lost"),
    ("plc", "pay_later_charged"),
    ("plp", "pay_later_paid"),
    ("plo", "pay_later_overdue"),
    ("inv", "investment_holding"),
    ("spd", "monthly_spending"),
    ("ret", "retraction"),
)
STREAM_PREFIX = tuple(p for p, _ in STREAMS)
STREAM_KIND_CODE = tuple(_KIND_INDEX[k] for _, k in STREAMS)
_STREAM_INDEX = {p: i for i, p in enumerate(STREAM_PREFIX)}


def stream(prefix: str) -> int:
    """The code of the stream whose keys start with ``prefix``."""
    return _STREAM_INDEX[prefix]


#: Obligation-id prefixes of ``ref`` (``LON-<serial>-<n>``).
REF_PREFIXES = (
    "TEL",
    "UTL",
    "RNT",
    "CRD",
    "LON",
    "TAX",
    "FIN",
    "CJD",
    "FRD",
    "CRE",
    "LIC",
    "BRW",
    "PLT",
)
_REF_INDEX = {p: i for i, p in enumerate(REF_PREFIXES)}


def ref_prefix(prefix: str) -> int:
    return _REF_INDEX[prefix]


#: Shared items with their replacement value in yuan (the deposit a good score waives).
ITEM_VALUES: dict[str, float] = {
    "bike": 299.0,
    "power_bank": 99.0,
    "umbrella": 39.0,
    "library_book": 60.0,
}
ITEM_CODE = {name: ITEMS.index(name) for name in ITEM_VALUES}

#: Pay-later services (service ids of the default policy).
SERVICES = ("pay_later_clinic", "pay_later_transit", "pay_later_public_office")
SERVICE_ROLE = {
    "pay_later_clinic": "clinic",
    "pay_later_transit": "transit",
    "pay_later_public_office": "public_office",
}
