"""Repeating tasks: how a task repeats, the period of each occurrence, and the
occurrences (and their dependencies) waiting for their day to open.

Revision ID: 0005
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("occurrence",
    sa.Column("key", sa.String(), nullable=False),
    sa.Column("directive_id", sa.String(), nullable=False),
    sa.Column("task_pk", sa.Integer(), nullable=False),
    sa.Column("unit_id", sa.String(), nullable=True),
    sa.Column("lead_id", sa.String(), nullable=False),
    sa.Column("due_on", sa.Date(), nullable=False),
    sa.Column("period", sa.String(), nullable=False),
    sa.Column("opens_on", sa.Date(), nullable=False),
    sa.Column("lag_days", sa.Integer(), nullable=False),
    sa.Column("slack_days", sa.Integer(), nullable=False),
    sa.Column("critical", sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint("key")
    )
    op.create_index("ix_occurrence_directive_id", "occurrence", ["directive_id"])
    op.create_index("ix_occurrence_opens_on", "occurrence", ["opens_on"])
    op.create_table("occurrence_dependency",
    sa.Column("instance_key", sa.String(), nullable=False),
    sa.Column("prereq_key", sa.String(), nullable=False),
    sa.Column("directive_id", sa.String(), nullable=False),
    sa.Column("prereq_task", sa.String(), nullable=False),
    sa.Column("at_least", sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint("instance_key", "prereq_key")
    )
    op.create_index("ix_occurrence_dependency_prereq", "occurrence_dependency",
                    ["prereq_key"])
    op.create_index("ix_occurrence_dependency_directive_id", "occurrence_dependency",
                    ["directive_id"])
    with op.batch_alter_table("task") as batch:
        batch.add_column(sa.Column("repeat", sa.String(), nullable=True))
    with op.batch_alter_table("task_instance") as batch:
        batch.add_column(sa.Column("period", sa.String(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("task_instance") as batch:
        batch.drop_column("period")
    with op.batch_alter_table("task") as batch:
        batch.drop_column("repeat")
    op.drop_index("ix_occurrence_dependency_directive_id", "occurrence_dependency")
    op.drop_index("ix_occurrence_dependency_prereq", "occurrence_dependency")
    op.drop_table("occurrence_dependency")
    op.drop_index("ix_occurrence_opens_on", "occurrence")
    op.drop_index("ix_occurrence_directive_id", "occurrence")
    op.drop_table("occurrence")
