"""Pooled PostgreSQL connections: pinged before use only after sitting idle.

SQLAlchemy's `pool_pre_ping` costs three round trips on every checkout (once per commit
group); Samskap pings only connections idle for `IDLE_PING_SEC`. These tests kill a
pooled connection from the database side, as a database restart does, and check what
the next use sees.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from server.storage import engine as engines
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
