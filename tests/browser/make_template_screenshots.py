"""Screenshots of two shipped templates on the board page, to compare with their PNG
exports (`docs/screenshots/export-template-<id>.png`, made by bench/template_pictures.py
with the same notes in the same places).

Run from the repository root: `.venv/bin/python -m tests.browser.make_template_screenshots`.
Writes `docs/screenshots/board-template-<id>.png`. It starts its own server on a free
port with a temporary database.
"""

from __future__ import annotations

import asyncio
import tempfile
from typing import Any

import httpx
from playwright.async_api import async_playwright

from bench.template_pictures import QUESTIONS, WORKSHOPS, place_notes
from tests.browser.make_screenshots import ARGS, OUT, start_server

VIEWPORT = {"width": 1450, "height": 1180}


async def shoot(browser: Any, url: str, template: str) -> None:
    title, notes = WORKSHOPS[template]
    async with httpx.AsyncClient(base_url=url, timeout=60) as http:
        reply = await http.post(
            "/api/boards", json={"title": title, "template": template, "locale": "nb"}
        )
        reply.raise_for_status()
        board = reply.json()
        token = board["links"]["facilitator"].split("#t=", 1)[1]
        objects = (
            await http.get(
                f"/api/boards/{board['id']}", headers={"Authorization": f"Bearer {token}"}
            )
        ).json()["objects"]
    made = place_notes(objects, notes, "w")
    context = await browser.new_context(viewport=VIEWPORT, locale="nb-NO")
    await context.add_init_script("localStorage.setItem('samskap.name', 'Kari')")
    page = await context.new_page()
    await page.goto(board["links"]["facilitator"])
    await page.wait_for_function(
        "() => window.samskap && window.samskap.conn.state === 'online' && window.samskap.store.loaded"
    )
    await page.evaluate(
        """([notes, question]) => {
            const s = window.samskap;
            for (const n of notes) {
                const { id, ...rest } = n;
                s.actions.create(rest, { select: false });
            }
            if (question) s.actions.update('question-text', { text: question });
            s.selection.set([]);
            const f = s.store.sorted().find((o) => o.kind === 'frame');
            s.camera.fit({ x: f.x, y: f.y - 30, w: f.w, h: f.h + 30 }, 16, 2);
        }""",
        [made, QUESTIONS.get(template)],
    )
    await page.wait_for_function(
        "() => window.samskap.conn.state === 'online' && window.samskap.store.pending.length === 0"
    )
    await page.evaluate("document.fonts.ready")
    await page.wait_for_timeout(400)
    await page.locator("#board-canvas").screenshot(path=str(OUT / f"board-template-{template}.png"))
    await context.close()


async def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as data_dir:
        proc, url = start_server(data_dir)
        try:
            async with async_playwright() as pw:
                browser = await pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
                for template in WORKSHOPS:
                    await shoot(browser, url, template)
                await browser.close()
        finally:
            proc.terminate()
            proc.wait(timeout=10)


if __name__ == "__main__":
    asyncio.run(main())
