"""decision idempotency and reservations

Reserved in the chain so that work on separate issues can add its tables
without two heads; empty until that work fills it.

Revision ID: 0004_decision_guards
Revises: 0003_keys_sessions
Create Date: 2026-12-01 21:20:00.000000
"""

from __future__ import annotations

revision = "0004_decision_guards"
down_revision = "0003_keys_sessions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
