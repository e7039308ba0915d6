"""Two server processes sharing PostgreSQL and Redis, clients split across them.

The same load runs against one process (all clients on it) and against two
(clients alternate between them). Each client knows which server every sender is
on, so the two-process run splits latency into same-process deliveries and
cross-process ones (committed by one process, relayed through Redis by the other):
`hop_p99` is cross p99 minus same p99. Own schema and Redis prefix, removed after.

    python bench/multiprocess.py [--duration 10]
"""

from __future__ import annotations

import argparse
import secrets
from typing import Any

from _common import (
    BENCH_LIMITS,
    PG_URL,
    REDIS_URL,
    Server,
    create_board,
    pg_schema,
    raise_priority,
    start_samskap,
    table,
    write_results,
)
from _drive import processes_for, run_load, split
from loadgen import ClientSpec, LoadSpec

# name: (clients, seconds between batches or None for closed loop, batches in flight, boards)
SCENARIOS = {
    "50x200": (50, 0.2, 0, 1),
    "100x200": (100, 0.2, 0, 1),
    "sat50": (50, None, 8, 1),
    # Many boards, closed loop: one board's commits are serial by design (its row lock
    # orders them), so a second process can only add throughput across boards.
    "sat20boards": (100, None, 8, 20),
}
COLUMNS = (
    "processes",
    "scenario",
    "offered_msgs_s",
    "delivered_msgs_s",
    "p50",
    "p99",
    "same_p99",
    "cross_p99",
    "hop_p99",
    "lost",
    "dup",
    "dropped",
    "server_cpu_pct",
    "load_cpu_pct_max",
    "other_cpu_pct",
)


def run(servers: list[Server], scenario: str, duration: float) -> dict[str, Any]:
    count, interval, window, board_count = SCENARIOS[scenario]
    boards = [create_board(servers[0]) for _ in range(board_count)]
    clients = []
    for i in range(count):
        group = i % len(servers)
        board, token = boards[(i // len(servers)) % board_count]
        url = f"{servers[group].ws_base}/ws/boards/{board}"
        clients.append(ClientSpec(url, token, f"g{group}-{i}", board))
    specs = [
        LoadSpec("samskap", part, duration, interval=interval, window=window)
        for part in split(clients, processes_for(count))
    ]
    row = run_load(specs, [s.proc.pid for s in servers])
    if "cross_p99" in row:
        row["hop_p99"] = row["cross_p99"] - row["same_p99"]
    return {"processes": len(servers), "scenario": scenario, **row}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--scenario", action="append", choices=sorted(SCENARIOS))
    parser.add_argument("--label", default="")
    args = parser.parse_args()
    raise_priority()
    rows: list[dict[str, Any]] = []
    with pg_schema() as pg:
        env = {
            "SAMSKAP_DATABASE_URL": PG_URL,
            "SAMSKAP_DATABASE_SCHEMA": pg.schema,
            "SAMSKAP_REDIS_URL": REDIS_URL,
            "SAMSKAP_REDIS_PREFIX": "bench-" + secrets.token_hex(4),
        }
        for scenario in args.scenario or list(SCENARIOS):
            for processes in (1, 2):
                servers: list[Server] = []
                try:
                    for _ in range(processes):
                        servers.append(start_samskap(env))
                    row = run(servers, scenario, args.duration)
                finally:
                    for server in servers:
                        server.stop()
                rows.append(row)
                print(table([row], COLUMNS), flush=True)
            one, two = rows[-2], rows[-1]
            two["throughput_x"] = two["delivered_msgs_s"] / one["delivered_msgs_s"]
            two["p99_added"] = two["p99"] - one["p99"]
    print()
    print(table(rows, (*COLUMNS, "p99_added", "throughput_x")))
    name = "multiprocess" + (f"-{args.label}" if args.label else "")
    payload = {"duration_s": args.duration, "limits_env": BENCH_LIMITS, "rows": rows}
    print(f"\nwrote {write_results(name, payload)}")


if __name__ == "__main__":
    main()
