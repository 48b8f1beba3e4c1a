"""office indexes: covering indexes for the office's figures

The office's figures read a few columns of every decision, ask of each how
it ended, and of every person which adjudicated records they have; without
these, each reads every decision row with its reasons and asks the whole
ledger (seconds on a 20,000-resident city with a year of decisions). The two
ledger indexes hold only their few kinds, so imports of other records do not
pay for them; the decisions index costs each decision one more index entry.

Revision ID: 0009_office_indexes
Revises: 0008_limits
Create Date: 2026-12-02 04:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_office_indexes"
down_revision = "0008_limits"
branch_labels = None
depends_on = None

# Frozen here as they were when this ran: a later change of the kinds needs a new migration.
OUTCOMES = "kind IN ('borrowing_returned', 'borrowing_lost', 'pay_later_paid', 'pay_later_overdue')"
ADJUDICATED = "kind IN ('court_judgment', 'judgment_satisfied', 'proven_fraud')"


FIGURES = [
    "tier",
    "service",
    "approved",
    "decided_at",
    "waived_amount",
    "credit_line",
    "subject",
    "decision_id",
    "requested_by",
]


def upgrade() -> None:
    op.create_index("ix_decisions_figures", "decisions", FIGURES)
    op.create_index(
        "ix_entries_outcomes",
        "entries",
        ["ref", "subject", "occurred_at", "kind", "source"],
        sqlite_where=sa.text(OUTCOMES),
        postgresql_where=sa.text(OUTCOMES),
    )
    op.create_index(
        "ix_entries_adjudicated",
        "entries",
        ["kind", "subject", "source", "ref", "occurred_at", "idempotency_key", "entry_id"],
        sqlite_where=sa.text(ADJUDICATED),
        postgresql_where=sa.text(ADJUDICATED),
    )


def downgrade() -> None:
    op.drop_index("ix_decisions_figures", table_name="decisions")
    op.drop_index("ix_entries_adjudicated", table_name="entries")
    op.drop_index("ix_entries_outcomes", table_name="entries")
