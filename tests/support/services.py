"""Finding PostgreSQL and Redis for tests, and giving each test its own schema / prefix.

Unreachable services skip the tests that need them, with the reason shown;
with CI=true they fail instead, so CI can never go green by skipping.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

PG_DEFAULT = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
REDIS_DEFAULT = "redis://127.0.0.1:6379/0"


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def unavailable(reason: str) -> None:
    if in_ci():
        pytest.fail(f"{reason} (CI=true: required)")
    pytest.skip(reason)


def postgres_url() -> str:
    return os.environ.get("SAMSKAP_TEST_DATABASE_URL", PG_DEFAULT)


def redis_url() -> str:
    return os.environ.get("SAMSKAP_TEST_REDIS_URL", REDIS_DEFAULT)


async def _pg_connect(url: str):  # type: ignore[no-untyped-def]
    import asyncpg

    plain = url.replace("postgresql+asyncpg://", "postgresql://", 1)
    return await asyncio.wait_for(asyncpg.connect(plain), 3)


@asynccontextmanager
async def postgres_schema() -> AsyncIterator[tuple[str, str]]:
    """A fresh schema in the test database, dropped afterwards: (url, schema)."""
    url = postgres_url()
    try:
        conn = await _pg_connect(url)
    except Exception as exc:
        unavailable(f"PostgreSQL not reachable at {url}: {type(exc).__name__}")
        raise  # unreachable; keeps type checkers calm
    schema = "t_" + secrets.token_hex(6)
    await conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield url, schema
    finally:
        await conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await conn.close()


@asynccontextmanager
async def redis_prefix() -> AsyncIterator[tuple[str, str]]:
    """A Redis URL and a key/channel prefix of this test's own: (url, prefix)."""
    from redis.asyncio import Redis

    url = redis_url()
    client = Redis.from_url(url, socket_connect_timeout=2)
    try:
        await client.ping()
    except Exception as exc:
        await client.aclose()
        unavailable(f"Redis not reachable at {url}: {type(exc).__name__}")
    prefix = "samskap-test-" + secrets.token_hex(6)
    try:
        yield url, prefix
    finally:
        keys = [key async for key in client.scan_iter(f"{prefix}*")]
        if keys:
            await client.delete(*keys)
        await client.aclose()
