"""federation peers, outbox and cursors

The tables of :mod:`creditcity.ledger.tables` under "federation": peers and
their keys, the outbox of shareable records and the batches published from
it, the cursor and log of every peer's feed, records received for people not
yet seen here, the local-to-federation pseudonym links, disputes forwarded by
peers, witnessed audit checkpoints and refused batches.

Revision ID: 0005_federation
Revises: 0004_decision_guards
Create Date: 2026-12-01 21:20:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_federation"
down_revision = "0004_decision_guards"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "federation_peers",
        sa.Column("city", sa.String(64), primary_key=True),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("jwks", sa.JSON(), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "federation_outbox",
        sa.Column("message_id", _ID, primary_key=True, autoincrement=True),
        sa.Column("origin", sa.String(160), nullable=False),
        sa.Column("entry_id", sa.BigInteger()),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("batch_seq", sa.BigInteger()),
        sa.UniqueConstraint("origin", name="uq_federation_outbox_origin"),
    )
    op.create_index(
        "ix_federation_outbox_unbatched", "federation_outbox", ["batch_seq", "message_id"]
    )
    op.create_table(
        "federation_batches",
        sa.Column("seq", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("token", sa.Text(), nullable=False),
    )
    op.create_table(
        "federation_cursors",
        sa.Column("peer", sa.String(64), primary_key=True),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "federation_received",
        sa.Column("peer", sa.String(64), primary_key=True),
        sa.Column("seq", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "federation_records",
        sa.Column("source", sa.String(96), primary_key=True),
        sa.Column("idempotency_key", sa.String(128), primary_key=True),
        sa.Column("peer", sa.String(64), nullable=False),
        sa.Column("origin_key", sa.String(128), nullable=False),
        sa.Column("federation_subject", sa.String(34), nullable=False),
    )
    _second_half()


def _second_half() -> None:
    op.create_table(
        "federation_pending",
        sa.Column("pending_id", _ID, primary_key=True, autoincrement=True),
        sa.Column("federation_subject", sa.String(34), nullable=False),
        sa.Column("peer", sa.String(64), nullable=False),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
    )
    op.create_index(
        "ix_federation_pending_federation_subject", "federation_pending", ["federation_subject"]
    )
    op.create_table(
        "federation_links",
        sa.Column("subject", sa.String(34), primary_key=True),
        sa.Column("federation_subject", sa.String(34), nullable=False),
    )
    op.create_index(
        "ix_federation_links_federation_subject", "federation_links", ["federation_subject"]
    )
    op.create_table(
        "federation_inbound",
        sa.Column("inbound_id", _ID, primary_key=True, autoincrement=True),
        sa.Column("peer", sa.String(64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("handled_at", sa.DateTime()),
        sa.Column("outcome", sa.Text()),
    )
    op.create_table(
        "federation_checkpoints",
        sa.Column("peer", sa.String(64), primary_key=True),
        sa.Column("seq", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("token", sa.Text(), nullable=False),
    )
    op.create_table(
        "federation_refusals",
        sa.Column("refusal_id", _ID, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("peer", sa.String(64), nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("batch_seq", sa.BigInteger()),
        sa.Column("message", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    for table in (
        "federation_refusals",
        "federation_checkpoints",
        "federation_inbound",
        "federation_links",
        "federation_pending",
        "federation_records",
        "federation_received",
        "federation_cursors",
        "federation_batches",
        "federation_outbox",
        "federation_peers",
    ):
        op.drop_table(table)
