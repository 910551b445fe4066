"""Watched feeds and fetched pages: the state `storyline watch` keeps (1 December 2026).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feeds",
        sa.Column("url", sa.String(2048), primary_key=True),
        sa.Column("etag", sa.Text()),
        sa.Column("last_modified", sa.Text()),
        sa.Column("last_polled_at", sa.DateTime()),
        sa.Column("last_status", sa.Integer()),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text()),
    )
    op.create_table(
        "fetched_pages",
        sa.Column("canonical_url", sa.String(2048), primary_key=True),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("article_id", sa.String(512)),
        sa.Column("feed_url", sa.String(2048)),
        sa.Column("fetched_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.Integer()),
        sa.Column("note", sa.Text()),
    )


def downgrade() -> None:
    op.drop_table("fetched_pages")
    op.drop_table("feeds")
