"""Scale-out: do N app processes, each held to the same CPU share, deliver N times one?

Each app process (`python -m server serve`, PostgreSQL + Redis) runs in its own cgroup
v1 CPU group capped at `--cpu-quota` of a core (default 0.3), while PostgreSQL, Redis
and the load generator run free. Clients are spread over 20 boards and over the
processes as the shipped nginx and Caddy configs do (a board's sockets on one process,
`--spread board`), or round robin per socket (`--spread connection`). Each row has two
phases on the same processes. Saturation: each client keeps `--window` batches in flight
(closed loop), so the capped processes are the bottleneck; this gives deliveries/s and
the ratio to N = 1, each process's CPU (its group's `cpuacct.usage`) per delivery made
to its own clients, and how often the kernel throttled it. Latency: in a closed loop p99
is only the queue (what is in flight divided by throughput), so p50/p99 come from an
open loop at `--open-load` (default 0.6) of N = 1's saturation rate times N: do N
processes carry N times the load at the same latency? (`sat_p50_ms`/`sat_p99_ms` keep
the closed loop's.) `lost` counts both phases.

Why 0.3 of a core: the machine has 2 cores. Three capped processes take 0.9, which
leaves 1.1 cores for PostgreSQL, Redis (together about 0.6 of the app's CPU in
`multiprocess.py`'s runs) and the load generator, so nothing but the quota limits the
app processes even at N = 3. A smaller share makes each run longer for the same count;
a larger one saturates the machine at N = 3 and measures the machine, not the design.
The period is 10 ms instead of the kernel's 100 ms so that a throttled process waits
at most 7 ms, not 70 ms, for its next slice (a latency the quota would add, not the code).

Needs root and the cgroup v1 `cpu` controller; otherwise it says why and exits 2.
Groups and processes are removed on exit, also on Ctrl-C or SIGTERM.

    python bench/scaleout.py [--processes 1 2 3] [--duration 15] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import sys
import time
from pathlib import Path
from typing import Any

import psutil
from _cgroup import CpuGroup, unavailable
from _common import (
    BENCH_LIMITS,
    PG_URL,
    REDIS_URL,
    Server,
    create_board,
    pg_schema,
    raise_priority,
    server_commit,
    start_samskap,
    table,
    write_results,
)
from _drive import run_load, split
from loadgen import ClientSpec, LoadSpec

COLUMNS = (
    "processes",
    "cpu_quota",
    "delivered_per_s",
    "ratio",
    "p50_ms",
    "p99_ms",
    "sat_p99_ms",
    "lost",
    "dup",
    "cpu_us_per_delivery",
    "throttled_pct",
    "app_cpu_pct",
    "db_redis_cpu_pct",
    "load_cpu_pct_total",
    "other_cpu_pct",
    "load1",
)


def _service_cpu() -> float:
    """CPU seconds of PostgreSQL and Redis processes so far (shared with other users)."""
    total = 0.0
    for proc in psutil.process_iter(["name", "cpu_times"]):
        name = proc.info["name"] or ""
        times = proc.info["cpu_times"]
        if times is not None and (name.startswith("postgres") or name.startswith("redis")):
            total += times.user + times.system
    return total


def _clients(
    servers: list[Server], boards: list[tuple[str, str]], args: argparse.Namespace, phase: str
) -> list[ClientSpec]:
    """Sockets spread over boards and processes as the chosen load balancer would.

    `phase` keeps each phase's batch ids apart (a repeated id is only acknowledged
    as a duplicate, and delivers nothing)."""
    processes = len(servers)
    clients = []
    for i in range(args.clients):
        if args.spread == "board":  # all of a board's sockets on one process
            b = i % args.boards
            at = b % processes
        else:  # round robin per socket, as a plain balancer (Traefik) does
            at = i % processes
            b = (i // processes) % args.boards
        board, token = boards[b]
        url = f"{servers[at].ws_base}/ws/boards/{board}"
        clients.append(ClientSpec(url, token, f"g{at}-{i}{phase}", board))
    return clients


def measure(
    servers: list[Server],
    groups: list[CpuGroup],
    clients: list[ClientSpec],
    args: argparse.Namespace,
    interval: float | None,
) -> dict[str, Any]:
    """One load phase: closed loop (interval None) or open loop; figures per process."""
    specs = [
        LoadSpec(
            "samskap",
            part,
            args.duration,
            interval=interval,
            window=0 if interval else args.window,
        )
        for part in split(clients, args.load_processes)
    ]
    before: dict[str, Any] = {}

    def on_ready() -> None:
        before["cpu"] = [g.usage_s() for g in groups]
        before["stat"] = [g.throttle() for g in groups]
        before["svc"] = _service_cpu()
        before["t"] = time.monotonic()

    result = run_load(specs, [s.proc.pid for s in servers], on_ready=on_ready)
    wall = time.monotonic() - before["t"]
    cpu = [g.usage_s() - c for g, c in zip(groups, before["cpu"], strict=True)]
    stats = [g.throttle() for g in groups]
    svc = _service_cpu() - before["svc"]
    periods = sum(
        s["nr_periods"] - b["nr_periods"] for s, b in zip(stats, before["stat"], strict=True)
    )
    throttled = sum(
        s["nr_throttled"] - b["nr_throttled"] for s, b in zip(stats, before["stat"], strict=True)
    )
    by_group = result["received_by_group"]
    per_process = [
        {
            "cpu_s": cpu[i],
            "cpu_pct": 100 * cpu[i] / wall,
            "deliveries": by_group.get(f"g{i}", 0),
            "cpu_us_per_delivery": 1e6 * cpu[i] / max(1, by_group.get(f"g{i}", 0)),
        }
        for i in range(len(servers))
    ]
    delivered = sum(p["deliveries"] for p in per_process)
    return {
        "result": result,
        "per_process": per_process,
        "cpu_us_per_delivery": 1e6 * sum(cpu) / max(1, delivered),
        "throttled_pct": 100 * throttled / max(1, periods),
        "app_cpu_pct": 100 * sum(cpu) / wall,
        "db_redis_cpu_pct": 100 * svc / wall,
    }


def run_row(
    env: dict[str, str],
    processes: int,
    args: argparse.Namespace,
    groups: list[CpuGroup],
    one: dict[str, Any] | None,
) -> dict[str, Any]:
    """Saturation (closed loop), then the open loop at `--open-load` of N = 1's
    saturation times N (skipped with --open-load 0)."""
    servers: list[Server] = []
    tag = f"samskap-scale-{os.getpid()}"
    try:
        for i in range(processes):
            group = CpuGroup(f"{tag}-{processes}-{i}", args.cpu_quota, args.period_us)
            groups.append(group)
            servers.append(start_samskap(env, on_spawn=group.add))
        mine = groups[-processes:]
        for group in mine:
            group.limit()  # after start-up: the quota holds while serving
        boards = [create_board(servers[0], f"Scale {b}") for b in range(args.boards)]
        sat = measure(servers, mine, _clients(servers, boards, args, "s"), args, args.interval)
        base = (one or {}).get("sat_batches_s") or sat["result"]["offered_batches_s"]
        opened = None
        if args.open_load > 0 and args.interval is None:
            rate = args.open_load * base * processes  # batches/s offered in all
            opened = measure(
                servers, mine, _clients(servers, boards, args, "o"), args, args.clients / rate
            )
    finally:
        for server in servers:
            server.stop()
    result = sat["result"]
    row = {
        "processes": processes,
        "cpu_quota": args.cpu_quota,
        "period_us": args.period_us,
        "clients": result["clients"],
        "boards": args.boards,
        "window": args.window,
        "interval": args.interval,
        "spread": args.spread,
        "duration_s": args.duration,
        "delivered_per_s": result["delivered_msgs_s"],
        "sat_batches_s": result["offered_batches_s"],
        "sat_p50_ms": result["p50"],
        "sat_p99_ms": result["p99"],
        "p50_ms": result["p50"],
        "p99_ms": result["p99"],
        "max_ms": result["max"],
        "lost": result["lost"],
        "dup": result["dup"],
        "dropped": result["dropped"],
        "cpu_us_per_delivery": sat["cpu_us_per_delivery"],
        "per_process": sat["per_process"],
        "throttled_pct": sat["throttled_pct"],
        "app_cpu_pct": sat["app_cpu_pct"],
        "db_redis_cpu_pct": sat["db_redis_cpu_pct"],
        "load_cpu_pct_total": result["load_cpu_pct_total"],
        "load_cpu_pct_max": result["load_cpu_pct_max"],
        "other_cpu_pct": result["other_cpu_pct"] - sat["db_redis_cpu_pct"],
        "load1": os.getloadavg()[0],
        "when": time.strftime("%Y-%m-%d %H:%M:%S"),
        "commit": server_commit(),
    }
    if opened is not None:  # p50/p99 at a set load: the latency a row is judged by
        o = opened["result"]
        row |= {
            "open_load": args.open_load,
            "open_offered_batches_s": o["offered_batches_s"],
            "open_delivered_per_s": o["delivered_msgs_s"],
            "p50_ms": o["p50"],
            "p99_ms": o["p99"],
            "max_ms": o["max"],
            "lost": result["lost"] + o["lost"],
            "dup": result["dup"] + o["dup"],
            "open_cpu_us_per_delivery": opened["cpu_us_per_delivery"],
            "open_throttled_pct": opened["throttled_pct"],
        }
    return row


def _stop_on_term(*_: Any) -> None:
    raise KeyboardInterrupt


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--cpu-quota", type=float, default=0.3, help="cores per app process")
    parser.add_argument("--period-us", type=int, default=10_000, help="CFS period")
    parser.add_argument("--duration", type=float, default=15.0)
    parser.add_argument("--clients", type=int, default=120)
    parser.add_argument("--boards", type=int, default=20)
    parser.add_argument("--window", type=int, default=2, help="batches in flight per client")
    parser.add_argument(
        "--interval",
        type=float,
        help="open loop instead: one batch per client every INTERVAL s (for p99 at a set load)",
    )
    parser.add_argument(
        "--spread",
        choices=["board", "connection"],
        default="board",
        help="board: every socket of a board on one process, as the shipped nginx and Caddy "
        "configs hash them; connection: round robin per socket (Traefik, or a plain balancer)",
    )
    parser.add_argument(
        "--open-load",
        type=float,
        default=0.6,
        help="then an open loop at this share of N = 1's saturation, times N, for p50/p99 "
        "(0: skip)",
    )
    parser.add_argument("--load-processes", type=int, default=2)
    parser.add_argument("--json", type=Path, help="append one JSON object per row to FILE")
    parser.add_argument("--label", default="")
    args = parser.parse_args()
    why = unavailable()
    if why:
        print(f"scaleout: cannot cap CPU per process: {why}", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, _stop_on_term)
    raise_priority()
    rows: list[dict[str, Any]] = []
    groups: list[CpuGroup] = []
    try:
        with pg_schema() as pg:
            env = {
                "SAMSKAP_DATABASE_URL": PG_URL,
                "SAMSKAP_DATABASE_SCHEMA": pg.schema,
                "SAMSKAP_REDIS_URL": REDIS_URL,
                "SAMSKAP_REDIS_PREFIX": "bench-" + secrets.token_hex(4),
            }
            for processes in args.processes:
                one = next((r for r in rows if r["processes"] == 1), None)
                row = run_row(env, processes, args, groups, one)
                one = one or (row if processes == 1 else None)
                if one is not None:
                    row["ratio"] = row["delivered_per_s"] / one["delivered_per_s"]
                rows.append(row)
                print(table([row], COLUMNS), flush=True)
                if args.json:
                    with args.json.open("a") as fh:
                        fh.write(json.dumps(row) + "\n")
    except KeyboardInterrupt:
        print("scaleout: interrupted; servers stopped, groups removed", file=sys.stderr)
        return 130
    finally:
        for group in groups:
            group.close()
    print()
    print(table(rows, COLUMNS))
    name = "scaleout" + (f"-{args.label}" if args.label else "")
    print(f"\nwrote {write_results(name, {'limits_env': BENCH_LIMITS, 'rows': rows})}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
