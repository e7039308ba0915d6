"""p99 latency against clients (I = 200 ms) for Samskap and the baseline relay.

Reads bench/results/fanout-quiet.json (end of session 1) and fanout-setcommit.json (after
the set-based group commit), both on a quiet machine, when present, and writes
docs/performance-p99.png. The relay's line comes from the newest run.

    python bench/plot.py
"""

from __future__ import annotations

import json
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from _common import RESULTS, ROOT

OUT = ROOT / "docs" / "performance-p99.png"


def series(rows: list[dict[str, Any]], server: str) -> tuple[list[int], list[float]]:
    points = sorted(
        (r["clients"], r["p99"])
        for r in rows
        if r["server"] == server and r["scenario"].endswith("x200")
    )
    return [c for c, _ in points], [p for _, p in points]


def main() -> None:
    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=120)
    runs = [
        ("fanout-quiet.json", "session 1", "--"),
        ("fanout-setcommit.json", "now (set-based group commit)", "-"),
    ]
    newest = runs[-1][0]
    for name, label, style in runs:
        path = RESULTS / name
        if not path.exists():
            continue
        rows = json.loads(path.read_text())["rows"]
        for server, color in (("samskap", "#1e88e5"), ("relay", "#757575")):
            if server == "relay" and name != newest:
                continue  # the relay did not change: one line is enough
            x, y = series(rows, server)
            title = f"Samskap {label}" if server == "samskap" else "baseline relay"
            ax.plot(x, y, style, marker="o", color=color, label=title)
    ax.axhline(100, color="#d81b60", linewidth=0.8, linestyle=":", label="target 100 ms")
    ax.set_xlabel("clients on one board (each 5 batches/s)")
    ax.set_ylabel("p99 end-to-end latency (ms)")
    ax.set_yscale("log")
    ax.set_title("Fan-out on one board, quiet 2-core machine, load generator included")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(loc="upper left", fontsize="small")
    fig.tight_layout()
    fig.savefig(OUT)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
