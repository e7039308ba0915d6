"""A probe for the served process, loaded only when this folder is on PYTHONPATH.

Python imports `sitecustomize` at start-up, and the benches start the server with the
environment they run in, so

    SAMSKAP_PROBE=1 PYTHONPATH=bench/probe python bench/fanout.py --scenario 50x200 --server samskap

prints to stderr, every SAMSKAP_PROBE_EVERY (1000) group commits of the SQLite writer
process: the wall time from a group's sending to its answer's reading, the event loop's
CPU to hand the answers out, and the boards and batches a commit. SAMSKAP_PROBE_LAG=1
adds the event loop's lag (a 5-ms timer; p50/p90/p99/max of 1,000).
SAMSKAP_PROBE_SWITCH=<seconds> sets the GIL switch interval.
SAMSKAP_PROBE_PATH=1 adds where a batch's time in the server goes, every 10 x EVERY
batches: `queued` (the room's queue, from `CommitQueue.submit` to the store), `commit`
(the store's `commit` call, waiting for the commit in flight included), `answer` (back
to `Delivery` queueing the frames); `total` is the three. It wraps the writer process's
`_Channel.send` and `WriterProcess._answered` and, with PATH, `CommitQueue.submit`, the
store a `CommitQueue` is given and `Delivery._send`; nothing else changes. Used in
docs/performance.md, sessions 13, 14 and 17.

Sessions 13-15 timed the writer thread's commit and COMMIT alone here; since session 16
the commit runs in the writer process (writer_process.py) and since session 17 the event
loop feeds it, so the child's CPU is `bench/thread_cpu.py --pid <the child>`.
"""

from __future__ import annotations

import importlib
import importlib.abc
import os
import sys
import time
from typing import Any

EVERY = int(os.environ.get("SAMSKAP_PROBE_EVERY", "1000"))


def _install() -> None:
    import asyncio

    import server.services.hub as hub
    import server.storage.writer_process as writer_process

    acc: dict[str, float] = {}

    def report() -> None:
        n = acc["n"]
        print(
            f"PROBE commits {n:.0f}: wall {acc['wall'] / n * 1e6:.0f} us (sent to answered),"
            f" answer cpu {acc['cpu'] / n * 1e6:.0f} us, boards/commit {acc['boards'] / n:.2f},"
            f" batches/commit {acc['batches'] / n:.2f}",
            file=sys.stderr,
            flush=True,
        )
        acc.clear()

    send = writer_process._Channel.send

    def timed_send(self: Any, data: bytes) -> None:
        self.probe_sent = time.perf_counter()
        send(self, data)

    answered = writer_process.WriterProcess._answered

    def timed_answered(self: Any, channel: Any, reply: Any) -> None:
        wall = time.perf_counter() - getattr(channel, "probe_sent", time.perf_counter())
        entries = self._in_flight or []
        cpu = time.thread_time()
        try:
            answered(self, channel, reply)
        finally:
            acc["cpu"] = acc.get("cpu", 0) + time.thread_time() - cpu
            acc["wall"] = acc.get("wall", 0) + wall
            acc["n"] = acc.get("n", 0) + 1
            acc["boards"] = acc.get("boards", 0) + sum(len(work) for work, _ in entries)
            acc["batches"] = acc.get("batches", 0) + sum(
                len(p) for work, _ in entries for _, p in work
            )
            if acc["n"] >= EVERY:
                report()

    writer_process._Channel.send = timed_send  # type: ignore[method-assign]
    writer_process.WriterProcess._answered = timed_answered  # type: ignore[method-assign]

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


def _install_path() -> None:
    """SAMSKAP_PROBE_PATH=1: where a batch's time in the server goes, per stage."""
    import server.services.committer as committer
    import server.services.delivery as delivery

    stamps: dict[str, list[float]] = {}
    stages: dict[str, list[float]] = {"queued": [], "commit": [], "answer": [], "total": []}

    def report() -> None:
        parts = []
        for name, values in stages.items():
            values.sort()
            n = len(values)
            parts.append(
                f"{name} p50 {values[n // 2]:.1f} p99 {values[n * 99 // 100]:.1f}"
                f" max {values[-1]:.1f}"
            )
            values.clear()
        print("PROBE path ms: " + "; ".join(parts), file=sys.stderr, flush=True)

    submit = committer.CommitQueue.submit

    def timed_submit(self: Any, session: Any, batch_id: str, ops: Any) -> None:
        stamps[batch_id] = [time.perf_counter()]
        submit(self, session, batch_id, ops)

    commit = committer.CommitQueue.__init__

    def init(self: Any, store: Any, *args: Any, **kwargs: Any) -> None:
        commit(self, _TimedStore(store), *args, **kwargs)

    class _TimedStore:
        def __init__(self, store: Any) -> None:
            self._store = store

        def __getattr__(self, name: str) -> Any:
            return getattr(self._store, name)

        async def commit(self, board_id: str, pending: Any) -> Any:
            start = time.perf_counter()
            for p in pending:
                if p.batch_id in stamps:
                    stamps[p.batch_id].append(start)
            try:
                return await self._store.commit(board_id, pending)
            finally:
                end = time.perf_counter()
                for p in pending:
                    if p.batch_id in stamps:
                        stamps[p.batch_id].append(end)

    send = delivery.Delivery._send

    def timed_send(self: Any, seq: int, batch: str, *args: Any) -> None:
        send(self, seq, batch, *args)
        marks = stamps.pop(batch, None)
        if marks is not None and len(marks) == 3:
            now = time.perf_counter()
            stages["queued"].append((marks[1] - marks[0]) * 1e3)
            stages["commit"].append((marks[2] - marks[1]) * 1e3)
            stages["answer"].append((now - marks[2]) * 1e3)
            stages["total"].append((now - marks[0]) * 1e3)
            if len(stages["total"]) >= EVERY * 10:
                report()

    committer.CommitQueue.submit = timed_submit  # type: ignore[method-assign]
    committer.CommitQueue.__init__ = init  # type: ignore[method-assign]
    delivery.Delivery._send = timed_send  # type: ignore[method-assign]


class _WhenTheAppLoads(importlib.abc.MetaPathFinder):
    """Installs the probe as `server.app` is first imported (the server is on sys.path)."""

    def find_spec(self, name: str, path: Any, target: Any = None) -> None:
        if name == "server.app":
            sys.meta_path.remove(self)
            _install()
            if os.environ.get("SAMSKAP_PROBE_PATH"):
                _install_path()
        return None


if os.environ.get("SAMSKAP_PROBE"):
    if os.environ.get("SAMSKAP_PROBE_SWITCH"):
        sys.setswitchinterval(float(os.environ["SAMSKAP_PROBE_SWITCH"]))
    sys.meta_path.insert(0, _WhenTheAppLoads())
