"""Render bench: Chromium opens a big board; time to first full render, JS heap, and
frame times while panning and zooming.

Run from the repository root: `.venv/bin/python bench/render_bench.py [--objects N ...]
[--layout course|grid] [--runs R]`. The course layout (render_board.py: frames of notes,
headings, shapes, connectors, pen strokes and photos) is the default; `grid` is the
2,000-object grid of earlier sessions. Starts its own server (temporary SQLite
database), fills a board through the real WebSocket protocol, opens it in a fresh
browser context and measures there:
- first render: from navigation start to the first frame drawn with the whole board;
- heap: the page's JS heap after a full garbage collection (CDP), after opening and
  again after all the frames below;
- zooming: 60 frames that each change the zoom by 1 %, at fit and at 100 %;
- panning: 120 frames, each moving the view; the draw time of each frame (script and
  canvas raster, which run on the main thread) and the interval between frames with
  the frame-rate cap lifted. Done at "zoom to fit" (every object in view: the worst
  case) and at 100 %;
- dragging at fit: 60 frames that each move one note (a local preview, as the select
  tool does while dragging); and the topmost note dragged with the mouse through the
  select tool (60 moves, then dropped and undone): the time the moves took and the
  interval between the frames painted meanwhile, and how they were painted.
Writes bench/results/render.json (or --out) as {"rows": [...]}. With --trace FILE, also records a
Chromium performance trace of the panning at "zoom to fit" (open it in chrome://tracing
or Perfetto) and prints the busiest trace events per thread.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
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
from collections.abc import Iterator
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
# Zoom in and out by 1 % a frame around the current zoom: every frame paints anew.
ZOOM_STEP = "s.camera.zoomAt(z0 * (1 + 0.01 * ((i % 20) < 10 ? i % 10 : 10 - (i % 10))));"
ZOOM = frame_loop("const z0 = s.camera.zoom;", ZOOM_STEP)
# The zoom frames one way (`scaled`: the cached bitmap scaled during the gesture, the
# default; or every zoom frame painted anew, as before), then the frame that ends the
# gesture (SHARP_MS later: the view painted sharp), timed on its own. Starts from a
# sharp cache at z0 and goes back to z0.
ZOOM_WAY = frame_loop(
    """const z0 = s.camera.zoom;
  clearTimeout(s.renderer.sharpTimer);
  await new Promise((r) => setTimeout(r, 200));
  s.renderer.draw(); // the cache at z0, sharp, as after a pause
  s.renderer.scaleWhileZooming = dx === 1;""",
    ZOOM_STEP,
    """clearTimeout(s.renderer.sharpTimer);
  await new Promise((r) => setTimeout(r, 200));
  const t1 = performance.now();
  s.renderer.draw();
  var sharp = performance.now() - t1, ended = s.renderer.painted;
  s.renderer.scaleWhileZooming = true;
  s.camera.zoomAt(z0);
  s.renderer.draw();""",
).replace("drawn: s.renderer.drawn", "drawn: s.renderer.drawn, sharp, ended")
CENTRE_100 = """() => {
  const s = window.samskap;
  const note = s.store.sorted().find((o) => o.kind === "note");
  s.camera.set(0, 0, 1);
  s.camera.centerOn({ x: note.x + 600, y: note.y + 400 });
  s.renderer.draw();
}"""
DRAG = frame_loop(
    'const note = s.store.sorted().find((o) => o.kind === "note");',
    "s.store.setPreview(new Map([[note.id, { x: note.x + (i % 20) * 5 }]]));",
    "s.store.clearPreview();",
)


# On the screen (CSS px) at the current view: the centre of the topmost note on screen
# (clear of the tool column and the zoom controls) that a click there picks; null if
# none of the top 200 is. At 2 % zoom (50,000 objects at fit) a connector or a frame's
# border 4 screen px away is picked before the note under it, and dragging it moves
# nothing.
TOP_NOTE = """() => { const s = window.samskap, c = s.camera;
  const r = document.querySelector('#board-canvas').getBoundingClientRect();
  const notes = s.store.sorted().filter((o) => o.kind === 'note');
  for (let k = notes.length - 1, tried = 0; k >= 0 && tried < 200; k--) {
    const o = notes[k], p = { x: o.x + o.w / 2, y: o.y + o.h / 2 };
    const x = r.left + (p.x - c.x) * c.zoom, y = r.top + (p.y - c.y) * c.zoom;
    if (x < r.left + 100 || x > r.right - 300 || y < r.top + 80 || y > r.bottom - 120) continue;
    tried++;
    if (s.view.pick(p) === o) return [x, y];
  }
  return null; }"""
# The whole board on screen, drawn.
FIT = "window.samskap.zoomToFit(); window.samskap.renderer.draw()"
# Record every animation frame's time and how it was painted, until STOP.
WATCH = """() => { window.__frames = []; const loop = (t) => {
  window.__frames.push([t, window.samskap.renderer.painted]);
  window.__raf = requestAnimationFrame(loop); }; window.__raf = requestAnimationFrame(loop); }"""
STOP = "() => { cancelAnimationFrame(window.__raf); return window.__frames; }"


async def mouse_drag(page: Any, moves: int = 60) -> dict[str, Any]:
    """The topmost note dragged with the mouse at fit (or closer, where a click at fit
    picks something else: `zoom`), through the select tool (what a person does; DRAG
    above sets the preview directly), then dropped and put back: how long the moves
    took and the intervals between the frames painted meanwhile."""
    await page.evaluate(FIT)
    await page.wait_for_timeout(300)  # past the zoom gesture
    spot = await page.evaluate(TOP_NOTE)
    while spot is None:  # no note can be picked at this zoom: closer, twice at a time
        if await page.evaluate("window.samskap.camera.zoom") > 0.5:
            raise RuntimeError("no note on screen is picked at its own centre")
        await page.evaluate(
            "window.samskap.camera.zoomAt(window.samskap.camera.zoom * 2);"
            " window.samskap.renderer.draw()"
        )
        await page.wait_for_timeout(300)
        spot = await page.evaluate(TOP_NOTE)
    x, y = spot
    zoom = await page.evaluate("window.samskap.camera.zoom")
    steps = await page.evaluate("window.samskap.undo.done.length")
    await page.evaluate(WATCH)
    await page.mouse.move(x, y)
    await page.mouse.down()
    started = time.perf_counter()
    for i in range(1, moves + 1):
        await page.mouse.move(x + i * 3, y + i % 10)
    took = time.perf_counter() - started
    await page.mouse.up()
    frames = await page.evaluate(STOP)
    # A move, not a marquee (something else on top of the note would make it one).
    if await page.evaluate("window.samskap.undo.done.length") != steps + 1:
        await page.screenshot(path="/tmp/render-drag-failed.png")
        on_top = await page.evaluate(
            "([x, y]) => { const e = document.elementFromPoint(x, y), s = window.samskap;"
            " const sel = [...s.selection].map((id) => s.store.get(id));"
            " return [e && (e.id || e.className || e.tagName), s.camera.zoom,"
            " JSON.stringify(sel.map((o) => o && [o.kind, o.x, o.y, o.w, o.h]))]; }",
            [x, y],
        )
        raise RuntimeError(
            f"the mouse did not move the note at ({x:.0f}, {y:.0f}): {on_top[0]!r} is there"
            f" at zoom {on_top[1]:.3f}, selected {on_top[2]}"
            " (screenshot: /tmp/render-drag-failed.png)"
        )
    await page.evaluate("window.samskap.undo.undo()")  # the board as it was
    gaps = [b[0] - a[0] for a, b in itertools.pairwise(frames)]
    ways = [way for _, way in frames]
    return {
        "zoom": round(zoom, 4),  # fit, or the first doubling of it where a note is picked
        "moves": moves,
        "moves_ms": round(took * 1000),
        "frame_interval": summary(gaps),
        "painted": {way: ways.count(way) for way in sorted(set(ways))},
    }


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


def _png(color: tuple[int, int, int], w: int = 800, h: int = 600) -> bytes:
    """A photo-sized PNG with some structure (bands), as uploads are."""
    from io import BytesIO

    from PIL import Image, ImageDraw

    img = Image.new("RGB", (w, h), color)
    draw = ImageDraw.Draw(img)
    for i in range(0, w, 40):
        draw.rectangle([i, 0, i + 20, h], fill=tuple(min(255, c + 40) for c in color))
    out = BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def upload_assets(url: str, board: dict[str, Any], count: int = 4) -> list[str]:
    token = board["links"]["participant"].split("#t=", 1)[1]
    headers = {"Authorization": f"Bearer {token}", "Origin": url, "Content-Type": "image/png"}
    colors = [(70, 110, 160), (160, 90, 60), (60, 140, 90), (120, 120, 120)]
    out = []
    for i in range(count):
        resp = httpx.post(
            f"{url}/api/boards/{board['id']}/assets", content=_png(colors[i % 4]), headers=headers
        )
        resp.raise_for_status()
        out.append(resp.json()["asset"])
    return out


async def fill(browser: Any, link: str, objs: list[dict[str, Any]]) -> None:
    """Create the objects through the real protocol, 400 per batch, and wait for the acks."""
    filler = await browser.new_context()
    await filler.add_init_script("localStorage.setItem('samskap.name', 'Bench')")
    page = await filler.new_page()
    await page.goto(link)
    await page.wait_for_function("() => window.samskap && window.samskap.conn.state === 'online'")
    for i in range(0, len(objs), 400):
        await page.evaluate(
            "(objs) => window.samskap.conn.send(objs.map((o) => ({op: 'create', object: o})))",
            objs[i : i + 400],
        )
        if i % 4000 == 0:
            await page.wait_for_function(
                "() => window.samskap.store.pending.length < 4", timeout=120000
            )
    await page.wait_for_function("() => window.samskap.store.pending.length === 0", timeout=300000)
    await filler.close()


async def heap_mb(page: Any) -> float:
    """The page's JS heap after a full garbage collection (what the board keeps)."""
    cdp = await page.context.new_cdp_session(page)
    await cdp.send("HeapProfiler.collectGarbage")
    used = (await cdp.send("Runtime.getHeapUsage"))["usedSize"]
    await cdp.detach()
    return round(used / 2**20, 1)


