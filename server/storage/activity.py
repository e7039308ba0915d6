"""The activity view's data (rules A1-A3): recorded events, and edits counted from the log.

Edits are not recorded twice: they are counted per seat and minute from the ops log
(`batches`), as far back as it reaches. Only op kinds are counted: no object's text,
private or not, is read into the answer. Every event and count carries the seat's
number; what happens while anonymous mode is on is recorded without the name (M7).
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

import orjson
from sqlalchemy import case, delete, insert, literal, select
from sqlalchemy.ext.asyncio import AsyncEngine

from .commit import now_ms
from .tables import activity, batches, boards, seats

KEEP_MS = 90 * 86_400_000  # events older than 90 days are dropped when someone joins
MAX_EVENTS = 5_000  # per answer, newest kept


log = logging.getLogger("samskap.activity")


async def record(
    engine: AsyncEngine, board_id: str, kind: str, client: str, name: str, detail: dict[str, Any]
) -> None:
    """Best effort: a failure is logged, never the reason an action fails."""
    try:
        await _record(engine, board_id, kind, client, name, detail)
    except Exception:
        log.warning("could not record %s in the activity log", kind)


async def _record(
    engine: AsyncEngine, board_id: str, kind: str, client: str, name: str, detail: dict[str, Any]
) -> None:
    stamp = now_ms()
    # One statement: the name is left out while anonymous mode is on (rule M7). Settings
    # are compact JSON, and a quote inside any text in them is escaped, so only the
    # session's own switch matches.
    anonymous = boards.c.settings.like('%"anonymous":true%')
    row = select(
        literal(secrets.token_hex(8)),
        boards.c.id,
        literal(stamp),
        literal(kind),
        literal(client),
        case((anonymous, literal("")), else_=literal(name)),
        literal(orjson.dumps(detail).decode()),
    ).where(boards.c.id == board_id)
    columns = ["id", "board_id", "at", "kind", "client", "name", "detail"]
    async with engine.begin() as conn:
        await conn.execute(insert(activity).from_select(columns, row))
        if kind == "join":
            await conn.execute(
                delete(activity).where(
                    activity.c.board_id == board_id, activity.c.at < stamp - KEEP_MS
                )
            )


async def read(engine: AsyncEngine, board_id: str, since: int) -> dict[str, Any]:
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                select(activity)
                .where(activity.c.board_id == board_id, activity.c.at >= since)
                .order_by(activity.c.at.desc(), activity.c.id.desc())
                .limit(MAX_EVENTS)
            )
        ).all()
        logged = await conn.execute(
            select(batches.c.client, batches.c.ops, batches.c.created_at).where(
                batches.c.board_id == board_id, batches.c.created_at >= since
            )
        )
        numbers = {
            r.client: r.number
            for r in await conn.execute(
                select(seats.c.client, seats.c.number).where(seats.c.board_id == board_id)
            )
        }
        counts: dict[tuple[str, int], dict[str, int]] = {}
        for r in logged:
            minute = r.created_at // 60_000 * 60_000
            bucket = counts.setdefault(
                (r.client, minute), {"created": 0, "changed": 0, "deleted": 0}
            )
            for op in orjson.loads(r.ops):
                key = {"create": "created", "update": "changed", "delete": "deleted"}[op["op"]]
                bucket[key] += 1
    events = [
        {
            "at": r.at,
            "kind": r.kind,
            "client": r.client,
            "seat": numbers.get(r.client),
            "name": r.name,
            **orjson.loads(r.detail),
        }
        for r in reversed(rows)
    ]
    edits = [
        {"client": client, "seat": numbers.get(client), "minute": minute, **c}
        for (client, minute), c in sorted(counts.items(), key=lambda kv: (kv[0][1], kv[0][0]))
    ]
    return {"events": events, "edits": edits}
