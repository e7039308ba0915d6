"""Seats (rule S18), their numbers (M7) and removal (M5): who a seat is, and whether it
may return.

A seat is claimed with its secret; the database holds only the secret's SHA-256, so a
copy of the database (or a backup) cannot be used to take anyone's seat. A removed
seat keeps its row, marked, so its secret is refused rather than issued a new seat.
Numbers count seats in the order they were made; a seat that never changed anything
is dropped when it leaves, and its number may be given again.
"""

from __future__ import annotations

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from .commit import now_ms
from .tables import boards, seats


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
    """Store a new seat with the next number; False when the board is gone."""
    stamp = now_ms()
    async with engine.begin() as conn:
        if not await _lock_board(conn, board_id):
            return False
        await conn.execute(
            insert(seats).values(
                board_id=board_id,
                client=client,
                secret_hash=secret_hash,
                created_at=stamp,
                seen_at=stamp,
                number=await _next_number(conn, board_id),
            )
        )
    return True


async def _lock_board(conn: AsyncConnection, board_id: str) -> bool:
    """Hold the board's row (PostgreSQL), so two processes never give out one number;
    SQLite has one writer at a time anyway. False when the board is gone."""
    query = select(boards.c.id).where(boards.c.id == board_id).with_for_update()
    return (await conn.execute(query)).first() is not None


async def _next_number(conn: AsyncConnection, board_id: str) -> int:
    query = select(func.coalesce(func.max(seats.c.number), 0)).where(seats.c.board_id == board_id)
    return int((await conn.execute(query)).scalar_one()) + 1


async def seat_number(engine: AsyncEngine, board_id: str, client: str) -> int:
    """The seat's number (rule M7); a seat made before numbers existed gets the next one
    now. 0 when there is no such seat."""
    async with engine.begin() as conn:
        where = (seats.c.board_id == board_id, seats.c.client == client)
        row = (await conn.execute(select(seats.c.number).where(*where))).first()
        if row is None:
            return 0
        if row.number is not None:
            return int(row.number)
        if not await _lock_board(conn, board_id):
            return 0
        number = await _next_number(conn, board_id)
        await conn.execute(
            update(seats).where(*where, seats.c.number.is_(None)).values(number=number)
        )
        again = (await conn.execute(select(seats.c.number).where(*where))).scalar()
    return int(again or 0)


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
