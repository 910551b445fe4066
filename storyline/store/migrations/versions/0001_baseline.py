"""Baseline: the store as Storyline made it on 24 November 2026 (commit acac1ed).

Articles with their cleaning, mentions, statements, quantities and time expressions; stories,
their history and claims; resolved entities; the clusterer's term and per-source line counts;
the quarantine list and named values. Stores made before revisions were recorded and matching
these tables are stamped 0001 by `storyline db upgrade`.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_INDEXES = {  # table -> indexed columns, named ix_<table>_<column> as `index=True` names them
    "articles": ("source", "canonical_url", "date", "content_hash", "duplicate_of", "story_id"),
    "removed_lines": ("article_id",),
    "entities": ("name", "type"),
    "entity_mentions": ("article_id", "entity_id"),
    "statements": ("article_id", "story_id", "entity_id", "said_on"),
    "quantities": ("article_id",),
    "time_expressions": ("article_id",),
    "claims": ("story_id",),
    "stories": ("first_date", "last_date"),
    "story_events": ("story_id",),
}


def upgrade() -> None:
    op.create_table(
        "stories",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("headline", sa.Text(), nullable=False),
        sa.Column("first_date", sa.String(32)),
        sa.Column("last_date", sa.String(32)),
        sa.Column("article_count", sa.Integer(), nullable=False),
        sa.Column("source_count", sa.Integer(), nullable=False),
        sa.Column("profile", sa.LargeBinary()),
        sa.Column("created_at", sa.DateTime(), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), server_default=sa.func.now(), nullable=False),
    )
    op.create_table(
        "articles",
        sa.Column("id", sa.String(512), primary_key=True),
        sa.Column("source", sa.String(256)),
        sa.Column("url", sa.Text()),
        sa.Column("canonical_url", sa.String(2048)),
        sa.Column("date", sa.String(32)),
        sa.Column("date_source", sa.String(32)),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("lang", sa.String(8)),
        sa.Column("origin", sa.Text(), nullable=False),
        sa.Column("dateline", sa.Text()),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("minhash", sa.LargeBinary()),
        sa.Column("duplicate_of", sa.String(512)),
        sa.Column("story_id", sa.String(64), sa.ForeignKey("stories.id")),
        sa.Column("story_score", sa.Float()),
        sa.Column("story_reason", sa.Text()),
        sa.Column("ingested_at", sa.DateTime(), server_default=sa.func.now(), nullable=False),
    )
    op.create_table(
        "removed_lines",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("article_id", sa.String(512), sa.ForeignKey("articles.id"), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("reason", sa.String(64), nullable=False),
    )
    op.create_table(
        "entities",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("aliases", sa.Text(), nullable=False),
        sa.Column("roles", sa.Text(), nullable=False),
        sa.Column("article_count", sa.Integer(), nullable=False),
        sa.Column("state", sa.Text()),
    )
    op.create_table(
        "entity_mentions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("article_id", sa.String(512), sa.ForeignKey("articles.id"), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("label", sa.String(16), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.String(64)),
    )
    op.create_table(
        "statements",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("article_id", sa.String(512), sa.ForeignKey("articles.id"), nullable=False),
        sa.Column("story_id", sa.String(64)),
        sa.Column("speaker", sa.Text()),
        sa.Column("speaker_mention", sa.Text(), nullable=False),
        sa.Column("entity_id", sa.String(64)),
        sa.Column("cue", sa.String(128), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("direct", sa.Boolean(), nullable=False),
        sa.Column("said_on", sa.String(32)),
        sa.Column("said_on_source", sa.String(32)),
    )
    op.create_table(
        "quantities",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("article_id", sa.String(512), sa.ForeignKey("articles.id"), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("unit", sa.Text(), nullable=False),
        sa.Column("approximation", sa.String(32)),
    )
    op.create_table(
        "time_expressions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("article_id", sa.String(512), sa.ForeignKey("articles.id"), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("value", sa.String(64), nullable=False),
        sa.Column("mod", sa.String(16)),
    )
    op.create_table(
        "claims",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("story_id", sa.String(64)),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("first_date", sa.String(32)),
        sa.Column("verdicts", sa.String(128), nullable=False),
        sa.Column("statement_count", sa.Integer(), nullable=False),
        sa.Column("record", sa.Text(), nullable=False),
    )
    op.create_table(
        "story_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("story_id", sa.String(64), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(), server_default=sa.func.now(), nullable=False),
    )
    op.create_table(
        "term_frequencies",
        sa.Column("term", sa.String(128), primary_key=True),
        sa.Column("articles", sa.Integer(), nullable=False),
    )
    op.create_table(
        "source_lines",
        sa.Column("source", sa.String(256), primary_key=True),
        sa.Column("line_key", sa.String(64), primary_key=True),
        sa.Column("articles", sa.Integer(), nullable=False),
    )
    op.create_table(
        "problems",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("origin", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(), server_default=sa.func.now(), nullable=False),
    )
    op.create_table(
        "meta",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text(), nullable=False),
    )
    for table, columns in _INDEXES.items():
        for column in columns:
            op.create_index(f"ix_{table}_{column}", table, [column])
    op.create_index("ix_articles_story_date", "articles", ["story_id", "date"])


def downgrade() -> None:
    for table in (
        "meta", "problems", "source_lines", "term_frequencies", "story_events", "claims",
        "time_expressions", "quantities", "statements", "entity_mentions", "entities",
        "removed_lines", "articles", "stories",
    ):
        op.drop_table(table)  # its indexes go with it
