"""Seat numbers: anonymous mode shows people as "Deltaker N" (rule M7).

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable: seats made before this revision get their number when next claimed.
    with op.batch_alter_table("seats") as batch:
        batch.add_column(sa.Column("number", sa.Integer, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("seats") as batch:
        batch.drop_column("number")
