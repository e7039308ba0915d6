"""Plots for issue 18: scale-out, the meeting over time, the relay, render frame times,
many rooms.

Reads the result files named below (written by the benches' `--json`/label options)
and writes docs/performance-scaleout.png, performance-scaleout-cpu.png,
performance-meeting.png,
performance-relay.png, performance-render.png, performance-drag.png,
performance-rooms.png, performance-rooms-load.png and performance-middle.png.

    python bench/plot_scale.py [--commit REV]   # scale-out rows of that commit (default: newest)
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from _common import RESULTS, ROOT

# The newest figures (sessions 13 to 15); older files stay for their sections of the doc.
SCALEOUT = RESULTS / "scaleout-s15-after.jsonl"  # saturation ratios, three runs
# Saturation only, interleaved: before and after session 15's Redis connections.
SCALEOUT_CPU = [
    ("before (b21947a)", RESULTS / "scaleout-s15-before.jsonl"),
    ("after", RESULTS / "scaleout-s15-after.jsonl"),
]
MEETING = RESULTS / "meeting-s18.jsonl"  # 30 minutes, every target PASS (session 18)
RELAY = [RESULTS / f"fanout-s16-after-{n}.json" for n in (1, 2)]  # the runs with the relay
ROOMS = "rooms-s16-{}-{}.json"  # rooms.py --duration 10 --label s16-<side>-N
# The middle load (50 clients x 5 batches/s), interleaved triples and the relay (session 17)
MIDDLE = "fanout-s17-mid-{}-{}.json"
MIDDLE_SIDES = [
    ("start", "e6fb891: writer thread", "tab:red"),
    ("writer", "3e56be1: loop feeds the writer", "tab:olive"),
    ("head", "4f4d495: and no self-publishing", "tab:green"),
]
# rooms.py runs on two days: f958bb8 (session 16), b111d0d and later (18); no probe attached
ROOMS_LOAD = [
    ("session 16, f958bb8", "rooms-s16-after-*.json", "tab:green"),
    ("session 18, b111d0d / 40ad766", "rooms-s18-[0-9].json", "tab:red"),
    ("session 18, checkpoint pairs (both sides)", "rooms-s18-ck-*.json", "tab:orange"),
]
RENDER_BEFORE = RESULTS / "render-10k-course-before.json"  # session 3, before its changes
RENDER_NOW = RESULTS / "render-s13.json"  # render_bench.py --objects 2000 10000 50000
DRAG_BEFORE = RESULTS / "render-s9-before.json"  # session 8's code, session 9's minutes
DRAG_AFTER = RESULTS / "render-s9-rect.json"  # lifted drags (session 9)
DOCS = ROOT / "docs"


def _jsonl(path: Any) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def scaleout(commit: str | None) -> None:
    rows = [r for r in _jsonl(SCALEOUT) if not r.get("interval")]
    commit = commit or rows[-1].get("commit") or ""
    wanted = set(commit.split(","))
    runs: dict[str, dict[int, list[float]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        if row.get("commit") in wanted and "ratio" in row:
            runs[row["spread"]][row["processes"]].append(row["ratio"])
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot([1, 2, 3], [1, 2, 3], ":", color="grey", label="linear")
    ax.scatter([2, 3], [1.8, 2.5], marker="_", s=400, color="red", label="targets")
    for spread, by_n in sorted(runs.items()):
        ns = sorted(by_n)
        for n in ns:
            ax.scatter([n] * len(by_n[n]), by_n[n], s=14, color="black")
        medians = [sorted(by_n[n])[len(by_n[n]) // 2] for n in ns]
        label = "a board's sockets on one process" if spread == "board" else "round robin"
        ax.plot(ns, medians, marker="o", label=f"{label} (median, runs as dots)")
    ax.set_xlabel("app processes (0.3 core each)")
    ax.set_ylabel("deliveries/s as a multiple of one process")
    ax.set_xticks([1, 2, 3])
    ax.legend(fontsize=8)
    ax.set_title("Scale-out under CPU quotas, PostgreSQL + Redis", fontsize=10)
    fig.tight_layout()
    fig.savefig(DOCS / "performance-scaleout.png", dpi=110)


def scaleout_cpu() -> None:
    """CPU per delivery of each capped process, by N: runs as dots, medians joined."""
    fig, ax = plt.subplots(figsize=(6, 3.6))
    for k, (label, path) in enumerate(SCALEOUT_CPU):
        by_n: dict[int, list[float]] = defaultdict(list)
        for row in _jsonl(path):
            by_n[row["processes"]].append(row["cpu_us_per_delivery"])
        ns = sorted(by_n)
        shift = (k - 0.5) * 0.08
        for n in ns:
            ax.scatter([n + shift] * len(by_n[n]), by_n[n], s=14, color=f"C{k}")
        medians = [sorted(by_n[n])[len(by_n[n]) // 2] for n in ns]
        ax.plot([n + shift for n in ns], medians, marker="o", color=f"C{k}", label=label)
    ax.set_xlabel("app processes (0.3 core each)")
    ax.set_ylabel("CPU µs per delivery")
    ax.set_xticks([1, 2, 3])
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=8)
    ax.set_title("Redis pub/sub on the broker's own connections (session 15)", fontsize=10)
    fig.tight_layout()
    fig.savefig(DOCS / "performance-scaleout-cpu.png", dpi=110)


def meeting() -> None:
    windows = [r for r in _jsonl(MEETING) if "window" in r and "p99_ms" in r]
    if not windows:
        return
    minutes = [r["minute"] for r in windows]
    fig, (rss, lat) = plt.subplots(2, 1, figsize=(6, 5), sharex=True)
    rss.plot(minutes, [r["rss_a_mb"] for r in windows], marker="o", label="process A")
    rss.plot(minutes, [r["rss_b_mb"] for r in windows], marker="o", label="process B")
    restarts = [r["minute"] for r in windows if r.get("restart")]
    for ax in (rss, lat):
        for minute in restarts:
            ax.axvline(minute, color="grey", linestyle=":")
    rss.set_ylabel("RSS, MB")
    rss.legend(fontsize=8)
    lat.plot(minutes, [r["p99_ms"] for r in windows], marker="o", label="p99")
    lat.plot(minutes, [r["p50_ms"] for r in windows], marker="o", label="p50")
    lat.axhline(150, color="red", linestyle="--", label="p99 target")
    lat.set_ylabel("edit round trip, ms")
    lat.set_xlabel("minute of the compressed meeting (dotted: the window in which B restarted)")
    lat.legend(fontsize=8)
    rss.set_title("A three-hour meeting in 30 minutes: two processes, one board", fontsize=10)
    fig.tight_layout()
    fig.savefig(DOCS / "performance-meeting.png", dpi=110)


def relay() -> None:
    runs = [json.loads(path.read_text())["rows"] for path in RELAY]
    if not runs:
        return
    fig, (ratio, mid) = plt.subplots(1, 2, figsize=(8, 3.6))
    for i, rows in enumerate(runs, 1):
        by = {(r["server"], r["scenario"]): r for r in rows}
        sat = (
            by[("samskap", "sat50")]["delivered_msgs_s"]
            / by[("relay", "sat50")]["delivered_msgs_s"]
        )
        ratio.bar(i, sat, color="tab:blue")
        for k, server in enumerate(("samskap", "relay")):
            row = by[(server, "50x200")]
            mid.bar(
                i + 0.35 * k,
                row["p50"],
                0.35,
                color=("tab:blue", "tab:orange")[k],
                label=server if i == 1 else None,
            )
    ratio.axhline(0.85, color="red", linestyle="--", label="target 0.85")
    ratio.set_ylabel("Samskap / relay deliveries/s")
    ratio.set_xlabel("run (saturation, 50 clients)")
    ratio.set_xticks(range(1, len(runs) + 1))
    mid.set_xticks([i + 0.175 for i in range(1, len(runs) + 1)], range(1, len(runs) + 1))
    ratio.legend(fontsize=8)
    mid.axhline(1.0, color="red", linestyle="--", label="target 1 ms")
    mid.set_ylabel("p50 ms at 50 clients x 5 batches/s")
    mid.set_xlabel("run")
    mid.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(DOCS / "performance-relay.png", dpi=110)


def middle() -> None:
    """Server CPU at the middle load: three versions interleaved, the relay, the target."""
    fig, ax = plt.subplots(figsize=(7, 3.8))
    width = 0.8 / len(MIDDLE_SIDES)
    relay_cpu = []
    for n in range(1, 6):
        for k, (side, label, color) in enumerate(MIDDLE_SIDES):
            path = RESULTS / MIDDLE.format(side, n)
            if path.exists():
                row = json.loads(path.read_text())["rows"][0]
                ax.bar(
                    n + k * width,
                    row["server_cpu_pct"],
                    width,
                    color=color,
                    label=label if n == 1 else None,
                )
        path = RESULTS / MIDDLE.format("relay", n)
        if path.exists():
            relay_cpu.append(json.loads(path.read_text())["rows"][0]["server_cpu_pct"])
    if not relay_cpu:
        plt.close(fig)
        return
    relay = sum(relay_cpu) / len(relay_cpu)
    ax.axhline(relay, color="tab:orange", label=f"the relay ({len(relay_cpu)} runs)")
    ax.axhline(1.5 * relay, color="red", linestyle="--", label="target: 1.5 x the relay")
    ax.set_xticks([n + 0.4 - width / 2 for n in range(1, 6)], range(1, 6))
    ax.set_xlabel("run (the three versions interleaved in each)")
    ax.set_ylabel("server CPU, % of a core (writer included)")
    ax.set_ylim(0, 58)
    ax.legend(fontsize=7, loc="upper center", ncol=3)
    ax.set_title("50 clients x 5 batches/s on one board (SQLite), session 17", fontsize=10)
    fig.tight_layout()
    fig.savefig(DOCS / "performance-middle.png", dpi=110)


def render() -> None:
    labels = ["pan_at_fit", "zoom_at_fit", "pan_at_100", "zoom_at_100"]
    series = [("10k, session 3 before", json.loads(RENDER_BEFORE.read_text())["rows"][0])]
    if RENDER_NOW.exists():
        runs: dict[int, int] = defaultdict(int)
        for row in json.loads(RENDER_NOW.read_text())["rows"]:
            runs[row["objects"]] += 1
            series.append((f"{row['objects'] // 1000}k now, run {runs[row['objects']]}", row))
    fig, ax = plt.subplots(figsize=(7, 4))
    width = 0.8 / len(series)
    for k, (name, row) in enumerate(series):
        values = [row[label]["frame_interval"]["median_ms"] for label in labels]
        ax.bar([i + k * width for i in range(len(labels))], values, width, label=name)
    ax.axhline(16, color="grey", linestyle=":", label="16 ms")
    ax.set_yscale("log")
    ax.set_xticks([i + 0.4 - width / 2 for i in range(len(labels))], labels)
    ax.set_ylabel("median frame interval, ms (log)")
    ax.legend(fontsize=8)
    ax.set_title("Course boards in Chromium (headless, no GPU)")
    fig.tight_layout()
    fig.savefig(DOCS / "performance-render.png", dpi=110)


# (left side label, right side label, run numbers, title) for each panel of the rooms plot
ROOMS_PANELS = [
    ("before", "after", range(1, 6), "04:18: 1a8c4c4 (writer thread) / writer process"),
    ("before", "after", range(6, 9), "04:32: 1a8c4c4 / writer process, fields pickled"),
]


def rooms() -> None:
    """p50, p99 and max of bench/rooms.py, interleaved pairs of runs (session 16)."""
    panels = []
    for left, right, numbers, title in ROOMS_PANELS:
        pairs = []
        for n in numbers:
            paths = [RESULTS / ROOMS.format(side, n) for side in (left, right)]
            if all(path.exists() for path in paths):
                pairs.append([json.loads(path.read_text())["rows"][0] for path in paths])
        if pairs:
            panels.append((pairs, title))
    if not panels:
        return
    fig, axes = plt.subplots(1, len(panels), figsize=(4 * len(panels), 3.8), sharey=True)
    for ax, (pairs, title) in zip(list(axes) if len(panels) > 1 else [axes], panels, strict=True):
        for i, pair in enumerate(pairs, 1):
            for k, row in enumerate(pair):
                x = i + 0.38 * k
                label = ("older code", "newer code")[k] if i == 1 else None
                ax.bar(x, row["p99"], 0.34, color=("tab:red", "tab:green")[k], label=label)
                ax.plot([x - 0.17, x + 0.17], [row["p50"]] * 2, color="black", linewidth=2)
                ax.plot(x, row["max"], marker="v", color="grey", linestyle="none")
        ax.axhline(30, color="red", linestyle="--", label="target p99 30 ms")
        ax.set_xticks([i + 0.19 for i in range(1, len(pairs) + 1)], range(1, len(pairs) + 1))
        ax.set_title(title, fontsize=9)
        ax.set_xlabel("pair (bar p99, line p50, marker max)", fontsize=8)
    axes_list = list(axes) if len(panels) > 1 else [axes]
    axes_list[0].set_ylabel("edit round trip, ms")
    axes_list[0].legend(fontsize=7)
    fig.suptitle("rooms.py: 1,000 connections on 50 boards, 1 batch/s each", fontsize=10)
    fig.tight_layout()
    fig.savefig(DOCS / "performance-rooms.png", dpi=110)


def rooms_load() -> None:
    """Each rooms.py run's p99 against the load generator's CPU: session 16 and 18."""
    fig, ax = plt.subplots(figsize=(6, 3.8))
    for label, pattern, color in ROOMS_LOAD:
        rows = [json.loads(path.read_text())["rows"][0] for path in sorted(RESULTS.glob(pattern))]
        ax.scatter(
            [r["load_cpu_pct_total"] for r in rows],
            [r["p99"] for r in rows],
            color=color,
            label=f"{label} ({len(rows)} runs)",
        )
    ax.axhline(30, color="red", linestyle="--", label="target p99 30 ms")
    ax.set_xlabel("load generator's CPU, % of a core (4 processes)")
    ax.set_ylabel("p99 edit round trip, ms")
    ax.set_yscale("log")
    ax.set_ylim(10, 600)  # room above the points for the legend
    ax.legend(fontsize=8, loc="upper left")
    ax.set_title("rooms.py, 1,000 connections on 50 boards, two days", fontsize=10)
    fig.tight_layout()
    fig.savefig(DOCS / "performance-rooms-load.png", dpi=110)


def drag() -> None:
    """Dragging a note at fit, before and after lifted drags (session 9)."""
    if not (DRAG_BEFORE.exists() and DRAG_AFTER.exists()):
        return
    before = {r["objects"]: r for r in json.loads(DRAG_BEFORE.read_text())["rows"]}
    after = {r["objects"]: r for r in json.loads(DRAG_AFTER.read_text())["rows"]}
    sizes = sorted(set(before) & set(after))
    fig, ax = plt.subplots(figsize=(6, 3.8))
    for k, (name, rows) in enumerate((("repainted (before)", before), ("lifted (now)", after))):
        for part, hatch in (("frame_interval", ""), ("draw", "//")):
            values = [rows[n]["drag_at_fit"][part]["median_ms"] for n in sizes]
            xs = [i + k * 0.4 + (0.2 if hatch else 0) for i in range(len(sizes))]
            label = f"{name}: {'draw' if hatch else 'frame interval'}"
            ax.bar(xs, values, 0.2, hatch=hatch, color=("tab:red", "tab:green")[k], label=label)
    ax.axhline(16, color="grey", linestyle=":", label="16 ms")
    ax.set_yscale("log")
    ax.set_xticks([i + 0.3 for i in range(len(sizes))], [f"{n:,} objects" for n in sizes])
    ax.set_ylabel("median per frame, ms (log)")
    ax.legend(fontsize=7)
    ax.set_title("Dragging a note at zoom to fit (render_bench.py)", fontsize=10)
    fig.tight_layout()
    fig.savefig(DOCS / "performance-drag.png", dpi=110)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--commit", help="scale-out rows of these commits, comma-separated (default: newest)"
    )
    args = parser.parse_args()
    scaleout(args.commit)
    scaleout_cpu()
    meeting()
    relay()
    render()
    drag()
    rooms()
    rooms_load()
    middle()
    print(
        "wrote docs/performance-{scaleout,scaleout-cpu,meeting,relay,render,drag,rooms,"
        "rooms-load,middle}.png"
    )
