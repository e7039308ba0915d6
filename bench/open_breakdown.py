"""Where the first render of a big board goes: each start-up step, timed in Chromium.

Run from the repository root: `.venv/bin/python bench/open_breakdown.py [--objects N]
[--runs R] [--ways boot late]`. Starts its own server (temporary SQLite), fills one
course board (bench/render_board.py) through the real protocol, then opens it R times
in a fresh browser context each way (fresh contexts: nothing cached, as a first visit),
the ways alternating within each run so an A/B shares the machine's minute. Reads the
page's performance marks (ms from navigation start):

- `html`: the page's HTML is in; `boot-js-fetched`: boot.js is; `modules-fetched`: the
  last script module that board.js waited for is (resource timing);
- `boot`: boot.js starts (its 7 modules are loaded);
- `modules`: board.js starts (its ~70 modules are loaded and evaluated); `i18n`: the
  language file is in; `built`: every part of the page is built and wired;
- `socket-open`, `welcome-received` (the message event, before parsing), `welcome-parsed`;
- `store-loaded`: the board is in the store; `welcome-handled`: every listener ran (zoom
  to fit, outline, people);
- `first-draw`: the first frame with the whole board (the render bench's first render).

Ways (`window.samskapOpen`, read by web/js/boot.js and board.js): `boot` (the default:
the socket opens from boot.js before board.js's modules load), `main` (at the start of
board.js), `late` (after the page is built: the order before). Prints min / median / max
per step and way; `--json FILE` appends one JSON object per page load. `--compare DIR`
also serves other checkouts (each its own server and board) and opens both in turn: an A/B
of anything the page's HTML or modules change.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import statistics
import time
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import async_playwright
from render_bench import ARGS, fill, serve, upload_assets
from render_board import board as course_board

STEPS = [
    "html",
    "boot-js-fetched",
    "boot",
    "modules-fetched",
    "modules",
    "i18n",
    "built",
    "socket-open",
    "welcome-received",
    "welcome-parsed",
    "store-loaded",
    "welcome-handled",
    "first-draw",
]
# The intervals printed (a step's own time, or a wait).
PAIRS = [
    ("html", "boot"),
    ("modules-fetched", "modules"),
    ("modules", "i18n"),
    ("i18n", "built"),
    ("socket-open", "welcome-received"),
    ("welcome-received", "welcome-parsed"),
    ("welcome-parsed", "store-loaded"),
    ("store-loaded", "welcome-handled"),
    ("welcome-handled", "first-draw"),
]
MARKS = """() => {
  const out = {};
  for (const e of performance.getEntriesByType("mark")) {
    const name = e.name.replace(/^samskap:/, "");
    if (e.name.startsWith("samskap:") && !(name in out)) out[name] = e.startTime;
  }
  // Network: the page's HTML, boot.js, and the last script module before board.js ran.
  const nav = performance.getEntriesByType("navigation")[0];
  out.html = nav.responseEnd;
  const js = performance.getEntriesByType("resource").filter((e) => e.name.includes("/static/js/"));
  const boot = js.find((e) => e.name.endsWith("/boot.js"));
  if (boot) out["boot-js-fetched"] = boot.responseEnd;
  const before = js.filter((e) => e.startTime < out.modules);
  if (before.length) out["modules-fetched"] = Math.max(...before.map((e) => e.responseEnd));
  out.js_files = before.length;
  return out;
}"""


async def open_once(browser: Any, link: str, n: int, way: str) -> dict[str, Any]:
    ctx = await browser.new_context(viewport={"width": 1440, "height": 900})
    await ctx.add_init_script(
        f"localStorage.setItem('samskap.name', 'Viewer'); window.samskapOpen = {json.dumps(way)};"
    )
    page = await ctx.new_page()
    await page.goto(link)
    await page.wait_for_function(
        "() => window.samskap && window.samskap.firstRender"
        f" && window.samskap.store.view.size >= {n}",
        timeout=120000,
        polling=50,
    )
    marks = await page.evaluate(MARKS)
    await ctx.close()
    # An older checkout has fewer marks (those missing are left out).
    return {k: round(v, 1) for k, v in marks.items() if v is not None and math.isfinite(v)}


def _stats(values: list[float]) -> str:
    if not values:
        return "-"
    return f"{min(values):7.0f} {statistics.median(values):7.0f} {max(values):7.0f}"


async def board_link(url: str, browser: Any, n: int) -> tuple[str, int]:
    """A course board of about n objects on the server at `url`, filled."""
    board = httpx.post(url + "/api/boards", json={"title": "Bench"}).json()
    link = board["links"]["participant"]
    objs = course_board(n, upload_assets(url, board))
    await fill(browser, link, objs)
    return link, len(objs)


async def main_async(args: argparse.Namespace) -> None:
    with contextlib.ExitStack() as stack:
        urls = {"": stack.enter_context(serve())}
        for other in args.compare or []:
            urls[other.name + ":"] = stack.enter_context(serve(other))
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            links = {}
            for label, url in urls.items():
                links[label] = await board_link(url, browser, args.objects)
            ways = [(label, way) for label in links for way in args.ways]
            names = [label + way for label, way in ways]
            results: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
            for r in range(args.runs):
                order = ways if r % 2 == 0 else list(reversed(ways))
                for label, way in order:
                    link, n = links[label]
                    row = await open_once(browser, link, n, way)
                    name = label + way
                    row.update(way=name, run=r, objects=n, load1=os.getloadavg()[0])
                    row["when"] = time.strftime("%Y-%m-%d %H:%M:%S")
                    results[name].append(row)
                    print(f"run {r} {name}: first draw {row.get('first-draw')} ms", flush=True)
                    if args.json:
                        with args.json.open("a", encoding="utf-8") as f:
                            f.write(json.dumps(row) + "\n")
            await browser.close()
    args.ways = names
    print(f"\n{n:,} objects, {args.runs} runs per way; ms from navigation start")
    print("(min median max); load1 at the end", f"{os.getloadavg()[0]:.1f}")
    header = "step".ljust(18) + "".join(f"{way:>24}" for way in args.ways)
    print(header)
    for step in STEPS:
        cells = [_stats([row[step] for row in results[way] if step in row]) for way in args.ways]
        print(step.ljust(18) + "".join(f"{c:>24}" for c in cells))
    print("\nsteps (median of the differences, ms)")
    for a, b in PAIRS:
        cells = []
        for way in args.ways:
            d = [row[b] - row[a] for row in results[way] if a in row and b in row]
            cells.append(f"{statistics.median(d):.0f}" if d else "-")
        print(f"{a} -> {b}".ljust(34) + "".join(f"{c:>10}" for c in cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=5, help="page loads per way")
    parser.add_argument(
        "--ways", nargs="+", default=["boot", "late"], choices=["boot", "main", "late"]
    )
    parser.add_argument("--json", type=Path, help="append one JSON object per page load")
    parser.add_argument(
        "--compare",
        type=Path,
        nargs="+",
        help="other checkouts (e.g. `git archive REV | tar -x -C DIR`): their servers too, "
        "each way opened on each, alternating; rows labelled DIRNAME:WAY",
    )
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
