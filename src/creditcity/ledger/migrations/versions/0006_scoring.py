"""scoring: models and validation

Reserved in the chain so that work on separate issues can add its tables
without two heads; empty until that work fills it.

Revision ID: 0006_scoring
Revises: 0005_federation
Create Date: 2026-12-01 21:20:00.000000
"""

from __future__ import annotations

revision = "0006_scoring"
down_revision = "0005_federation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
