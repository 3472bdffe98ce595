"""A unit's locality: the place (a commune, a ward) whose Party committee, People's
Committee and Front committee share it, so alerts and the review can address the place.

Units already loaded have none until their jurisdiction is loaded again.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.add_column(sa.Column("locality", sa.String(), nullable=True))
        batch_op.create_index(batch_op.f("ix_unit_locality"), ["locality"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unit_locality"))
        batch_op.drop_column("locality")
