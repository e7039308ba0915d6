"""Moderation and versions: a removed seat keeps its row, marked (rule M5); the
`versions` table of whole-board snapshots (rules V1-V6); the `activity` table (A1-A3).

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
    with op.batch_alter_table("seats") as batch:
        batch.add_column(sa.Column("removed_at", sa.BigInteger, nullable=True))
    op.create_table(
        "versions",
        sa.Column(
            "board_id",
            sa.String(32),
            sa.ForeignKey("boards.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("label", sa.Text, nullable=False, server_default=""),
        sa.Column("author", sa.Text, nullable=False, server_default=""),
        sa.Column("object_count", sa.Integer, nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_versions_board_at", "versions", ["board_id", "created_at"])
    op.create_table(
        "activity",
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column(
            "board_id",
            sa.String(32),
            sa.ForeignKey("boards.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("at", sa.BigInteger, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("client", sa.String(64), nullable=False, server_default=""),
        sa.Column("name", sa.Text, nullable=False, server_default=""),
        sa.Column("detail", sa.Text, nullable=False, server_default="{}"),
    )
    op.create_index("ix_activity_board_at", "activity", ["board_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_activity_board_at", "activity")
    op.drop_table("activity")
    op.drop_index("ix_versions_board_at", "versions")
    op.drop_table("versions")
    with op.batch_alter_table("seats") as batch:
        batch.drop_column("removed_at")
