"""Ledger: every article id read and what became of it, for exact resumption (1 December 2026).

The last revision of stores made before revisions were recorded.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ledger",
        sa.Column("id", sa.String(512), primary_key=True),
        sa.Column("outcome", sa.String(16)),
        sa.Column("original", sa.String(512)),
    )


def downgrade() -> None:
    op.drop_table("ledger")
