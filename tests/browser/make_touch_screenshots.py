"""Screenshots of the tablet at 768 x 1024 with touch (issue 19), in bokmål: a note
tapped in the top row under the vote banner (the selection toolbar goes below it, not
over the banner or the note) and the actions menu after a long press.

Run from the repository root: `.venv/bin/python -m tests.browser.make_touch_screenshots`.
It starts its own server on a free port with a temporary database.
"""

from __future__ import annotations

import asyncio
import tempfile

import httpx
from playwright.async_api import async_playwright

from tests.browser.make_screenshots import ARGS, OUT, start_server

NOTES = ["Lesekveld for ungdom", "Språkkafé hver torsdag", "Leksehjelp", "Reparasjonskafé"]


async def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as data:
        proc, url = start_server(data)
        try:
            async with async_playwright() as pw:
                browser = await pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
                made = httpx.post(
                    url + "/api/boards", json={"title": "Idémyldring, samling 2", "locale": "nb"}
                ).json()
                context = await browser.new_context(
                    viewport={"width": 768, "height": 1024},
                    locale="nb-NO",
                    has_touch=True,
                    is_mobile=True,
                )
                await context.add_init_script("localStorage.setItem('samskap.name', 'Kari')")
                page = await context.new_page()
                await page.goto(made["links"]["facilitator"])
                await page.wait_for_function(
                    "() => window.samskap && window.samskap.conn.state === 'online'"
                )
                await page.evaluate(
                    """(texts) => { const s = window.samskap, c = s.camera;
                         texts.forEach((text, i) => { const p = c.toWorld(120 + (i % 2) * 300, 110 + Math.floor(i / 2) * 330);
                           s.actions.create({ kind: 'note', text, x: Math.round(p.x), y: Math.round(p.y), w: 220, h: 220 }, { select: false }); }); }""",
                    NOTES,
                )
                first = await page.evaluate("window.samskap.store.sorted()[0].id")
                cdp = await context.new_cdp_session(page)
                x, y = await page.evaluate(
                    """(id) => { const s = window.samskap, o = s.store.get(id);
                         const p = s.camera.toScreen(o.x + o.w / 2, o.y + o.h / 2);
                         const r = document.querySelector('#board-canvas').getBoundingClientRect();
                         return [p.x + r.left, p.y + r.top]; }""",
                    first,
                )
                point = [{"x": x, "y": y, "id": 0}]
                await cdp.send(
                    "Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": point}
                )
                await page.wait_for_selector("#actions-menu:not([hidden])")
                await cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
                await page.wait_for_timeout(300)
                await page.screenshot(path=str(OUT / "touch-menu-tablet.png"))
                await page.keyboard.press("Escape")
                await page.evaluate(
                    "window.samskap.session.facilitate('voting_open', {votes: 3, per_note: 1})"
                )
                await page.wait_for_selector("#banner-vote:not([hidden])")
                await page.evaluate(f"window.samskap.selection.set([{first!r}])")
                await page.wait_for_timeout(400)
                await page.screenshot(path=str(OUT / "touch-selbar-tablet.png"))
                await browser.close()
        finally:
            proc.terminate()
            proc.wait()


if __name__ == "__main__":
    asyncio.run(main())
