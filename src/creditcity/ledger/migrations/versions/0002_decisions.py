"""decisions: the pay-later credit line granted

A decision grants either a waived deposit or fee (``waived_amount``) or a
pay-later credit line; the line needs its own column so that "deposits
waived" never counts money lent and exposure counts both.

Revision ID: 0002_decisions
Revises: 0001
Create Date: 2026-11-24 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_decisions"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("credit_line", sa.Float(), nullable=False, server_default=sa.text("0"))
        )


def downgrade() -> None:
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_column("credit_line")
