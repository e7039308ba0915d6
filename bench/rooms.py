"""Many rooms: 1,000 connections over 50 boards, each client one batch a second.

Reports p99 latency, the server's RSS (before connections, with all connections
idle, peak under load), RSS per idle connection (the growth from 0 to 1,000 joined
idle connections, 50 open rooms included, divided by 1,000) and dropped connections.

    python bench/rooms.py [--connections 1000 --boards 50 --duration 20] [--pin]

`--pin` (Linux, 2 CPUs or more): the server on CPU 1, the load processes on CPU 0, so
that neither waits in the run queue behind the other. Unpinned on a 2-core machine the
four load processes take about 70 % of a core, and the server's two busy threads waited
for a CPU 20-28 % of the time (`/proc/<tid>/schedstat`; docs/performance.md, session 13).
"""

from __future__ import annotations

import argparse
import gc
import os
import time
from typing import Any

import psutil
from _common import BENCH_LIMITS, create_board, raise_priority, start_samskap, table, write_results
from _drive import run_load, split
from loadgen import ClientSpec, LoadSpec

COLUMNS = (
    "connections",
    "boards",
    "pinned",
    "offered_batches_s",
    "delivered_msgs_s",
    "p50",
    "p95",
    "p99",
    "max",
    "lost",
    "dup",
    "dropped",
    "rss_base_mb",
    "rss_idle_mb",
    "rss_per_conn_kb",
    "server_rss_mb",
    "server_cpu_pct",
    "load_cpu_pct_max",
    "other_cpu_pct",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--connections", type=int, default=1000)
    parser.add_argument("--boards", type=int, default=50)
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--label", default="")
    parser.add_argument("--pin", action="store_true", help="server on CPU 1, load on CPU 0")
    args = parser.parse_args()
    raise_priority()
    server_cpus, load_cpus = ({1}, {0}) if args.pin else (None, None)
    server = start_samskap(
        on_spawn=(lambda pid: os.sched_setaffinity(pid, server_cpus)) if server_cpus else None
    )
    try:
        boards = [create_board(server, f"Rom {i}") for i in range(args.boards)]
        proc = psutil.Process(server.proc.pid)
        time.sleep(1.0)
        base = proc.memory_info().rss
        idle: dict[str, int] = {}

        def on_ready() -> None:
            gc.collect()
            time.sleep(2.0)  # let joins settle before reading memory
            idle["rss"] = proc.memory_info().rss

        clients = []
        for i in range(args.connections):
            board, token = boards[i % len(boards)]
            url = f"{server.ws_base}/ws/boards/{board}"
            clients.append(ClientSpec(url, token, f"g0-{i}", board))
        specs = [
            LoadSpec("samskap", part, args.duration, interval=1.0)
            for part in split(clients, args.processes)
        ]
        result = run_load(specs, [server.proc.pid], on_ready=on_ready, load_cpus=load_cpus)
    finally:
        server.stop()
    row: dict[str, Any] = {
        "connections": result["clients"],
        "boards": args.boards,
        "pinned": args.pin,
        **result,
        "rss_base_mb": base / 2**20,
        "rss_idle_mb": idle["rss"] / 2**20,
        "rss_per_conn_kb": (idle["rss"] - base) / args.connections / 1024,
    }
    print(table([row], COLUMNS))
    name = "rooms" + (f"-{args.label}" if args.label else "")
    payload = {"duration_s": args.duration, "limits_env": BENCH_LIMITS, "rows": [row]}
    print(f"\nwrote {write_results(name, payload)}")


if __name__ == "__main__":
    main()
