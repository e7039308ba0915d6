"""A probe for the served process, loaded only when this folder is on PYTHONPATH.

Python imports `sitecustomize` at start-up, and the benches start the server with the
environment they run in, so

    SAMSKAP_PROBE=1 PYTHONPATH=bench/probe python bench/fanout.py --scenario 50x200 --server samskap

prints to stderr, every SAMSKAP_PROBE_EVERY (1000) group commits of the SQLite writer
thread: its CPU (`thread_time`, the kernel's part included) and wall time per commit,
the boards and batches a commit, and the same for COMMIT alone (the WAL write and its
fsync). SAMSKAP_PROBE_LAG=1 adds the event loop's lag (a 5-ms timer; p50/p90/p99/max
of 1,000). SAMSKAP_PROBE_SWITCH=<seconds> sets the GIL switch interval. It wraps
`SqlBoardStore._commit_on_writer` and `DefaultDialect.do_commit`; nothing else changes.
Used in docs/performance.md, session 13.
"""

from __future__ import annotations

import importlib
import importlib.abc
import os
import sys
import threading
import time
from typing import Any

EVERY = int(os.environ.get("SAMSKAP_PROBE_EVERY", "1000"))


def _install() -> None:
    import asyncio

    from sqlalchemy.engine import default

    import server.services.hub as hub
    import server.storage.store as store

    acc: dict[str, float] = {}

    def report() -> None:
        n = acc["n"]
        print(
            f"PROBE commits {n:.0f}: cpu/commit {acc['cpu'] / n * 1e6:.0f} us,"
            f" wall {acc['wall'] / n * 1e6:.0f} us, boards/commit {acc['boards'] / n:.2f},"
            f" batches/commit {acc['batches'] / n:.2f}; COMMIT cpu"
            f" {acc.get('ccpu', 0) / n * 1e6:.0f} us, wall {acc.get('cwall', 0) / n * 1e6:.0f} us",
            file=sys.stderr,
            flush=True,
        )
        acc.clear()

    commit_on_writer = store.SqlBoardStore._commit_on_writer

    def timed_commit(self: Any, work: Any) -> Any:
        cpu, wall = time.thread_time(), time.perf_counter()
        try:
            return commit_on_writer(self, work)
        finally:
            acc["cpu"] = acc.get("cpu", 0) + time.thread_time() - cpu
            acc["wall"] = acc.get("wall", 0) + time.perf_counter() - wall
            acc["n"] = acc.get("n", 0) + 1
            acc["boards"] = acc.get("boards", 0) + len(work)
            acc["batches"] = acc.get("batches", 0) + sum(len(p) for _, p in work)
            if acc["n"] >= EVERY:
                report()

    do_commit = default.DefaultDialect.do_commit

    def timed_do_commit(self: Any, dbapi_connection: Any) -> None:
        cpu, wall = time.thread_time(), time.perf_counter()
        try:
            do_commit(self, dbapi_connection)
        finally:
            if threading.current_thread().name.startswith("sqlite-writer"):
                acc["ccpu"] = acc.get("ccpu", 0) + time.thread_time() - cpu
                acc["cwall"] = acc.get("cwall", 0) + time.perf_counter() - wall

    store.SqlBoardStore._commit_on_writer = timed_commit  # type: ignore[method-assign]
    default.DefaultDialect.do_commit = timed_do_commit  # type: ignore[method-assign]

    if os.environ.get("SAMSKAP_PROBE_LAG"):

        async def lag() -> None:
            lags: list[float] = []
            while True:
                started = time.perf_counter()
                await asyncio.sleep(0.005)
                lags.append((time.perf_counter() - started - 0.005) * 1000)
                if len(lags) == 1000:
                    lags.sort()
                    print(
                        f"PROBE loop lag ms: p50 {lags[500]:.2f} p90 {lags[900]:.2f}"
                        f" p99 {lags[990]:.2f} max {lags[-1]:.2f}",
                        file=sys.stderr,
                        flush=True,
                    )
                    lags = []

        hub_init = hub.Hub.__init__

        def init(self: Any, *args: Any, **kwargs: Any) -> None:
            hub_init(self, *args, **kwargs)
            self._probe_lag = asyncio.get_running_loop().create_task(lag())

        hub.Hub.__init__ = init  # type: ignore[method-assign]


class _WhenTheAppLoads(importlib.abc.MetaPathFinder):
    """Installs the probe as `server.app` is first imported (the server is on sys.path)."""

    def find_spec(self, name: str, path: Any, target: Any = None) -> None:
        if name == "server.app":
            sys.meta_path.remove(self)
            _install()
        return None


if os.environ.get("SAMSKAP_PROBE"):
    if os.environ.get("SAMSKAP_PROBE_SWITCH"):
        sys.setswitchinterval(float(os.environ["SAMSKAP_PROBE_SWITCH"]))
    sys.meta_path.insert(0, _WhenTheAppLoads())
