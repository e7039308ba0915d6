"""Screenshots for the docs: the start page and a busy board with three people's cursors.

Run from the repository root: `.venv/bin/python tests/browser/make_screenshots.py`.
It starts its own server on a free port with a temporary database.
"""

from __future__ import annotations

import asyncio
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import async_playwright

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "docs" / "screenshots"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(data_dir: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "SAMSKAP_DATA_DIR": data_dir}
    proc = subprocess.Popen(
        [sys.executable, "-m", "server", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            if httpx.get(url + "/healthz", timeout=0.5).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    proc.kill()
    raise RuntimeError("server did not start")


NOTES = [
    ("Brukerne", ["Barnefamilier", "Seniorer", "Nye i Norge", "Studenter", "Lesesirkelen"]),
    ("Frivillige", ["Leksehjelp", "Språkkafé", "Digital hjelp", "Strikkeklubben"]),
    (
        "Partnere",
        ["Kommunen", "Frivilligsentralen", "Skolene", "Fylkesbiblioteket", "Næringslivet"],
    ),
    ("Idéer", ["Åpent bibliotek på søndager", "Reparasjonskafé", "Podkast-studio", "Byttehylle"]),
]
COLORS = ["#fff59d", "#ffcc80", "#f8bbd0", "#d1c4e9", "#b3e5fc", "#c5e1a5"]


def busy_board_ops() -> list[dict[str, Any]]:
    rng = random.Random(4)
    ops: list[dict[str, Any]] = []
    z = 0
    note_ids: list[str] = []

    def add(obj: dict[str, Any]) -> str:
        nonlocal z
        z += 1
        obj.setdefault("z", z)
        ops.append({"op": "create", "object": obj})
        return str(obj["id"])

    for f, (title, notes) in enumerate(NOTES):
        fx, fy = (f % 2) * 1000, (f // 2) * 760
        add(
            {
                "id": f"frame{f}",
                "kind": "frame",
                "x": fx,
                "y": fy,
                "w": 920,
                "h": 680,
                "title": title,
                "z": -10 + f,
            }
        )
        for i, text in enumerate(notes):
            col, row = i % 4, i // 4
            nid = add(
                {
                    "id": f"n{f}_{i}",
                    "kind": "note",
                    "x": fx + 30 + col * 220,
                    "y": fy + 40 + row * 230,
                    "w": 190,
                    "h": 190,
                    "text": text,
                    "color": COLORS[(f + i) % len(COLORS)],
                }
            )
            note_ids.append(nid)
        for i in range(len(notes), 8):
            col, row = i % 4, i // 4
            add(
                {
                    "id": f"s{f}_{i}",
                    "kind": "note",
                    "x": fx + 30 + col * 220,
                    "y": fy + 40 + row * 230,
                    "w": 190,
                    "h": 190,
                    "text": rng.choice(
                        ["?", "Mer tid", "Møteplass", "Kaffe!", "Skilting", "Universell utforming"]
                    ),
                    "color": COLORS[rng.randrange(len(COLORS))],
                }
            )
        add(
            {
                "id": f"t{f}",
                "kind": "text",
                "x": fx + 30,
                "y": fy + 520,
                "w": 600,
                "h": 40,
                "text": f"{len(notes)} innspill fra gruppe {f + 1}",
                "font_size": 22,
            }
        )
        add(
            {
                "id": f"sh{f}",
                "kind": "shape",
                "shape": ["ellipse", "diamond", "rectangle", "ellipse"][f],
                "x": fx + 680,
                "y": fy + 500,
                "w": 200,
                "h": 130,
                "text": ["Mål", "Beslutning", "Neste steg", "Stemmer"][f],
                "color": "#ffffff",
            }
        )
    for a, b in [(3, 5), (4, 9), (12, 14), (7, 16)]:
        add(
            {
                "id": f"c{a}_{b}",
                "kind": "connector",
                "x": 0,
                "y": 0,
                "from": {"id": note_ids[a]},
                "to": {"id": note_ids[b]},
            }
        )
    pts = [[i * 12.0, 30 * ((i % 6) / 5.0)] for i in range(40)]
    add(
        {
            "id": "pen1",
            "kind": "path",
            "x": 1040,
            "y": 1360,
            "points": pts,
            "color": "#c62828",
            "width": 4,
        }
    )
    return ops


async def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as data:
        proc, url = start_server(data)
        try:
            async with async_playwright() as pw:
                browser = await pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
                # Start page, in bokmål, right after creating a board.
                ctx = await browser.new_context(
                    viewport={"width": 1280, "height": 900}, locale="nb-NO"
                )
                page = await ctx.new_page()
                await page.goto(url + "/")
                await page.fill("#title-input", "Interessentkart, samling 2")
                await page.click("button[type=submit]")
                await page.wait_for_selector("#created:not([hidden])")
                await page.evaluate("document.activeElement.blur()")
                await page.screenshot(path=str(OUT / "start-page.png"), full_page=True)
                links = {
                    role: await page.input_value(f".created .role-{role} input")
                    for role in ("facilitator", "participant", "viewer")
                }

                people = []
                for name in ("Kari", "Ola", "Aisha", "Per"):
                    c = await browser.new_context(
                        viewport={"width": 1440, "height": 900}, locale="nb-NO"
                    )
                    await c.add_init_script(f"localStorage.setItem('samskap.name', {name!r})")
                    p = await c.new_page()
                    await p.goto(links["participant"] if name != "Kari" else links["facilitator"])
                    await p.wait_for_function(
                        "() => window.samskap && window.samskap.conn.state === 'online'"
                    )
                    people.append(p)
                kari = people[0]
                await kari.evaluate("(ops) => window.samskap.actions.commit(ops)", busy_board_ops())
                await kari.wait_for_function("() => window.samskap.store.pending.length === 0")
                await kari.evaluate("window.samskap.zoomToFit()")
                await kari.wait_for_timeout(300)
                box = await kari.locator("#board-canvas").bounding_box()
                # Three others move their cursors; one selects a note, one edits one.
                spots = [(0.3, 0.35), (0.62, 0.55), (0.45, 0.78)]
                for p, (fx, fy) in zip(people[1:], spots, strict=True):
                    await p.evaluate(
                        "window.samskap.camera.set(...Object.values({x: window.samskap.camera.x, y: window.samskap.camera.y, z: window.samskap.camera.zoom}))"
                    )
                    world = await kari.evaluate(
                        "([x, y]) => window.samskap.camera.toWorld(x, y)",
                        [box["width"] * fx, box["height"] * fy],
                    )
                    await p.evaluate(
                        "(w) => { const s = window.samskap; s.camera.set(w.x - 400, w.y - 300, 1); }",
                        world,
                    )
                    await p.mouse.move(400, 300)
                    await p.mouse.move(402, 301)
                await people[1].evaluate("window.samskap.selection.set(['n0_1'])")
                await people[2].evaluate("window.samskap.editor.start('n2_3')")
                await kari.evaluate("window.samskap.selection.set(['n1_0', 'n1_1'])")
                await kari.wait_for_timeout(800)
                await kari.mouse.move(box["x"] + box["width"] * 0.8, box["y"] + box["height"] * 0.2)
                await kari.screenshot(path=str(OUT / "busy-board.png"))
                await kari.click("#outline-btn")
                await kari.wait_for_timeout(400)
                await kari.screenshot(path=str(OUT / "board-outline.png"))
                await browser.close()
        finally:
            proc.terminate()
            proc.wait(10)


if __name__ == "__main__":
    asyncio.run(main())
