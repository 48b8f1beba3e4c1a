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
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

metadata = MetaData()

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
