"""The database schema, in SQLAlchemy Core. Alembic migrations create it.

``entries`` is the ledger proper and is append-only: nothing in creditcity
issues an UPDATE or DELETE against it except ``purge``, which blanks payloads
past retention and records a tombstone in the audit log. Everything else here
is either an append-only event log (consents, audit_log, score history) or
operational state derived from the ledger (disputes, outbox).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    ColumnElement,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    literal_column,
    text,
)

metadata = MetaData()

#: The kinds two partial indexes of ``entries`` hold: how decisions ended, and the
#: adjudicated records restrictions follow from. SQLite uses a partial index only
#: when the query repeats its predicate word for word, with literals, not bound
#: parameters: :func:`kind_in_index` writes that term. Migration 0009 made both.
INDEXED_OUTCOME_KINDS = (
    "borrowing_returned",
    "borrowing_lost",
    "pay_later_paid",
    "pay_later_overdue",
)
INDEXED_RESTRICTION_KINDS = ("court_judgment", "judgment_satisfied", "proven_fraud")


def _kind_predicate(kinds: tuple[str, ...]) -> str:
    return "kind IN (" + ", ".join(f"'{k}'" for k in kinds) + ")"


def kind_in_index(column: ColumnElement[str], kinds: tuple[str, ...]) -> ColumnElement[bool]:
    """``column IN (...)`` with ``kinds`` as literals: the predicate of the partial index
    of those kinds, so the query may read through it (narrow further with a second term)."""
    return column.in_([literal_column(f"'{k}'") for k in kinds])


# SQLite only auto-increments INTEGER PRIMARY KEY, so BIGINT ids are declared
# with an INTEGER variant there.
Id = BigInteger().with_variant(Integer(), "sqlite")
Money = Float(asdecimal=False)

subjects = Table(
    "subjects",
    metadata,
    Column("subject", String(34), primary_key=True),
    Column("home_city", String(64)),
    Column("first_seen_at", DateTime, nullable=False),
)

entries = Table(
    "entries",
    metadata,
    Column("entry_id", Id, primary_key=True, autoincrement=True),
    Column("source", String(96), nullable=False),
    Column("idempotency_key", String(128), nullable=False),
    Column("subject", String(34), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("occurred_at", DateTime, nullable=False),
    Column("received_at", DateTime, nullable=False),
    Column("city", String(64)),
    Column("supersedes", String(128)),
    Column("ref", String(128)),
    Column("amount", Money),
    Column("balance", Money),
    Column("credit_limit", Money),
    Column("days_late", Integer),
    Column("item", String(16)),
    Column("service", String(32)),
    UniqueConstraint("source", "idempotency_key", name="uq_entries_source_key"),
    Index("ix_entries_subject", "subject", "occurred_at"),
    # Few entries correct others, so the index only holds those that do.
    Index(
        "ix_entries_supersedes",
        "source",
        "supersedes",
        sqlite_where=text("supersedes IS NOT NULL"),
        postgresql_where=text("supersedes IS NOT NULL"),
    ),
    # the office's figures look up each decision's outcomes, and every adjudicated
    # record, without reading the rest of the ledger (covering, so no row is fetched)
    Index(
        "ix_entries_outcomes",
        "ref",
        "subject",
        "occurred_at",  # before kind and source: one seek per decision, not one per pair
        "kind",
        "source",
        sqlite_where=text(_kind_predicate(INDEXED_OUTCOME_KINDS)),
        postgresql_where=text(_kind_predicate(INDEXED_OUTCOME_KINDS)),
    ),
    Index(
        "ix_entries_adjudicated",
        "kind",
        "subject",
        "source",
        "ref",
        "occurred_at",
        "idempotency_key",
        "entry_id",
        sqlite_where=text(_kind_predicate(INDEXED_RESTRICTION_KINDS)),
        postgresql_where=text(_kind_predicate(INDEXED_RESTRICTION_KINDS)),
    ),
)

models = Table(
    "models",
    metadata,
    Column("version", String(64), primary_key=True),
    Column("created_at", DateTime, nullable=False),
    Column("activated_at", DateTime),
    Column("artefact", Text, nullable=False),
)

scores = Table(
    "scores",
    metadata,
    Column("score_id", Id, primary_key=True, autoincrement=True),
    Column("subject", String(34), nullable=False),
    Column("as_of", Date, nullable=False),
    Column("computed_at", DateTime, nullable=False),
    Column("model_version", String(64), nullable=False),
    Column("score", Integer, nullable=False),
    Column("percentile", Float, nullable=False),
    Column("city", String(64)),
    Column("dimensions", JSON, nullable=False),
    Column("reasons", JSON, nullable=False),
    Index("ix_scores_subject", "subject", "score_id"),
)

decisions = Table(
    "decisions",
    metadata,
    Column("decision_id", String(40), primary_key=True),
    Column("subject", String(34), nullable=False, index=True),
    Column("service", String(32), nullable=False),
    Column("amount", Money, nullable=False),
    Column("purpose", Text, nullable=False),
    Column("requested_by", String(96), nullable=False),
    Column("decided_at", DateTime, nullable=False),
    Column("approved", Boolean, nullable=False),
    Column("waived_amount", Money, nullable=False),
    # the pay-later line granted (0 for waivers); added by migration 0002_decisions
    Column("credit_line", Money, nullable=False, server_default=text("0")),
    Column("tier", String(32)),
    Column("score", Integer),
    Column("reasons", JSON, nullable=False),
    Column("restrictions", JSON, nullable=False),
    Column("model_version", String(64)),
    Column("policy_version", String(64), nullable=False),
    # the office's figures read these columns of every decision: from this index
    # alone, never the rows with their reasons (migration 0009)
    Index(
        "ix_decisions_figures",
        "tier",
        "service",
        "approved",
        "decided_at",
        "waived_amount",
        "credit_line",
        "subject",
        "decision_id",
        "requested_by",
    ),
)

disputes = Table(
    "disputes",
    metadata,
    Column("dispute_id", Id, primary_key=True, autoincrement=True),
    Column("subject", String(34), nullable=False, index=True),
    Column("entry_id", BigInteger, nullable=False, index=True),
    Column("statement", Text, nullable=False),
    Column("opened_at", DateTime, nullable=False),
    Column("deadline", DateTime, nullable=False),
    Column("status", String(16), nullable=False),
    Column("resolved_at", DateTime),
    Column("resolved_by", String(96)),
    Column("resolution", Text),
)

consents = Table(
    "consents",
    metadata,
    Column("consent_id", Id, primary_key=True, autoincrement=True),
    Column("subject", String(34), nullable=False, index=True),
    Column("source", String(96), nullable=False),
    Column("action", String(8), nullable=False),
    Column("at", DateTime, nullable=False),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("at", String(32), nullable=False),
    Column("actor", String(96), nullable=False),
    Column("role", String(16), nullable=False),
    Column("purpose", Text, nullable=False),
    Column("action", String(32), nullable=False),
    Column("subject", String(34), nullable=False, index=True),
    Column("detail", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

notices = Table(
    "notices",
    metadata,
    Column("notice_id", Id, primary_key=True, autoincrement=True),
    Column("subject", String(34), nullable=False, index=True),
    Column("created_at", DateTime, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("text", Text, nullable=False),
    Column("reference", String(128)),
    UniqueConstraint("subject", "kind", "reference", name="uq_notices_once"),
)

outbox = Table(
    "outbox",
    metadata,
    Column("message_id", Id, primary_key=True, autoincrement=True),
    Column("created_at", DateTime, nullable=False),
    Column("topic", String(64), nullable=False),
    Column("recipient", String(96), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("delivered_at", DateTime),
)

revocations = Table(
    "revocations",
    metadata,
    Column("jti", String(64), primary_key=True),
    Column("revoked_at", DateTime, nullable=False),
)

# --- portal (migration 0007_portal) ---
#: certificates a resident issued from the portal, kept so they can show the QR code again
#: (the token states only tier and validity; revocation lives in ``revocations``)
portal_certificates = Table(
    "portal_certificates",
    metadata,
    Column("jti", String(64), primary_key=True),
    Column("subject", String(34), nullable=False, index=True),
    Column("token", Text, nullable=False),
    Column("issued_at", DateTime, nullable=False),
)

# --- federation (migration 0005_federation) -------------------------------------------------
# Peers and what was exchanged with them. Received batches, witnessed checkpoints and
# the outbox are append-only logs; cursors, links and pending records are operational state.

federation_peers = Table(
    "federation_peers",
    metadata,
    Column("city", String(64), primary_key=True),
    Column("url", Text, nullable=False),
    Column("jwks", JSON, nullable=False),
    Column("added_at", DateTime, nullable=False),
)

# One row per shareable entry (or dispute to forward) in the order it committed here;
# `batch_seq` is set when the message is published in a signed batch.
federation_outbox = Table(
    "federation_outbox",
    metadata,
    Column("message_id", Id, primary_key=True, autoincrement=True),
    #: "entry:<entry_id>" for a record, "dispute:<outbox message_id>" for a forwarded dispute
    Column("origin", String(160), nullable=False),
    Column("entry_id", BigInteger),
    Column("created_at", DateTime, nullable=False),
    Column("batch_seq", BigInteger),
    UniqueConstraint("origin", name="uq_federation_outbox_origin"),
    Index("ix_federation_outbox_unbatched", "batch_seq", "message_id"),
)

# The batches this city published, numbered without gaps.
federation_batches = Table(
    "federation_batches",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("created_at", DateTime, nullable=False),
    Column("hash", String(64), nullable=False),
    Column("records", Integer, nullable=False),
    Column("token", Text, nullable=False),
)

# Where each peer's feed was read up to (the last batch accepted and its hash).
federation_cursors = Table(
    "federation_cursors",
    metadata,
    Column("peer", String(64), primary_key=True),
    Column("seq", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

federation_received = Table(
    "federation_received",
    metadata,
    Column("peer", String(64), primary_key=True),
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("hash", String(64), nullable=False),
    Column("records", Integer, nullable=False),
    Column("received_at", DateTime, nullable=False),
)

# Which ledger entries came from a peer, under which key they are kept at home there.
federation_records = Table(
    "federation_records",
    metadata,
    Column("source", String(96), primary_key=True),
    Column("idempotency_key", String(128), primary_key=True),
    Column("peer", String(64), nullable=False),
    Column("origin_key", String(128), nullable=False),
    Column("federation_subject", String(34), nullable=False),
)

# A record for someone this city has not seen yet, kept under their federation pseudonym.
federation_pending = Table(
    "federation_pending",
    metadata,
    Column("pending_id", Id, primary_key=True, autoincrement=True),
    Column("federation_subject", String(34), nullable=False, index=True),
    Column("peer", String(64), nullable=False),
    Column("record", JSON, nullable=False),
    Column("received_at", DateTime, nullable=False),
)

# A local pseudonym and the federation pseudonym of the same national ID.
federation_links = Table(
    "federation_links",
    metadata,
    Column("subject", String(34), primary_key=True),
    Column("federation_subject", String(34), nullable=False, index=True),
)

# Disputes peers forwarded about this city's records, handled after their batch commits.
federation_inbound = Table(
    "federation_inbound",
    metadata,
    Column("inbound_id", Id, primary_key=True, autoincrement=True),
    Column("peer", String(64), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("received_at", DateTime, nullable=False),
    Column("handled_at", DateTime),
    Column("outcome", Text),
)

# Signed audit checkpoints: this city's own (peer = its city) and those peers published.
federation_checkpoints = Table(
    "federation_checkpoints",
    metadata,
    Column("peer", String(64), primary_key=True),
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("hash", String(64), nullable=False),
    Column("at", String(40), nullable=False),
    Column("token", Text, nullable=False),
)

federation_refusals = Table(
    "federation_refusals",
    metadata,
    Column("refusal_id", Id, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False),
    Column("peer", String(64), nullable=False),
    Column("reason", String(32), nullable=False),
    Column("batch_seq", BigInteger),
    Column("message", Text, nullable=False),
)

# API keys: only the SHA-256 of a key is kept; a revoked key keeps its row (who held
# it, when it ended) so the audit log's actors stay explained.
api_keys = Table(
    "api_keys",
    metadata,
    Column("key_id", String(24), primary_key=True),
    Column("digest", String(64), nullable=False, unique=True),
    Column("principal", String(128), nullable=False),
    Column("role", String(16), nullable=False),
    Column("scopes", JSON, nullable=False),
    Column("services", JSON, nullable=False),
    Column("label", String(200), nullable=False),
    Column("demo", Boolean, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime),
    Column("revoked_at", DateTime),
    Column("replaced_by", String(24)),
)

# One row per counter; every change to api_keys bumps "keys" in the same
# transaction, so a server learns that its cached keys are stale from one cheap read.
versions = Table(
    "versions",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("version", BigInteger, nullable=False),
)

# Portal sessions, server-side: the cookie is a random token and only its digest
# is stored. Signing out or revoking the key ends the row; nothing else revives it.
portal_sessions = Table(
    "portal_sessions",
    metadata,
    Column("token_digest", String(64), primary_key=True),
    Column("key_id", String(24), index=True),
    Column("principal", String(128), nullable=False),
    Column("role", String(16), nullable=False),
    Column("label", String(200), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
    Column("ended_at", DateTime),
)

#: The answer given to each (caller, Idempotency-Key), so a retry gets it back
#: (migration 0004_decision_guards).
idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("principal", String(96), nullable=False),
    Column("key", String(128), nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("response", Text, nullable=False),
    PrimaryKeyConstraint("principal", "key", name="pk_idempotency_keys"),
)
