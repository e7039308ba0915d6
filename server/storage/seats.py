"""Seats (rule S18) and moderation (rules M1-M6): who a seat is, and what it did.

A seat is claimed with its secret; the database holds only the secret's SHA-256, so a
copy of the database (or a backup) cannot be used to take anyone's seat. A removed
seat keeps its row, marked, so its secret is refused rather than issued a new seat.
"""

from __future__ import annotations

import orjson
from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from server.domain.ops import Record
from server.domain.revert import LogEntry

from .commit import now_ms
from .tables import batches, boards, objects, seats


async def claim_seat(engine: AsyncEngine, board_id: str, secret_hash: str) -> str | None:
    """The client id whose secret hashes to `secret_hash`, marked as seen; None if none
    (or if the facilitator removed that seat, rule M5)."""
    async with engine.begin() as conn:
        row = (
            await conn.execute(
                update(seats)
                .where(
                    seats.c.board_id == board_id,
                    seats.c.secret_hash == secret_hash,
                    seats.c.removed_at.is_(None),
                )
                .values(seen_at=now_ms())
                .returning(seats.c.client)
            )
        ).first()
    return None if row is None else str(row.client)


async def add_seat(engine: AsyncEngine, board_id: str, client: str, secret_hash: str) -> bool:
    """Store a new seat; False when the board is gone."""
    stamp = now_ms()
    async with engine.begin() as conn:
        exists = (await conn.execute(select(boards.c.id).where(boards.c.id == board_id))).first()
        if exists is None:
            return False
        await conn.execute(
            insert(seats).values(
                board_id=board_id,
                client=client,
                secret_hash=secret_hash,
                created_at=stamp,
                seen_at=stamp,
            )
        )
    return True


async def drop_unused_seat(engine: AsyncEngine, board_id: str, client: str) -> None:
    """Delete a seat that was never claimed again since it was made (`seen_at` unchanged)."""
    async with engine.begin() as conn:
        await conn.execute(
            delete(seats).where(
                seats.c.board_id == board_id,
                seats.c.client == client,
                seats.c.seen_at == seats.c.created_at,
                seats.c.removed_at.is_(None),  # a removal is remembered
            )
        )


async def seat_removed(engine: AsyncEngine, board_id: str, secret_hash: str) -> bool:
    """Whether `secret_hash` names a seat the facilitator removed from this board."""
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                select(seats.c.removed_at).where(
                    seats.c.board_id == board_id, seats.c.secret_hash == secret_hash
                )
            )
        ).first()
    return row is not None and row.removed_at is not None


async def remove_seat(engine: AsyncEngine, board_id: str, client: str) -> bool:
    """Mark a seat removed (rule M5); False when the board has no such seat."""
    async with engine.begin() as conn:
        row = (
            await conn.execute(
                update(seats)
                .where(seats.c.board_id == board_id, seats.c.client == client)
                .values(removed_at=now_ms())
                .returning(seats.c.client)
            )
        ).first()
    return row is not None


async def log_entries(engine: AsyncEngine, board_id: str) -> list[LogEntry]:
    """The board's whole ops log (the last `log_retain` batches), oldest first."""
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(batches.c.seq, batches.c.client, batches.c.ops, batches.c.created_at)
            .where(batches.c.board_id == board_id)
            .order_by(batches.c.seq)
        )
        return [LogEntry(r.seq, r.client, orjson.loads(r.ops), r.created_at) for r in rows]


async def records(engine: AsyncEngine, board_id: str, ids: set[str]) -> dict[str, Record]:
    """The stored records of `ids`, tombstones included."""
    found: dict[str, Record] = {}
    wanted = sorted(ids)
    async with engine.connect() as conn:
        for i in range(0, len(wanted), 500):
            rows = await conn.execute(
                select(objects.c.id, objects.c.data, objects.c.deleted).where(
                    objects.c.board_id == board_id, objects.c.id.in_(wanted[i : i + 500])
                )
            )
            for r in rows:
                found[r.id] = Record(orjson.loads(r.data), bool(r.deleted))
    return found
