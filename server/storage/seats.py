"""Seats (rule S18): the server-issued client ids of one board and their resume secrets.

A seat is claimed with its secret; the database holds only the secret's SHA-256, so a
copy of the database (or a backup) cannot be used to take anyone's seat.
"""

from __future__ import annotations

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from .commit import now_ms
from .tables import boards, seats


async def claim_seat(engine: AsyncEngine, board_id: str, secret_hash: str) -> str | None:
    """The client id whose secret hashes to `secret_hash`, marked as seen; None if none."""
    async with engine.begin() as conn:
        row = (
            await conn.execute(
                update(seats)
                .where(seats.c.board_id == board_id, seats.c.secret_hash == secret_hash)
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
            )
        )