def _timing(result: dict[str, Any]) -> dict[str, Any]:
    return {"draw": summary(result["draws"]), "frame_interval": summary(result["gaps"])}


@contextlib.contextmanager
def serve(root: Path = ROOT) -> Iterator[str]:
    """The app of checkout `root` on a free port with a temporary SQLite database;
    yields its URL."""
    with tempfile.TemporaryDirectory() as data:
        port = free_port()
        from _common import BENCH_LIMITS

        proc = subprocess.Popen(
            [sys.executable, "-m", "server", "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=root,
            # A 50,000-object course board is 18 MB of JSON: its welcome does not fit the
            # default outbox of 16 MiB per socket (the page would be closed as too slow).
            env={
                **os.environ,
                **BENCH_LIMITS,
                "SAMSKAP_LIMIT_OUTBOX_BYTES": str(64 * 2**20),
                "SAMSKAP_DATA_DIR": data,
            },
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
            yield url
        finally:
            proc.terminate()
            proc.wait(10)


def _ab(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """Per round: the median draw and frame interval of the zoom frames, and the frame
    that ended the gesture (its draw, and how it was painted)."""
    return {
        "draw_median_ms": [round(statistics.median(r["draws"]), 1) for r in rounds],
        "interval_median_ms": [round(statistics.median(r["gaps"]), 1) for r in rounds],
        "end_frame_ms": [round(r["sharp"], 1) for r in rounds],
        "end_frame_painted": [r["ended"] for r in rounds],
    }


async def run(
    n: int, trace: Path | None = None, layout: str = "course", ab_rounds: int = 3
) -> dict[str, Any]:
    with serve() as url:
        board = httpx.post(url + "/api/boards", json={"title": "Bench"}).json()
        link = board["links"]["participant"]
        if layout == "course":
            from render_board import board as course_board

            objs = course_board(n, upload_assets(url, board))
        else:
            objs = objects(n)
        kinds: dict[str, int] = {}
        for o in objs:
            kinds[o["kind"]] = kinds.get(o["kind"], 0) + 1
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            await fill(browser, link, objs)
            ctx = await browser.new_context(viewport={"width": 1440, "height": 900})
            await ctx.add_init_script("localStorage.setItem('samskap.name', 'Viewer')")
            page = await ctx.new_page()
            await page.goto(link)
            await page.wait_for_function(
                "() => window.samskap && window.samskap.firstRender"
                f" && window.samskap.store.view.size >= {len(objs)}",
                timeout=120000,
                polling=50,
            )
            first = await page.evaluate("window.samskap.firstRender")
            opened_zoom = await page.evaluate("window.samskap.camera.zoom")
            heap = await heap_mb(page)
            # The page opens at the zoom it chooses (not at fit): fit the board first.
            await page.evaluate(FIT)
            await page.wait_for_timeout(300)  # past the zoom gesture
            drawn_fit = await page.evaluate("window.samskap.renderer.drawn")
            fit_zoom = await page.evaluate("window.samskap.camera.zoom")
            if trace:
                await browser.start_tracing(page=page, path=trace, categories=TRACE_CATEGORIES)
            fit = await page.evaluate(PAN, [120, 12])
            if trace:
                await browser.stop_tracing()
            zoom_fit = await page.evaluate(ZOOM, [60, 0])
            # A/B of the zoom frames at fit, alternating in this page: scaled, painted.
            zoom_ab: dict[str, list[dict[str, Any]]] = {"scaled": [], "painted": []}
            for r in range(2 * ab_rounds):
                way = ["scaled", "painted"][r % 2]
                zoom_ab[way].append(await page.evaluate(ZOOM_WAY, [60, int(way == "scaled")]))
            await page.evaluate(FIT)
            drag = await page.evaluate(DRAG, [60, 0])
            mouse = await mouse_drag(page)
            # 100 %, centred on the busiest part of the board (a frame full of notes).
            await page.evaluate(CENTRE_100)
            full = await page.evaluate(PAN, [120, 12])
            zoom_full = await page.evaluate(ZOOM, [60, 0])
            heap_after = await heap_mb(page)
            await browser.close()
    return {
        "objects": len(objs),
        "layout": layout,
        "kinds": kinds,
        "viewport": "1440x900",
        "first_full_render_ms": round(first, 1),
        "heap_mb": heap,
        "heap_after_mb": heap_after,
        "opened_zoom": round(opened_zoom, 4),
        "fit_zoom": round(fit_zoom, 4),
        "objects_drawn_at_fit": drawn_fit,
        "pan_at_fit": _timing(fit),
        "zoom_at_fit": _timing(zoom_fit),
        "zoom_at_fit_ab": {way: _ab(rounds) for way, rounds in zoom_ab.items()},
        "drag_at_fit": _timing(drag),
        "mouse_drag_at_fit": mouse,
        "pan_at_100": {"objects_drawn": full["drawn"], **_timing(full)},
        "zoom_at_100": _timing(zoom_full),
        "load1": os.getloadavg()[0],
        "when": time.strftime("%Y-%m-%d %H:%M"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Chromium headless, no GPU",
    }


def _print(result: dict[str, Any]) -> None:
    print(
        f"{result['objects']:,} objects ({result['layout']}): first full render "
        f"{result['first_full_render_ms']} ms, heap {result['heap_mb']} MB "
        f"(after panning {result['heap_after_mb']} MB), fit zoom {result['fit_zoom']}"
    )
    for way, ab in result["zoom_at_fit_ab"].items():
        print(
            f"  zoom at fit, {way} (A/B rounds): draw medians {ab['draw_median_ms']} ms, "
            f"interval medians {ab['interval_median_ms']} ms, "
            f"end frame {ab['end_frame_ms']} ms ({', '.join(ab['end_frame_painted'])})"
        )
    m = result["mouse_drag_at_fit"]
    print(
        f"  mouse_drag_at_fit: {m['moves']} mouse moves in {m['moves_ms']} ms, frame interval "
        f"median {m['frame_interval']['median_ms']} ms (p95 {m['frame_interval']['p95_ms']}), "
        f"frames {m['painted']}"
    )
    for label in ("pan_at_fit", "zoom_at_fit", "drag_at_fit", "pan_at_100", "zoom_at_100"):
        r = result[label]
        print(
            f"  {label}: draw median {r['draw']['median_ms']} ms (p95 {r['draw']['p95_ms']}), "
            f"frame interval median {r['frame_interval']['median_ms']} ms "
            f"(p95 {r['frame_interval']['p95_ms']})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, nargs="+", default=[2000])
    parser.add_argument(
        "--layout",
        choices=["course", "grid"],
        default="course",
        help="course: frames of notes, strokes, images (render_board.py); "
        "grid: the 2,000-object grid of earlier sessions",
    )
    parser.add_argument("--runs", type=int, default=1, help="runs per size")
    parser.add_argument(
        "--ab-rounds", type=int, default=3, help="rounds each way of the zoom A/B at fit"
    )
    parser.add_argument("--out", type=Path, default=RESULTS, help="where the JSON goes")
    parser.add_argument("--trace", type=Path, help="write a Chromium trace of panning at fit")
    args = parser.parse_args()
    rows = []
    for n in args.objects:
        for _ in range(args.runs):
            result = asyncio.run(run(n, args.trace, args.layout, args.ab_rounds))
            _print(result)
            rows.append(result)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"rows": rows}, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    if args.trace:
        print(f"trace of panning at fit: {args.trace} (thread, event, total ms, count)")
        for row in trace_summary(args.trace):
            print("  ", *row)


if __name__ == "__main__":
    main()
