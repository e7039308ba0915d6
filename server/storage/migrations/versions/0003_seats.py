"""Seats (server-issued client ids, rule S18) and the batch-id window (rule S11).

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


def _board_fk() -> sa.Column[str]:
    return sa.Column(
        "board_id", sa.String(32), sa.ForeignKey("boards.id", ondelete="CASCADE"), primary_key=True
    )


def upgrade() -> None:
    op.create_table(
        "batch_ids",
        _board_fk(),
        sa.Column("batch_id", sa.String(64), primary_key=True),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("skipped", sa.Text, nullable=False, server_default="[]"),
        sa.Column("applied", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_batch_ids_board_seq", "batch_ids", ["board_id", "seq"])
    # The ids the ops log still holds are the ones resends were recognised by until now.
    op.execute(
        "INSERT INTO batch_ids (board_id, batch_id, seq, skipped, applied, created_at) "
        "SELECT board_id, batch_id, seq, skipped, true, created_at FROM batches"
    )
    op.create_table(
        "seats",
        _board_fk(),
        sa.Column("client", sa.String(64), primary_key=True),
        sa.Column("secret_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("seen_at", sa.BigInteger, nullable=False),
        sa.UniqueConstraint("board_id", "secret_hash", name="uq_seats_board_secret"),
    )


def downgrade() -> None:
    op.drop_table("seats")
    op.drop_index("ix_batch_ids_board_seq", "batch_ids")
    op.drop_table("batch_ids")
