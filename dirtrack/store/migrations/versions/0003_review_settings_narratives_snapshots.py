"""The quarterly review"s document settings per jurisdiction (header, number, place,
recipients, signature, sector order), the secretariat"s narrative per quarter, and the
reviews kept for reuse while nothing they read has changed.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("review_narrative",
    sa.Column("jurisdiction", sa.String(), nullable=False),
    sa.Column("quarter", sa.String(), nullable=False),
    sa.Column("opening", sa.String(), nullable=False),
    sa.Column("results", sa.String(), nullable=False),
    sa.Column("shortcomings", sa.String(), nullable=False),
    sa.Column("directions", sa.String(), nullable=False),
    sa.Column("path", sa.String(), nullable=False),
    sa.PrimaryKeyConstraint("jurisdiction", "quarter")
    )
    op.create_table("review_setting",
    sa.Column("jurisdiction", sa.String(), nullable=False),
    sa.Column("issuer", sa.String(), nullable=False),
    sa.Column("superior", sa.String(), nullable=False),
    sa.Column("kind", sa.String(), nullable=False),
    sa.Column("number", sa.String(), nullable=False),
    sa.Column("place", sa.String(), nullable=False),
    sa.Column("subject", sa.String(), nullable=False),
    sa.Column("recipients", sa.String(), nullable=False),
    sa.Column("signer_authority", sa.String(), nullable=False),
    sa.Column("signer_title", sa.String(), nullable=False),
    sa.Column("signer_name", sa.String(), nullable=False),
    sa.Column("sectors", sa.String(), nullable=False),
    sa.Column("path", sa.String(), nullable=False),
    sa.PrimaryKeyConstraint("jurisdiction")
    )
    op.create_table("review_snapshot",
    sa.Column("jurisdiction", sa.String(), nullable=False),
    sa.Column("quarter", sa.String(), nullable=False),
    sa.Column("as_of", sa.Date(), nullable=False),
    sa.Column("directive", sa.String(), nullable=False),
    sa.Column("event_mark", sa.Integer(), nullable=False),
    sa.Column("event_count", sa.Integer(), nullable=False),
    sa.Column("outbox_mark", sa.Integer(), nullable=False),
    sa.Column("outbox_count", sa.Integer(), nullable=False),
    sa.Column("instance_mark", sa.Integer(), nullable=False),
    sa.Column("load_mark", sa.Integer(), nullable=False),
    sa.Column("context", sa.String(), nullable=False),
    sa.Column("built_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("data", sa.String(), nullable=False),
    sa.PrimaryKeyConstraint("jurisdiction", "quarter", "as_of", "directive")
    )


def downgrade() -> None:
    op.drop_table("review_snapshot")
    op.drop_table("review_setting")
    op.drop_table("review_narrative")
