"""api keys and portal sessions

Reserved in the chain so that work on separate issues can add its tables
without two heads; empty until that work fills it.

Revision ID: 0003_keys_sessions
Revises: 0002_decisions
Create Date: 2026-12-01 21:20:00.000000
"""

from __future__ import annotations

revision = "0003_keys_sessions"
down_revision = "0002_decisions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
