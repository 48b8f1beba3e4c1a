"""portal: certificates issued and revoked

Reserved in the chain so that work on separate issues can add its tables
without two heads; empty until that work fills it.

Revision ID: 0007_portal
Revises: 0006_scoring
Create Date: 2026-12-01 21:20:00.000000
"""

from __future__ import annotations

revision = "0007_portal"
down_revision = "0006_scoring"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
