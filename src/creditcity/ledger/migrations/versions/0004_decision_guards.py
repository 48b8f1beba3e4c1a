"""decision guards: idempotency keys for decision and outcome requests

A provider may send ``Idempotency-Key`` with a decision or an outcome report.
The first request with a key stores the answer it got, keyed by the caller and
the key, with a fingerprint of what was asked; a retry with the same key and
the same request gets that answer back, never a second decision. The row is
written in the same transaction as the decision, so a decision is never
answered without its key, nor a key kept without its decision.

Revision ID: 0004_decision_guards
Revises: 0003_keys_sessions
Create Date: 2026-12-01 21:20:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_decision_guards"
down_revision = "0003_keys_sessions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "idempotency_keys",
        sa.Column("principal", sa.String(96), nullable=False),
        sa.Column("key", sa.String(128), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("response", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("principal", "key", name="pk_idempotency_keys"),
    )


def downgrade() -> None:
    op.drop_table("idempotency_keys")
