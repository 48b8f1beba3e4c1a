"""limits: rate and dispute limits

Reserved in the chain so that work on separate issues can add its tables
without two heads; empty until that work fills it.

Revision ID: 0008_limits
Revises: 0007_portal
Create Date: 2026-12-01 21:20:00.000000
"""

from __future__ import annotations

revision = "0008_limits"
down_revision = "0007_portal"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
