"""Versions (rules V1-V6): whole-board snapshots at a `seq`, compressed JSON rows.

A version holds every live object of its moment, private ones included (a restore
keeps them private to their owners). Reading the board and its `seq` happens in one
snapshot transaction, so the objects are exactly those of that `seq`.
"""

from __future__ import annotations

import asyncio
import secrets
import zlib
from typing import Any

import orjson
from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from server.domain.restore import Stamp, thinned
from server.services.ports import VersionInfo

from .commit import now_ms
from .tables import boards, objects, versions

_INFO = (
    versions.c.id,
    versions.c.seq,
    versions.c.kind,
    versions.c.label,
    versions.c.author,
    versions.c.object_count,
    versions.c.size,
    versions.c.created_at,
)


def _info(row: Any) -> VersionInfo:
    return VersionInfo(
        id=row.id,
        seq=row.seq,
        kind=row.kind,
        label=row.label,
        by=row.author,
        objects=row.object_count,
        size=row.size,
        at=row.created_at,
    )


def _pack(objs: list[dict[str, Any]]) -> bytes:
    return zlib.compress(orjson.dumps(objs), 6)


async def save(
    snapshots: Any,
    engine: AsyncEngine,
    board_id: str,
    kind: str,
    label: str,
    by: str,
    *,
    unless_since: int | None = None,
) -> VersionInfo | None:
    """Save the board as it is now; None if the board is gone, or (with `unless_since`)
    if a version newer than that time exists or the newest version has this `seq`."""
    async with snapshots.begin() as conn:
        seq = (await conn.execute(select(boards.c.seq).where(boards.c.id == board_id))).scalar()
        if seq is None:
            return None
        if unless_since is not None:
            newest = (
                await conn.execute(
                    select(versions.c.seq, versions.c.created_at)
                    .where(versions.c.board_id == board_id)
                    .order_by(versions.c.created_at.desc())
                    .limit(1)
                )
            ).first()
            if newest is not None and (newest.created_at >= unless_since or newest.seq == seq):
                return None
        rows = await conn.execute(
            select(objects.c.data).where(
                objects.c.board_id == board_id, objects.c.deleted.is_(False)
            )
        )
        objs = [orjson.loads(r.data) for r in rows]
    data = await asyncio.to_thread(_pack, objs)
    info = VersionInfo(
        id=secrets.token_hex(6),
        seq=seq,
        kind=kind,
        label=label,
        by=by,
        objects=len(objs),
        size=len(data),
        at=now_ms(),
    )
    async with engine.begin() as conn:
        exists = (await conn.execute(select(boards.c.id).where(boards.c.id == board_id))).first()
        if exists is None:
            return None
        await conn.execute(
            insert(versions).values(
                board_id=board_id,
                id=info.id,
                seq=info.seq,
                kind=kind,
                label=label,
                author=by,
                object_count=info.objects,
                size=info.size,
                data=data,
                created_at=info.at,
            )
        )
        if kind != "manual":
            await _thin(conn, board_id, info.at)
    return info


async def _thin(conn: Any, board_id: str, now: int) -> None:
    rows = await conn.execute(
        select(versions.c.id, versions.c.kind, versions.c.created_at).where(
            versions.c.board_id == board_id
        )
    )
    drop = thinned((Stamp(r.id, r.kind, r.created_at) for r in rows), now)
    for i in range(0, len(drop), 500):
        await conn.execute(
            delete(versions).where(
                versions.c.board_id == board_id, versions.c.id.in_(drop[i : i + 500])
            )
        )


async def listed(engine: AsyncEngine, board_id: str) -> list[VersionInfo]:
    """Newest first."""
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(*_INFO)
            .where(versions.c.board_id == board_id)
            .order_by(versions.c.created_at.desc(), versions.c.seq.desc())
        )
        return [_info(r) for r in rows]


async def load(
    engine: AsyncEngine, board_id: str, version_id: str
) -> tuple[VersionInfo, list[dict[str, Any]]] | None:
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                select(*_INFO, versions.c.data).where(
                    versions.c.board_id == board_id, versions.c.id == version_id
                )
            )
        ).first()
    if row is None:
        return None
    objs = await asyncio.to_thread(lambda: orjson.loads(zlib.decompress(row.data)))
    return _info(row), objs
