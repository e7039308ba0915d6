"""Per-address daily counters in the database (issue 13), shared by every process.

Kept here rather than in each process's memory: with two processes an address would
get the allowance twice, and a restart would give it again. Rather than in Redis:
SQLite installations have no Redis, every installation has the database, and a count
that is checked and raised in one statement cannot be raced by another process.
Addresses are stored hashed, and only for today and yesterday.
"""

from __future__ import annotations

import hashlib
import time

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from .tables import address_days as table

DAY_SECONDS = 86_400


def key(address: str) -> str:
    """What is stored for an address: a hash, so the table lists no addresses as such."""
    return hashlib.sha256(address.encode()).hexdigest()[:32]


def today() -> int:
    """Days since the epoch, UTC: the counters start again at midnight UTC."""
    return int(time.time() // DAY_SECONDS)


async def spend(
    engine: AsyncEngine, address: str, kind: str, cost: int, limit: int, *, sweep: bool
) -> bool:
    """Add `cost` to today's count of `kind` for `address` if it stays within `limit`.

    False, and nothing added, when it would not. `sweep` also drops counts older than
    yesterday (the caller does it once a day).
    """
    day, address = today(), key(address)
    where = (table.c.address == address, table.c.day == day, table.c.kind == kind)
    for _ in range(3):
        try:
            async with engine.begin() as conn:
                if sweep:
                    await conn.execute(delete(table).where(table.c.day < day - 1))
                    sweep = False
                raised = await conn.execute(
                    update(table)
                    .where(*where, table.c.amount + cost <= limit)
                    .values(amount=table.c.amount + cost)
                )
                if raised.rowcount:
                    return True
                held = (await conn.execute(select(table.c.amount).where(*where))).scalar()
                if held is not None or cost > limit:
                    return False
                await conn.execute(
                    insert(table).values(address=address, day=day, kind=kind, amount=cost)
                )
                return True
        except IntegrityError:
            continue  # another process made today's row meanwhile: count on it
    return False
