"""The ops log and stored records read back whole: what revert and restore plan from.

`revert` (rule M1) walks the log for one seat's ops; both it and a restore (rule V3)
need the stored records of the objects they touch, tombstones included, since a
deleted object comes back with its own id (rule M3).
"""

from __future__ import annotations

import orjson
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from server.domain.ops import Record
from server.domain.revert import LogEntry

from .tables import batches, objects


async def log_entries(engine: AsyncEngine, board_id: str) -> list[LogEntry]:
    """The board's whole ops log (the last `log_retain` batches), oldest first."""
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(batches.c.seq, batches.c.client, batches.c.ops, batches.c.created_at)
            .where(batches.c.board_id == board_id)
            .order_by(batches.c.seq)
        )
        return [LogEntry(r.seq, r.client, orjson.loads(r.ops), r.created_at) for r in rows]


# Above this many ids one read of the board's rows (a range of the primary key) beats
# IN lists: a restore asks for nearly every object, and on PostgreSQL the IN lists were
# planned badly on a table whose statistics lagged behind (bench/versions.py).
WHOLE_BOARD_FROM = 1_000


async def records(engine: AsyncEngine, board_id: str, ids: set[str]) -> dict[str, Record]:
    """The stored records of `ids`, tombstones included."""
    found: dict[str, Record] = {}
    columns = (objects.c.id, objects.c.data, objects.c.deleted)
    async with engine.connect() as conn:
        if len(ids) >= WHOLE_BOARD_FROM:
            rows = await conn.execute(select(*columns).where(objects.c.board_id == board_id))
            for r in rows:
                if r.id in ids:
                    found[r.id] = Record(orjson.loads(r.data), bool(r.deleted))
            return found
        wanted = sorted(ids)
        for i in range(0, len(wanted), 500):
            rows = await conn.execute(
                select(*columns).where(
                    objects.c.board_id == board_id, objects.c.id.in_(wanted[i : i + 500])
                )
            )
            for r in rows:
                found[r.id] = Record(orjson.loads(r.data), bool(r.deleted))
    return found
