"""Per-person features as of a date: one definition, two engines (DuckDB, Spark).

    compute_features(entries, as_of=..., disputed=..., consents=..., engine="duckdb")

The registry (:mod:`creditcity.features.definitions`) declares each feature
once; :mod:`creditcity.features.sql` turns it into one query both engines run.
Exclusions (future, expired, disputed, unconsented records) happen here and
nowhere else.
"""

from __future__ import annotations

from creditcity.features.definitions import FEATURE_NAMES, FEATURES, Feature
from creditcity.features.engine import ENGINES, compute_features, day_number, feature_schema
from creditcity.features.obligations import Grain
from creditcity.features.schema import (
    CONSENT_SCHEMA,
    DISPUTED_SCHEMA,
    ENTRY_SCHEMA,
    empty_consents,
    empty_disputed,
)

__all__ = [
    "CONSENT_SCHEMA",
    "DISPUTED_SCHEMA",
    "ENGINES",
    "ENTRY_SCHEMA",
    "FEATURES",
    "FEATURE_NAMES",
    "Feature",
    "Grain",
    "compute_features",
    "day_number",
    "empty_consents",
    "empty_disputed",
    "feature_schema",
]
