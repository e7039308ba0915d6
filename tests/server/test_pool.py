"""Pooled PostgreSQL connections: pinged before use only after sitting idle.

SQLAlchemy's `pool_pre_ping` costs three round trips on every checkout (once per commit
group); Samskap pings only connections idle for `IDLE_PING_SEC`. These tests kill a
pooled connection from the database side, as a database restart does, and check what
the next use sees.
"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from server.domain.ops import parse_ops
from server.services.ports import CommitStatus, PendingBatch
from server.storage import engine as engines
from server.storage.store import SqlBoardStore
from tests.support.services import _pg_connect, postgres_schema

pytestmark = pytest.mark.postgres


async def _kill_pooled_connection(url: str, schema: str) -> AsyncEngine:
    """An engine whose one pooled connection the database has just terminated."""
    engine = engines.create_engine(url, schema=schema)
    async with engine.connect() as conn:
        pid = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar()
    killer = await _pg_connect(url)
    try:
        assert await killer.fetchval("SELECT pg_terminate_backend($1)", pid) is True
    finally:
        await killer.close()
    return engine


async def test_an_idle_connection_the_database_dropped_is_replaced_before_use(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(engines, "IDLE_PING_SEC", 0.0)  # every checkout counts as idle
    async with postgres_schema() as (url, schema):
        engine = await _kill_pooled_connection(url, schema)
        try:
            async with engine.connect() as conn:
                assert (await conn.execute(text("SELECT 1"))).scalar() == 1
        finally:
            await engine.dispose()


async def test_a_connection_used_a_moment_ago_is_not_pinged(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The other side of the trade: within IDLE_PING_SEC a dropped connection is found
    by the statement itself, which fails once (a commit is refused as `unavailable`
    and resent by the page); the pool then replaces its connections."""
    monkeypatch.setattr(engines, "IDLE_PING_SEC", 3600.0)
    async with postgres_schema() as (url, schema):
        engine = await _kill_pooled_connection(url, schema)
        try:
            with pytest.raises(DBAPIError):
                async with engine.connect() as conn:
                    await conn.execute(text("SELECT 1"))
            async with engine.connect() as conn:
                assert (await conn.execute(text("SELECT 1"))).scalar() == 1
        finally:
            await engine.dispose()


async def test_a_connection_dropped_inside_a_group_commit_fails_that_commit_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The commit's statements go to the driver directly (driver_sql.py), past
    SQLAlchemy's error handling: a connection lost halfway must still be thrown away,
    not handed to the next commit."""
    monkeypatch.setattr(engines, "IDLE_PING_SEC", 3600.0)  # no ping would save the next one
    async with postgres_schema() as (url, schema):
        engine = engines.create_engine(url, schema=schema)
        await engines.migrate(engine)
        store = SqlBoardStore(engine)
        await store.create_board("b1", "t", {}, {"participant": "0" * 64}, [])
        holder = await _pg_connect(url)
        try:
            # Hold the board's row, so the commit waits inside its first statement.
            await holder.execute("BEGIN")
            await holder.execute(f"SELECT 1 FROM {schema}.boards WHERE id = 'b1' FOR UPDATE")
            commit = asyncio.create_task(store.commit("b1", [_create("first")]))
            waiting = None
            for _ in range(100):
                waiting = await holder.fetchval(
                    "SELECT pid FROM pg_stat_activity"
                    " WHERE pg_blocking_pids(pid) @> ARRAY[pg_backend_pid()]"
                )
                if waiting:
                    break
                await asyncio.sleep(0.02)
            assert waiting, "the commit never waited for the row"
            assert await holder.fetchval("SELECT pg_terminate_backend($1)", waiting) is True
            await holder.execute("ROLLBACK")
            with pytest.raises(Exception, match=r"terminat|closed|connection"):
                await commit
        finally:
            await holder.close()
        try:
            (result,) = await store.commit("b1", [_create("second")])
            assert (result.status, result.seq) == (CommitStatus.APPLIED, 1)
        finally:
            await store.close()


def _create(batch_id: str) -> PendingBatch:
    ops = parse_ops([{"op": "create", "object": {"id": batch_id, "kind": "note", "x": 0, "y": 0}}])
    return PendingBatch(batch_id, "c1", "Kari", ops, "participant")
