"""Whether a process still runs, for tests that kill servers and their children."""

from __future__ import annotations

import asyncio

import psutil


def alive(pid: int) -> bool:
    """Whether `pid` runs; a zombie (ended, not yet reaped by its parent) has ended."""
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


async def ended(pid: int, seconds: float = 5.0) -> bool:
    """Wait up to `seconds` for `pid` to end; whether it did."""
    for _ in range(int(seconds / 0.05)):
        if not alive(pid):
            return True
        await asyncio.sleep(0.05)
    return not alive(pid)
