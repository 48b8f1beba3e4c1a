"""A scorecard trained on a small synthetic city, without a ledger: simulate, feature, fit.

The records go straight to the feature engine (the ledger would only add
pseudonyms and storage), so a city of a few thousand residents trains in
seconds. Voluntary sources are consented for everyone who reported to them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from creditcity.domain.catalogue import CONSENT_KINDS
from creditcity.features.engine import compute_features
from creditcity.features.schema import CONSENT_SCHEMA, DISPUTED_SCHEMA
from creditcity.scoring import Scorecard
from creditcity.services.scoring import feature_specs, one_sided_features
from creditcity.sim import DEFAULT_AS_OF, SimulationSpec, simulate


def city_features(out: Path, *, residents: int, seed: int) -> tuple[pa.Table, np.ndarray]:
    """Features (``subject`` = national id) and 0/1 outcomes of a simulated city."""
    simulate(SimulationSpec(residents=residents, seed=seed), out)
    records = pq.read_table(out / "records.parquet")
    entries = pa.table(
        {
            "entry_id": pa.array(np.arange(records.num_rows, dtype=np.int64)),
            "subject": records.column("national_id"),
            "source": records.column("source"),
            "kind": records.column("kind"),
            "occurred_at": records.column("occurred_at"),
            "received_at": records.column("occurred_at"),
            "ref": records.column("ref"),
            "amount": records.column("amount"),
            "balance": records.column("balance"),
            "credit_limit": records.column("credit_limit"),
            "days_late": records.column("days_late"),
        }
    )
    voluntary = entries.filter(pc.is_in(entries.column("kind"), pa.array(sorted(CONSENT_KINDS))))
    pairs = (
        voluntary.group_by(["subject", "source"])
        .aggregate([])
        .cast(pa.schema([("subject", pa.string()), ("source", pa.string())]))
    )
    start = pa.scalar(np.datetime64("2000-01-01", "us"), CONSENT_SCHEMA.field("granted_at").type)
    consents = pa.table(
        {
            "subject": pairs.column("subject"),
            "source": pairs.column("source"),
            "granted_at": pa.array(
                [start.as_py()] * pairs.num_rows, CONSENT_SCHEMA.field("granted_at").type
            ),
            "withdrawn_at": pa.nulls(pairs.num_rows, CONSENT_SCHEMA.field("withdrawn_at").type),
        }
    )
    features = compute_features(
        entries, as_of=DEFAULT_AS_OF, disputed=DISPUTED_SCHEMA.empty_table(), consents=consents
    )
    outcomes = pq.read_table(out / "outcomes.parquet")
    outcomes = outcomes.filter(pc.equal(outcomes.column("as_of"), pa.scalar(DEFAULT_AS_OF)))
    labels = pa.table(
        {"subject": outcomes.column("national_id"), "defaulted": outcomes.column("defaulted")}
    )
    joined = features.join(labels, "subject", join_type="inner").sort_by("subject")
    y = np.asarray(joined.column("defaulted").to_numpy(zero_copy_only=False), dtype=np.int64)
    return joined.drop_columns(["defaulted"]), y


def city_scorecard(X: pa.Table, y: np.ndarray) -> Scorecard:
    """The city's scorecard, fitted as ``train`` fits it (registry features, one-sided consent,
    serious records and fixed directions)."""
    card = Scorecard(features=feature_specs(), one_sided=one_sided_features())
    return card.fit(X.drop_columns(["subject"]), y)
