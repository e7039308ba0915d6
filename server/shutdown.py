"""Graceful stop (SIGTERM): what the app does after uvicorn has stopped accepting.

uvicorn, on SIGTERM, closes its listening sockets, sends every open WebSocket close code
1012 ("service restart": the page reconnects at once, through the proxy, to a live
process) and waits up to `STOP_GRACE_SEC` for the handlers to end. Then the app's
lifespan ends: `drain_commits` lets batches already taken by a room's committer reach
the database before the store closes. A batch whose ack never left is resent by its
client with the same batch id, so it is applied once whichever way its commit went.
"""

from __future__ import annotations

import asyncio
import logging
import time

log = logging.getLogger("samskap")

STOP_GRACE_SEC = 5.0  # uvicorn's wait for open connections; the whole stop stays under 10 s
DRAIN_SEC = 3.0
COMMITTER_PREFIX = "commit-"  # rooms name their committer task "commit-{board_id}"


async def drain_commits() -> int:
    """Wait (bounded) for the commit tasks still running in this loop; returns how many."""
    current = asyncio.current_task()
    running = [
        task
        for task in asyncio.all_tasks()
        if task is not current and task.get_name().startswith(COMMITTER_PREFIX) and not task.done()
    ]
    if not running:
        return 0
    started = time.monotonic()
    done, pending = await asyncio.wait(running, timeout=DRAIN_SEC)
    if pending:
        log.warning(
            "stopping: %d commit(s) still running after %.0f s; their batches were not "
            "acknowledged and will be resent by the pages",
            len(pending),
            DRAIN_SEC,
        )
    else:
        log.info("stopping: %d commit(s) finished in %.2f s", len(done), time.monotonic() - started)
    return len(done)
