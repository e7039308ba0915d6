"""Run load processes against servers and turn what they saw into one result row."""

from __future__ import annotations

import multiprocessing as mp
import os
import queue
import time
from array import array
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import psutil
from _common import Watch, percentiles
from loadgen import ClientSpec, LoadSpec, worker_main


def split(clients: list[ClientSpec], processes: int) -> list[list[ClientSpec]]:
    return [clients[i::processes] for i in range(processes) if clients[i::processes]]


def processes_for(clients: int) -> int:
    """Enough load processes that none of them is busy (checked by their CPU, reported)."""
    return max(1, min(4, clients // 25))


def _floats(data: bytes) -> array[float]:
    values = array("d")
    values.frombytes(data)
    return values


def run_load(
    specs: Sequence[LoadSpec],
    server_pids: Sequence[int],
    on_ready: Callable[[], None] | None = None,
    load_cpus: set[int] | None = None,
) -> dict[str, Any]:
    """Start one process per spec, go together, collect and aggregate.
    `load_cpus`: the CPUs the load processes may run on (Linux), set as they start."""
    ctx = mp.get_context("spawn")
    start_at = ctx.Value("d", 0.0)
    ready, out = ctx.Queue(), ctx.Queue()
    procs = [ctx.Process(target=worker_main, args=(s, start_at, ready, out)) for s in specs]
    for proc in procs:
        proc.start()
        if load_cpus and proc.pid is not None:
            os.sched_setaffinity(proc.pid, load_cpus)
    try:
        waiting, deadline = len(procs), time.monotonic() + 300
        while waiting:
            try:
                if ready.get(timeout=1) == -1:
                    raise RuntimeError(f"a load process failed: {out.get(timeout=5)}")
                waiting -= 1
            except queue.Empty:
                if time.monotonic() > deadline or not all(p.is_alive() for p in procs):
                    raise RuntimeError("load processes did not get ready") from None
        if on_ready is not None:
            on_ready()
        watches = [Watch(pid).start() for pid in server_pids]
        busy0 = _busy()
        start = time.time() + 0.3
        start_at.value = start
        limit = max(s.duration + s.drain for s in specs) + 120
        results = [out.get(timeout=limit) for _ in procs]
        for watch in watches:
            watch.stop()
        busy = _busy() - busy0
    finally:
        for proc in procs:
            proc.join(10)
            if proc.is_alive():
                proc.kill()
    failed = [r["error"] for r in results if "error" in r]
    if failed:
        raise RuntimeError(f"load process failed: {failed[0]}")
    row = aggregate(specs, results, watches, start)
    # Everything else the machine did meanwhile (other users, the OS): noise to report.
    wall = watches[0].wall if watches else 1.0
    row["other_cpu_pct"] = 100 * busy / wall - row["server_cpu_pct"] - row["load_cpu_pct_total"]
    return row


def _busy() -> float:
    times = psutil.cpu_times()
    return float(sum(times) - times.idle - getattr(times, "iowait", 0.0))


def _by_group(clients: list[dict[str, Any]]) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for client in clients:
        counts[client["sender"].split("-", 1)[0]] += client["received"]
    return dict(sorted(counts.items()))


def aggregate(
    specs: Sequence[LoadSpec], results: list[dict[str, Any]], watches: list[Watch], start: float
) -> dict[str, Any]:
    duration = specs[0].duration
    clients = [c for r in results for c in r["clients"]]
    members = Counter(c["board"] for c in clients)
    sent = sum(c["sent"] for c in clients)
    expected = sum((c["sent"] - c["refused"]) * (members[c["board"]] - 1) for c in clients)
    received = sum(c["received"] for c in clients)
    same = [x for r in results for x in _floats(r["same"])]
    cross = [x for r in results for x in _floats(r["cross"])]
    lag = [x for r in results for x in _floats(r["send_lag"])]
    last = max((r["last_receive"] for r in results), default=start)
    span = max(duration, last - start)
    row: dict[str, Any] = {
        "clients": len(clients),
        "offered_batches_s": sent / duration,
        "offered_msgs_s": expected / duration,
        "delivered_msgs_s": received / span,
        **percentiles(same + cross),
        # Counted once every client has its acks and the line went quiet; a run that is
        # still behind when the drain limit ends reports what was not delivered yet.
        "lost": expected - received if all(r["drained"] for r in results) else None,
        "undelivered": expected - received,
        "dup": sum(c["duplicates"] for c in clients),
        "refused": sum(c["refused"] for c in clients),
        "unacked": sum(c["sent"] - c["acked"] for c in clients),
        "dropped": sum(1 for c in clients if c["closed_early"] is not None),
        "server_cpu_pct": sum(w.cpu_percent for w in watches),
        "server_rss_mb": sum(w.peak_rss for w in watches) / 2**20,
        "load_cpu_pct_max": max(100 * r["cpu_seconds"] / r["wall"] for r in results),
        "load_cpu_pct_total": sum(100 * r["cpu_seconds"] / r["wall"] for r in results),
        "load_processes": len(results),
        "send_lag_p99_ms": percentiles(lag)["p99"] if lag else 0.0,
        # Deliveries per server: the sender prefix "g<n>-" says which server a client is on.
        "received_by_group": _by_group(clients),
    }
    if cross:
        row["same_p99"] = percentiles(same)["p99"]
        row["cross_p99"] = percentiles(cross)["p99"]
        row["same_p50"] = percentiles(same)["p50"]
        row["cross_p50"] = percentiles(cross)["p50"]
    return row
