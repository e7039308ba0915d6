"""One version per installation at a time: processes register their version in Redis.

Mixed versions on one database are not supported (docs/operations.md#upgrades): a newer
version may add tables an older one does not write. So a process that finds a process
of another version registered under the same `SAMSKAP_REDIS_PREFIX` refuses to start,
saying which versions and what to do. Each process keeps a key
`{prefix}:process:{id}` = version alive (TTL 30 s, renewed every 10 s) and deletes it
when it stops; a crashed process's key is gone within 30 s.

Without Redis there is one process (SQLite) or the operator was warned at start that
several processes need Redis, so there is nothing to check.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

log = logging.getLogger("samskap")

TTL_SEC = 30
RENEW_SEC = 10.0


class VersionConflict(RuntimeError):
    """Another version of Samskap serves this installation."""


@contextlib.asynccontextmanager
async def registered(
    redis_url: str, prefix: str, process_id: str, version: str
) -> AsyncIterator[None]:
    """Refuse to start beside another version; stay registered while running."""
    from redis.asyncio import Redis
    from redis.exceptions import RedisError

    redis = Redis.from_url(redis_url, socket_connect_timeout=2)
    key = f"{prefix}:process:{process_id}"
    try:
        others: dict[str, int] = {}
        try:
            async for name in redis.scan_iter(f"{prefix}:process:*"):
                raw = await redis.get(name)
                found = raw.decode() if isinstance(raw, bytes) else raw
                if found is not None and found != version:
                    others[found] = others.get(found, 0) + 1
        except (RedisError, OSError) as exc:
            # Redis is a hint, not a start condition (the broker reconnects by itself).
            log.warning("could not check for processes of other versions: %s", type(exc).__name__)
        if others:
            running = ", ".join(f"{n} process(es) of {v}" for v, n in sorted(others.items()))
            raise VersionConflict(
                f"samskap {version} will not start: {running} still serve this installation "
                f"(Redis prefix {prefix!r}). Stop them first (docs/operations.md#upgrades); "
                f"a crashed process is forgotten after {TTL_SEC} s"
            )
        with contextlib.suppress(RedisError, OSError):
            await redis.set(key, version, ex=TTL_SEC)

        async def renew() -> None:
            while True:
                await asyncio.sleep(RENEW_SEC)
                with contextlib.suppress(Exception):  # Redis away: the broker says so
                    await redis.set(key, version, ex=TTL_SEC)

        task = asyncio.create_task(renew(), name="samskap-version-renew")
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            with contextlib.suppress(Exception):
                await redis.delete(key)
    finally:
        await redis.aclose()
