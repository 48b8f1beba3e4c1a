"""api keys and portal sessions

API keys move from a file read at start into the database (hashed), with a
version counter that running servers poll to pick up a new or revoked key
within a second; portal sessions become server-side rows that signing out
or revoking the key ends.

Revision ID: 0003_keys_sessions
Revises: 0002_decisions
Create Date: 2026-12-01 21:20:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_keys_sessions"
down_revision = "0002_decisions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("key_id", sa.String(24), primary_key=True),
        sa.Column("digest", sa.String(64), nullable=False, unique=True),
        sa.Column("principal", sa.String(128), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("services", sa.JSON(), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("demo", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime()),
        sa.Column("revoked_at", sa.DateTime()),
        sa.Column("replaced_by", sa.String(24)),
    )
    op.create_table(
        "versions",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("version", sa.BigInteger(), nullable=False),
    )
    op.bulk_insert(
        sa.table("versions", sa.column("name", sa.String), sa.column("version", sa.BigInteger)),
        [{"name": "keys", "version": 0}],
    )
    op.create_table(
        "portal_sessions",
        sa.Column("token_digest", sa.String(64), primary_key=True),
        sa.Column("key_id", sa.String(24)),
        sa.Column("principal", sa.String(128), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime()),
    )
    op.create_index("ix_portal_sessions_key_id", "portal_sessions", ["key_id"])


def downgrade() -> None:
    op.drop_index("ix_portal_sessions_key_id", table_name="portal_sessions")
    op.drop_table("portal_sessions")
    op.drop_table("versions")
    op.drop_table("api_keys")
