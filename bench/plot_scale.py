"""Plots for issue 18: scale-out under CPU quotas and render frame times by board size.

Reads bench/results/scaleout.jsonl (every row `bench/scaleout.py --json` appended) and
the render results named below, and writes docs/performance-scaleout.png and
docs/performance-render.png.

    python bench/plot_scale.py
"""

from __future__ import annotations

import json
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from _common import RESULTS, ROOT

RENDER = {
    "10k before": "render-10k-course-before.json",
    "10k after": "render-10k-course-lod.json",
    "50k after": "render-50k-course-lod.json",
}


def scaleout() -> None:
    runs: dict[str, dict[int, list[float]]] = defaultdict(lambda: defaultdict(list))
    for line in (RESULTS / "scaleout.jsonl").read_text().splitlines():
        row = json.loads(line)
        if row.get("interval"):
            continue
        runs[row.get("spread", "connection")][row["processes"]].append(row["ratio"])
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot([1, 2, 3], [1, 2, 3], ":", color="grey", label="linear")
    for spread, by_n in sorted(runs.items()):
        ns = sorted(by_n)
        for n in ns:
            ax.scatter([n] * len(by_n[n]), by_n[n], s=14)
        medians = [sorted(by_n[n])[len(by_n[n]) // 2] for n in ns]
        ax.plot(ns, medians, marker="o", label=f"sockets spread per {spread}")
    ax.set_xlabel("app processes (0.3 core each)")
    ax.set_ylabel("deliveries/s as a multiple of one process")
    ax.set_xticks([1, 2, 3])
    ax.legend()
    ax.set_title("Scale-out under CPU quotas (PostgreSQL + Redis, 20 boards)")
    fig.tight_layout()
    fig.savefig(ROOT / "docs" / "performance-scaleout.png", dpi=110)


def render() -> None:
    labels = ["pan_at_fit", "zoom_at_fit", "pan_at_100", "zoom_at_100"]
    fig, ax = plt.subplots(figsize=(7, 4))
    width = 0.8 / len(RENDER)
    for k, (name, file) in enumerate(RENDER.items()):
        path = RESULTS / file
        if not path.exists():
            continue
        row = json.loads(path.read_text())["rows"][0]
        values = [row[label]["frame_interval"]["median_ms"] for label in labels]
        ax.bar([i + k * width for i in range(len(labels))], values, width, label=name)
    ax.axhline(16, color="grey", linestyle=":", label="16 ms")
    ax.set_yscale("log")
    ax.set_xticks([i + width for i in range(len(labels))], labels)
    ax.set_ylabel("median frame interval, ms (log)")
    ax.legend()
    ax.set_title("Course boards in Chromium (headless, no GPU, busy machine)")
    fig.tight_layout()
    fig.savefig(ROOT / "docs" / "performance-render.png", dpi=110)


if __name__ == "__main__":
    scaleout()
    render()
    print("wrote docs/performance-scaleout.png, docs/performance-render.png")
