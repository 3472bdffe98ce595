"""Indicators with targets (declared on tasks, values reported with progress and done)
and a jurisdiction's rule for alerts while a unit's extension request waits.

Extension requests, refusals and difficulties are ledger events of their own kinds: the
event table needs no change.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("indicator_value",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("event_id", sa.Integer(), nullable=False),
    sa.Column("instance_pk", sa.Integer(), nullable=False),
    sa.Column("effective_on", sa.Date(), nullable=False),
    sa.Column("indicator", sa.String(), nullable=False),
    sa.Column("part", sa.String(), nullable=False),
    sa.Column("value", sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint("id")
    )
    with op.batch_alter_table("indicator_value", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_indicator_value_event_id"), ["event_id"],
                              unique=False)
        batch_op.create_index("ix_indicator_value_instance",
                              ["instance_pk", "indicator", "part"], unique=False)
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.add_column(sa.Column("indicators", sa.String(), nullable=False,
                                      server_default=""))
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.alter_column("indicators", server_default=None)
    with op.batch_alter_table("jurisdiction", schema=None) as batch_op:
        batch_op.add_column(sa.Column("extension_requests", sa.String(), nullable=False,
                                      server_default="escalate"))
    with op.batch_alter_table("jurisdiction", schema=None) as batch_op:
        batch_op.alter_column("extension_requests", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("jurisdiction", schema=None) as batch_op:
        batch_op.drop_column("extension_requests")
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.drop_column("indicators")
    with op.batch_alter_table("indicator_value", schema=None) as batch_op:
        batch_op.drop_index("ix_indicator_value_instance")
        batch_op.drop_index(batch_op.f("ix_indicator_value_event_id"))
    op.drop_table("indicator_value")
