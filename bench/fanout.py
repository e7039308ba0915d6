"""Fan-out on one board: C clients each move their own note every I ms for D s.

Every scenario runs against Samskap (SQLite, every batch committed durably before it
is broadcast) and against the baseline relay (same stack, no validation, no storage),
each on a fresh server process; the ratio column is Samskap / relay.

    python bench/fanout.py                      # the standard scenarios
    python bench/fanout.py --duration 20 --label after
    python bench/fanout.py --scenario 100x200 --server samskap

Scenarios: `CxI` (C clients, one batch every I ms) and `satC` (C clients, closed
loop with 8 batches in flight each: the saturation run).
"""

from __future__ import annotations

import argparse
from typing import Any

from _common import (
    BENCH_LIMITS,
    Server,
    create_board,
    raise_priority,
    start_relay,
    start_samskap,
    table,
    write_results,
)
from _drive import processes_for, run_load, split
from loadgen import ClientSpec, LoadSpec

SCENARIOS = ["10x200", "50x200", "100x200", "200x200", "200x1000", "sat50"]
WINDOW = 8
COLUMNS = (
    "server",
    "scenario",
    "offered_msgs_s",
    "delivered_msgs_s",
    "p50",
    "p95",
    "p99",
    "max",
    "lost",
    "dup",
    "refused",
    "dropped",
    "server_cpu_pct",
    "server_rss_mb",
    "load_cpu_pct_max",
    "other_cpu_pct",
)


def parse(scenario: str) -> tuple[int, float | None, int]:
    if scenario.startswith("sat"):
        return int(scenario[3:]), None, WINDOW
    clients, interval = scenario.split("x")
    return int(clients), int(interval) / 1000, 0


def run_one(kind: str, scenario: str, duration: float, env: dict[str, str]) -> dict[str, Any]:
    count, interval, window = parse(scenario)
    server: Server = start_samskap(env) if kind == "samskap" else start_relay()
    try:
        if kind == "samskap":
            board, token = create_board(server)
            url = f"{server.ws_base}/ws/boards/{board}"
        else:
            board, token, url = "relay", "", f"{server.ws_base}/ws"
        clients = [ClientSpec(url, token, f"g0-{i}", board) for i in range(count)]
        specs = [
            LoadSpec(kind, part, duration, interval=interval, window=window)
            for part in split(clients, processes_for(count))
        ]
        row = run_load(specs, [server.proc.pid])
    finally:
        server.stop()
    return {"server": kind, "scenario": scenario, **row}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scenario", action="append", help="repeatable; default: all")
    parser.add_argument("--server", choices=["samskap", "relay", "both"], default="both")
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--label", default="", help="results go to fanout[-label].json")
    args = parser.parse_args()
    raise_priority()
    kinds = ["samskap", "relay"] if args.server == "both" else [args.server]
    rows: list[dict[str, Any]] = []
    for scenario in args.scenario or SCENARIOS:
        for kind in kinds:
            row = run_one(kind, scenario, args.duration, {})
            rows.append(row)
            print(table([row], COLUMNS), flush=True)
    for row in rows:
        relay = next(
            (r for r in rows if r["server"] == "relay" and r["scenario"] == row["scenario"]), None
        )
        if relay and row["server"] == "samskap":
            row["ratio_delivered"] = row["delivered_msgs_s"] / relay["delivered_msgs_s"]
            row["ratio_p99"] = row["p99"] / relay["p99"]
    print()
    print(table(rows, (*COLUMNS, "ratio_delivered", "ratio_p99")))
    name = "fanout" + (f"-{args.label}" if args.label else "")
    path = write_results(
        name,
        {
            "duration_s": args.duration,
            "window": WINDOW,
            "limits_env": BENCH_LIMITS,
            "rows": rows,
        },
    )
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
