"""portal: certificates issued from the portal, so their QR code can be shown again

Revision ID: 0007_portal
Revises: 0006_scoring
Create Date: 2026-12-01 21:20:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_portal"
down_revision = "0006_scoring"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "portal_certificates",
        sa.Column("jti", sa.String(64), primary_key=True),
        sa.Column("subject", sa.String(34), nullable=False),
        sa.Column("token", sa.Text, nullable=False),
        sa.Column("issued_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_portal_certificates_subject", "portal_certificates", ["subject"])


def downgrade() -> None:
    op.drop_index("ix_portal_certificates_subject", table_name="portal_certificates")
    op.drop_table("portal_certificates")
