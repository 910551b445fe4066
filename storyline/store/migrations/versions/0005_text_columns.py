"""Text columns: input text of any length, and the desk's read indexes in the schema (1 December 2026).

Columns that hold text from the input become unbounded: PostgreSQL enforced the old lengths and
refused real input (a feed item's id `path#URL`, a `lang` such as `en-GB-oxendict`) that SQLite
stored. On PostgreSQL a VARCHAR-to-TEXT change rewrites nothing; SQLite copies each table.
The desk's three read indexes move from `storyline.store.search` into the schema; stores whose
desk made them already keep theirs.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# table -> (column, its old length, nullable)
WIDENED = {
    "articles": [
        ("id", 512, False), ("source", 256, True), ("canonical_url", 2048, True),
        ("lang", 8, True), ("duplicate_of", 512, True),
    ],
    "article_embeddings": [("article_id", 512, False), ("model", 64, False)],
    "removed_lines": [("article_id", 512, False)],
    "entity_mentions": [("article_id", 512, False)],
    "statements": [("article_id", 512, False), ("cue", 128, False)],
    "quantities": [("article_id", 512, False)],
    "time_expressions": [("article_id", 512, False)],
    "term_frequencies": [("term", 128, False)],
    "source_lines": [("source", 256, False)],
    "ledger": [("id", 512, False), ("original", 512, True)],
    "feeds": [("url", 2048, False)],
    "fetched_pages": [
        ("canonical_url", 2048, False), ("article_id", 512, True), ("feed_url", 2048, True),
    ],
}
INDEXES = [
    ("ix_entity_mentions_text_label", "entity_mentions", ["text", "label"]),
    ("ix_articles_source_story", "articles", ["source", "story_id"]),
    ("ix_articles_lang_story", "articles", ["lang", "story_id"]),
]


def upgrade() -> None:
    for table, columns in WIDENED.items():
        with op.batch_alter_table(table) as batch:
            for column, length, nullable in columns:
                batch.alter_column(
                    column, existing_type=sa.String(length), type_=sa.Text(),
                    existing_nullable=nullable,
                )
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, if_not_exists=True)


def downgrade() -> None:
    for name, table, _ in INDEXES:
        op.drop_index(name, table_name=table)
    for table, columns in reversed(WIDENED.items()):
        with op.batch_alter_table(table) as batch:
            for column, length, nullable in columns:
                batch.alter_column(
                    column, existing_type=sa.Text(), type_=sa.String(length),
                    existing_nullable=nullable,
                )
