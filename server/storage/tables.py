"""The SQL schema (SQLAlchemy Core); docs/storage.md explains each table.

Times are integer milliseconds since the epoch so SQLite and PostgreSQL agree.
Object state is stored as JSON text: the domain validates it, the database keeps it.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

boards = Table(
    "boards",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("title", Text, nullable=False),
    Column("settings", Text, nullable=False, default="{}"),
    Column("seq", BigInteger, nullable=False, default=0),
    Column("object_count", Integer, nullable=False, default=0),
    Column("created_at", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
    Column("opened_at", BigInteger, nullable=False),
    Column("archived_at", BigInteger, nullable=True),
)

links = Table(
    "links",
    metadata,
    Column("board_id", String(32), ForeignKey("boards.id", ondelete="CASCADE"), primary_key=True),
    Column("role", String(16), primary_key=True),
    Column("token_hash", String(64), nullable=False),
    Column("created_at", BigInteger, nullable=False),
)

objects = Table(
    "objects",
    metadata,
    Column("board_id", String(32), ForeignKey("boards.id", ondelete="CASCADE"), primary_key=True),
    Column("id", String(64), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("data", Text, nullable=False),
    Column("deleted", Boolean, nullable=False, default=False),
    Column("author", Text, nullable=False, default=""),
    Column("created_seq", BigInteger, nullable=False),
    Column("updated_seq", BigInteger, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
)

batches = Table(
    "batches",
    metadata,
    Column("board_id", String(32), ForeignKey("boards.id", ondelete="CASCADE"), primary_key=True),
    Column("seq", BigInteger, primary_key=True),
    Column("batch_id", String(64), nullable=False),
    Column("client", String(64), nullable=False),
    Column("ops", Text, nullable=False),
    Column("skipped", Text, nullable=False, default="[]"),
    Column("created_at", BigInteger, nullable=False),
    UniqueConstraint("board_id", "batch_id", name="uq_batches_board_batch"),
)

assets = Table(
    "assets",
    metadata,
    Column("board_id", String(32), ForeignKey("boards.id", ondelete="CASCADE"), primary_key=True),
    Column("id", String(64), primary_key=True),
    Column("mime", String(32), nullable=False),
    Column("width", Integer, nullable=False),
    Column("height", Integer, nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("created_at", BigInteger, nullable=False),
)

Index("ix_objects_board_live", objects.c.board_id, objects.c.deleted)

# Every batch id a board has answered (applied or not), so a resend is recognised (S11)
# long after the ops log above was trimmed: the last 100,000 per board or 30 days.
batch_ids = Table(
    "batch_ids",
    metadata,
    Column("board_id", String(32), ForeignKey("boards.id", ondelete="CASCADE"), primary_key=True),
    Column("batch_id", String(64), primary_key=True),
    Column("seq", BigInteger, nullable=False),
    Column("skipped", Text, nullable=False, default="[]"),
    Column("applied", Boolean, nullable=False),
    Column("created_at", BigInteger, nullable=False),
)
Index("ix_batch_ids_board_seq", batch_ids.c.board_id, batch_ids.c.seq)

# Server-issued identities (rule S18): a seat is a client id on one board; whoever holds
# its resume secret gets it back. Only the secret's SHA-256 is stored.
seats = Table(
    "seats",
    metadata,
    Column("board_id", String(32), ForeignKey("boards.id", ondelete="CASCADE"), primary_key=True),
    Column("client", String(64), primary_key=True),
    Column("secret_hash", String(64), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("seen_at", BigInteger, nullable=False),
    # Set when the facilitator removed the seat (rule M5): its secret no longer admits.
    Column("removed_at", BigInteger, nullable=True),
    UniqueConstraint("board_id", "secret_hash", name="uq_seats_board_secret"),
)

votes = Table(
    "votes",
    metadata,
    Column("board_id", String(32), ForeignKey("boards.id", ondelete="CASCADE"), primary_key=True),
    Column("object_id", String(64), primary_key=True),
    Column("voter", String(64), primary_key=True),
    Column("count", Integer, nullable=False),
)

# Versions (rules V1-V6): the whole board (live objects, private ones included) at a
# `seq`, as zlib-compressed JSON. Manual ones are kept; automatic ones thin with age.
versions = Table(
    "versions",
    metadata,
    Column("board_id", String(32), ForeignKey("boards.id", ondelete="CASCADE"), primary_key=True),
    Column("id", String(16), primary_key=True),
    Column("seq", BigInteger, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("label", Text, nullable=False, default=""),
    Column("author", Text, nullable=False, default=""),
    Column("object_count", Integer, nullable=False),
    Column("size", Integer, nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("created_at", BigInteger, nullable=False),
)
Index("ix_versions_board_at", versions.c.board_id, versions.c.created_at)

# What happened on a board, for the facilitator's activity view (rule A1): joins and
# leaves, facilitation actions, removals, restores, exports. Never object contents.
activity = Table(
    "activity",
    metadata,
    # A random id, not a serial: a backup restored into PostgreSQL keeps working.
    Column("id", String(16), primary_key=True),
    Column("board_id", String(32), ForeignKey("boards.id", ondelete="CASCADE"), nullable=False),
    Column("at", BigInteger, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("client", String(64), nullable=False, default=""),
    Column("name", Text, nullable=False, default=""),
    Column("detail", Text, nullable=False, default="{}"),
)
Index("ix_activity_board_at", activity.c.board_id, activity.c.at)

# What each address (IPv6: its /64) did per UTC day: boards created, bytes imported.
# In the database so every process counts toward one allowance and a restart forgets
# nothing (migration 0005); rows older than yesterday are dropped as new days begin.
address_days = Table(
    "address_days",
    metadata,
    Column("address", String(64), primary_key=True),
    Column("day", Integer, primary_key=True),
    Column("kind", String(16), primary_key=True),
    Column("amount", BigInteger, nullable=False),
)
