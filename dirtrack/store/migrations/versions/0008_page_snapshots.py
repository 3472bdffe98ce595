"""Page snapshots: the dashboard, the review's figures beside it and the review's
document as the daily deadline check built them, kept while nothing they read changed;
an index of the cancelled alerts, which a kept dashboard counts.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("page_snapshot",
    sa.Column("page", sa.String(), nullable=False),
    sa.Column("question", sa.String(), nullable=False),
    sa.Column("as_of", sa.Date(), nullable=False),
    sa.Column("event_mark", sa.Integer(), nullable=False),
    sa.Column("event_count", sa.Integer(), nullable=False),
    sa.Column("outbox_mark", sa.Integer(), nullable=False),
    sa.Column("outbox_count", sa.Integer(), nullable=False),
    sa.Column("instance_mark", sa.Integer(), nullable=False),
    sa.Column("load_mark", sa.Integer(), nullable=False),
    sa.Column("context", sa.String(), nullable=False),
    sa.Column("built_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("data", sa.String(), nullable=False),
    sa.PrimaryKeyConstraint("page", "question", "as_of")
    )
    op.create_index(
        "ix_outbox_cancelled",
        "outbox",
        ["id"],
        unique=False,
        sqlite_where=sa.text("status = 'cancelled'"),
        postgresql_where=sa.text("status = 'cancelled'"),
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_cancelled", table_name="outbox")
    op.drop_table("page_snapshot")
