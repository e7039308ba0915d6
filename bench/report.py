"""Markdown tables from bench/results/*.json, for docs/performance.md.

python bench/report.py > /tmp/tables.md
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from _common import RESULTS


def fmt(value: Any) -> str:
    if isinstance(value, float):
        if value != value:  # NaN
            return "-"
        return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return "" if value is None else str(value)


def markdown(rows: list[dict[str, Any]], columns: Sequence[str]) -> str:
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(fmt(r.get(c)) for c in columns) + " |" for r in rows]
    return "\n".join(lines)


def load(name: str) -> dict[str, Any] | None:
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def with_efficiency(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Server CPU µs per delivered message: less sensitive to other load than latency."""
    for row in rows:
        row.setdefault("connections", row.get("clients"))
        if row.get("delivered_msgs_s"):
            row["cpu_us_per_msg"] = 1e4 * row["server_cpu_pct"] / row["delivered_msgs_s"]
    return rows


FANOUT = (
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
    "dropped",
    "server_cpu_pct",
    "cpu_us_per_msg",
    "server_rss_mb",
    "load_cpu_pct_max",
    "other_cpu_pct",
    "ratio_delivered",
    "ratio_p99",
)
ROOMS = (
    "connections",
    "boards",
    "offered_batches_s",
    "p50",
    "p99",
    "max",
    "lost",
    "dropped",
    "rss_base_mb",
    "rss_idle_mb",
    "rss_per_conn_kb",
    "server_rss_mb",
    "server_cpu_pct",
    "other_cpu_pct",
)
COMMIT = ("database", "shape", "group", "batches_s", "tx_s")
OPEN = ("database", "board", "objects", "welcome_kb", "first_ms", "warm_ms", "warm_max_ms")
MULTI = (
    "processes",
    "scenario",
    "offered_msgs_s",
    "delivered_msgs_s",
    "p50",
    "p99",
    "same_p99",
    "cross_p99",
    "hop_p99",
    "p99_added",
    "throughput_x",
    "lost",
    "dup",
    "server_cpu_pct",
    "other_cpu_pct",
)
SECTIONS = [
    ("fanout", FANOUT),
    ("rooms", ROOMS),
    ("commit", COMMIT),
    ("open", OPEN),
    ("multiprocess", MULTI),
]


def main() -> None:
    for bench, columns in SECTIONS:
        for suffix in (
            "-before",
            "-before-ab",
            "",
            "-after-lock",
            "-after-groupcommit",
            "-after-store",
        ):
            data = load(bench + suffix)
            if data is None:
                continue
            print(f"\n### {bench}{suffix} ({data['when']})\n")
            print(markdown(with_efficiency(data["rows"]), columns))


if __name__ == "__main__":
    main()
