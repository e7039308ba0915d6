"""Render bench: Chromium opens a 2,000-object board; time to first full render and
frame times while panning.

Run from the repository root: `.venv/bin/python bench/render_bench.py [--objects N]`.
Starts its own server (temporary SQLite database), fills a board through the real
WebSocket protocol, opens it in a fresh browser context and measures there:
- first render: from navigation start to the first frame drawn with the whole board;
- panning: 120 frames, each moving the view; the draw time of each frame (script and
  canvas raster, which run on the main thread) and the interval between frames with
  the frame-rate cap lifted. Done at "zoom to fit" (every object in view: the worst
  case) and at 100 %;
- dragging at fit: 60 frames that each move one note (a local preview, as the select
  tool does while dragging), so every frame draws the whole board again.
Writes bench/results/render.json (or --out). With --trace FILE, also records a
Chromium performance trace of the panning at "zoom to fit" (open it in chrome://tracing
or Perfetto) and prints the busiest trace events per thread.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import async_playwright

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "render.json"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-frame-rate-limit",
    "--disable-gpu-vsync",
]
COLORS = ["#fff59d", "#ffcc80", "#f8bbd0", "#d1c4e9", "#b3e5fc", "#c5e1a5"]
WORDS = [
    "bibliotek",
    "frivillig",
    "samskaping",
    "møteplass",
    "leksehjelp",
    "språkkafé",
    "idé",
    "kurs",
    "barn",
    "senior",
    "digital",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def objects(n: int) -> list[dict[str, Any]]:
    rng = random.Random(7)
    out: list[dict[str, Any]] = []
    cols = 50
    for i in range(n):
        x, y = (i % cols) * 230, (i // cols) * 230
        kind = i % 10
        base = {"id": f"o{i}", "x": x, "y": y, "z": i}
        if kind < 6:
            words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 8)))
            out.append({**base, "kind": "note", "text": words, "color": COLORS[i % 6]})
        elif kind == 6:
            out.append({**base, "kind": "shape", "shape": "ellipse", "text": "Mål"})
        elif kind == 7:
            out.append({**base, "kind": "text", "text": "Overskrift " + str(i), "w": 200})
        elif kind == 8:
            pts = [[j * 8.0, 20 * ((j % 4) / 3)] for j in range(20)]
            out.append({**base, "kind": "path", "points": pts})
        else:
            out.append(
                {
                    **base,
                    "kind": "connector",
                    "from": {"id": f"o{i - 1}"},
                    "to": {"id": f"o{i - 3}"},
                }
            )
    return out


def frame_loop(before: str, step: str, after: str = "") -> str:
    """A page function that runs `step` in each of `frames` animation frames, then
    paints, and returns the paint times and the intervals between frames."""
    return f"""async ([frames, dx]) => {{
  const s = window.samskap;
  {before}
  const draws = [], gaps = [];
  let last = performance.now();
  for (let i = 0; i < frames; i++) {{
    await new Promise((resolve) => requestAnimationFrame(() => {{
      const now = performance.now();
      gaps.push(now - last);
      last = now;
      {step}
      const t0 = performance.now();
      s.renderer.draw();
      draws.push(performance.now() - t0);
      resolve();
    }}));
  }}
  {after}
  return {{ draws, gaps: gaps.slice(1), drawn: s.renderer.drawn }};
}}"""


PAN = frame_loop("", "s.camera.panBy(i % 60 < 30 ? dx : -dx, 2 * (i % 2 ? 1 : -1));")
DRAG = frame_loop(
    'const note = s.store.sorted().find((o) => o.kind === "note");',
    "s.store.setPreview(new Map([[note.id, { x: note.x + (i % 20) * 5 }]]));",
    "s.store.clearPreview();",
)


def summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "median_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1], 2),
        "max_ms": round(ordered[-1], 2),
    }


TRACE_CATEGORIES = [
    "devtools.timeline",
    "disabled-by-default-devtools.timeline",
    "disabled-by-default-devtools.timeline.frame",
    "toplevel",
    "blink",
    "cc",
    "viz",
    "gpu",
    "skia",
]


def trace_summary(path: Path, top: int = 12) -> list[tuple[str, str, float, int]]:
    """(thread, event, total ms, count) of the longest complete events in a trace.

    Totals include nested events, so a parent and its children both appear: read it
    as "where the time went", not as a sum.
    """
    events = json.loads(path.read_text(encoding="utf-8"))
    events = events["traceEvents"] if isinstance(events, dict) else events
    threads = {
        (e["pid"], e["tid"]): e["args"]["name"]
        for e in events
        if e.get("ph") == "M" and e.get("name") == "thread_name"
    }
    totals: dict[tuple[str, str], list[float]] = {}
    for e in events:
        if e.get("ph") != "X" or "dur" not in e:
            continue
        key = (threads.get((e["pid"], e["tid"]), str(e["tid"])), e["name"])
        slot = totals.setdefault(key, [0.0, 0])
        slot[0] += e["dur"] / 1000
        slot[1] += 1
    ranked = sorted(totals.items(), key=lambda kv: -kv[1][0])[:top]
    return [(thread, name, round(ms, 1), int(count)) for (thread, name), (ms, count) in ranked]


async def run(n: int, trace: Path | None = None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as data:
        port = free_port()
        proc = subprocess.Popen(
            [sys.executable, "-m", "server", "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            env={**os.environ, "SAMSKAP_DATA_DIR": data},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(100):
                try:
                    if httpx.get(url + "/healthz", timeout=0.5).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.1)
            board = httpx.post(url + "/api/boards", json={"title": "Bench"}).json()
            link = board["links"]["participant"]
            async with async_playwright() as pw:
                browser = await pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
                filler = await browser.new_context()
                await filler.add_init_script("localStorage.setItem('samskap.name', 'Bench')")
                page = await filler.new_page()
                await page.goto(link)
                await page.wait_for_function(
                    "() => window.samskap && window.samskap.conn.state === 'online'"
                )
                objs = objects(n)
                for i in range(0, n, 400):
                    await page.evaluate(
                        "(objs) => window.samskap.conn.send("
                        "objs.map((o) => ({op: 'create', object: o})))",
                        objs[i : i + 400],
                    )
                await page.wait_for_function(
                    "() => window.samskap.store.pending.length === 0", timeout=60000
                )
                await filler.close()

                ctx = await browser.new_context(viewport={"width": 1440, "height": 900})
                await ctx.add_init_script("localStorage.setItem('samskap.name', 'Viewer')")
                page = await ctx.new_page()
                await page.goto(link)
                await page.wait_for_function(
                    "() => window.samskap && window.samskap.firstRender"
                    f" && window.samskap.store.view.size >= {n}",
                    timeout=30000,
                )
                first = await page.evaluate("window.samskap.firstRender")
                drawn_fit = await page.evaluate("window.samskap.renderer.drawn")
                if trace:
                    await browser.start_tracing(page=page, path=trace, categories=TRACE_CATEGORIES)
                fit = await page.evaluate(PAN, [120, 12])
                if trace:
                    await browser.stop_tracing()
                drag = await page.evaluate(DRAG, [60, 0])
                await page.evaluate("window.samskap.camera.zoomAt(1)")
                full = await page.evaluate(PAN, [120, 12])
                await browser.close()
        finally:
            proc.terminate()
            proc.wait(10)
    return {
        "objects": n,
        "viewport": "1440x900",
        "first_full_render_ms": round(first, 1),
        "objects_drawn_at_fit": drawn_fit,
        "pan_at_fit": {"draw": summary(fit["draws"]), "frame_interval": summary(fit["gaps"])},
        "drag_at_fit": {"draw": summary(drag["draws"]), "frame_interval": summary(drag["gaps"])},
        "pan_at_100": {
            "objects_drawn": full["drawn"],
            "draw": summary(full["draws"]),
            "frame_interval": summary(full["gaps"]),
        },
        "targets": {"first_full_render_ms": 1000, "median_frame_ms": 16},
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Chromium headless, no GPU",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=2000)
    parser.add_argument("--out", type=Path, default=RESULTS, help="where the JSON goes")
    parser.add_argument("--trace", type=Path, help="write a Chromium trace of panning at fit")
    args = parser.parse_args()
    result = asyncio.run(run(args.objects, args.trace))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"objects: {result['objects']}")
    print(f"time to first full render: {result['first_full_render_ms']} ms (target < 1000)")
    for label in ("pan_at_fit", "pan_at_100", "drag_at_fit"):
        r = result[label]
        print(
            f"{label}: draw median {r['draw']['median_ms']} ms (p95 {r['draw']['p95_ms']}), "
            f"frame interval median {r['frame_interval']['median_ms']} ms (target <= 16)"
        )
    if args.trace:
        print(f"trace of panning at fit: {args.trace} (thread, event, total ms, count)")
        for row in trace_summary(args.trace):
            print("  ", *row)


if __name__ == "__main__":
    main()
