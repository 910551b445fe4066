"""Story threads: stories of one storyline, and claims kept per thread (2 December 2026).

A story is one event; a thread links the events of one storyline (a position restated a month
later, a case's next hearing). Each story records its thread, the id of the thread's first story;
claims are grouped per thread, so a statement repeated at a later event joins the claim it
repeats. Stored stories are each their own thread, as their claims were grouped per story.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("stories") as batch:
        batch.add_column(sa.Column("thread_id", sa.String(64), nullable=True))
    op.create_index("ix_stories_thread_id", "stories", ["thread_id"])
    op.drop_index("ix_claims_story_id", "claims")
    with op.batch_alter_table("claims") as batch:
        batch.alter_column("story_id", new_column_name="thread_id", existing_type=sa.String(64))
    op.create_index("ix_claims_thread_id", "claims", ["thread_id"])


def downgrade() -> None:
    op.drop_index("ix_claims_thread_id", "claims")
    with op.batch_alter_table("claims") as batch:
        batch.alter_column("thread_id", new_column_name="story_id", existing_type=sa.String(64))
    op.create_index("ix_claims_story_id", "claims", ["story_id"])
    op.drop_index("ix_stories_thread_id", "stories")
    with op.batch_alter_table("stories") as batch:
        batch.drop_column("thread_id")
