"""Screenshots of a workshop for the docs: the facilitation panel, private writing and
dot-voting results, in bokmål, with four people on a real server.

Run from the repository root: `.venv/bin/python -m tests.browser.make_workshop_screenshots`.
It starts its own server on a free port with a temporary database.
"""

from __future__ import annotations

import asyncio
import tempfile
from typing import Any

import httpx
from playwright.async_api import async_playwright

from tests.browser.make_screenshots import ARGS, OUT, start_server

VIEWPORT = {"width": 1440, "height": 900}
IDEAS = {
    "Ola": [("Lesekveld for ungdom", "#fff59d"), ("Språkkafé hver torsdag", "#fff59d")],
    "Aisha": [("Leksehjelp med frivillige", "#b3e5fc"), ("Digital hjelp for seniorer", "#b3e5fc")],
    "Per": [("Reparasjonskafé", "#c5e1a5"), ("Byttehylle for bøker", "#c5e1a5")],
}


async def person(browser: Any, link: str, name: str) -> Any:
    context = await browser.new_context(viewport=VIEWPORT, locale="nb-NO")
    await context.add_init_script(f"localStorage.setItem('samskap.name', {name!r})")
    page = await context.new_page()
    await page.goto(link)
    await page.wait_for_function(
        "() => window.samskap && window.samskap.conn.state === 'online' && window.samskap.store.loaded"
    )
    return page


async def settled(page: Any) -> None:
    await page.wait_for_function(
        "() => window.samskap.conn.state === 'online' && window.samskap.store.pending.length === 0"
    )


async def add_ideas(page: Any, ideas: list[tuple[str, str]], slot: int) -> list[str]:
    """Notes in the idea frame's wall, in a column per person."""
    return await page.evaluate(  # type: ignore[no-any-return]
        """([ideas, slot]) => {
            const s = window.samskap;
            const frames = s.store.sorted().filter((o) => o.kind === 'frame');
            const f = frames.sort((a, b) => b.x - a.x)[0];
            return ideas.map(([text, color], i) => s.actions.create(
                { kind: 'note', text, color, x: f.x + 1480 + slot * 260 + (i % 2) * 30,
                  y: f.y + 560 + i * 250, w: 220, h: 220 }, { select: false }).id);
        }""",
        [ideas, slot],
    )


async def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as data:
        proc, url = start_server(data)
        try:
            made = httpx.post(
                url + "/api/boards",
                json={
                    "title": "Idémyldring, samling 2",
                    "template": "brainstorming",
                    "locale": "nb",
                },
            ).json()
            async with async_playwright() as pw:
                browser = await pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
                kari = await person(browser, made["links"]["facilitator"], "Kari")
                others = {
                    name: await person(browser, made["links"]["participant"], name)
                    for name in IDEAS
                }
                ola = others["Ola"]

                # Step 2 of the agenda: private writing with an 8-minute timer.
                await kari.click("#facilitate-btn")
                await kari.click("#fac-next")
                await ola.wait_for_selector("#step-card:not([hidden])")
                await kari.click("#fac-next")
                await ola.wait_for_selector("#banner-private:not([hidden])")
                for page in others.values():
                    # The step's permissions (adding allowed again) arrive after private mode.
                    await page.wait_for_selector("[data-tool=note][aria-disabled=false]")
                ids: dict[str, list[str]] = {}
                for slot, (name, page) in enumerate(others.items()):
                    ids[name] = await add_ideas(page, IDEAS[name], slot)
                    await settled(page)
                for page in (kari, *others.values()):
                    await page.evaluate(
                        """() => { const s = window.samskap;
                            const f = s.store.sorted().filter((o) => o.kind === 'frame')[0];
                            s.camera.fit({x: f.x, y: f.y, w: f.w, h: f.h}, 30, 1); }"""
                    )
                await ola.evaluate("(id) => window.samskap.selection.set([])", ids["Ola"][0])
                await ola.mouse.move(900, 500)
                await ola.wait_for_selector("#toast", state="hidden", timeout=6000)
                await ola.screenshot(path=str(OUT / "private-mode.png"))

                # The facilitator's panel, right after the reveal (step 3).
                await kari.click("#fac-next")
                await kari.wait_for_function(f"() => window.samskap.store.has({ids['Per'][1]!r})")
                await kari.evaluate("document.activeElement.blur()")
                await kari.wait_for_timeout(600)
                await kari.screenshot(path=str(OUT / "facilitation-panel.png"))

                # Dot voting: three votes each, then the results.
                await kari.fill("#fac-votes", "3")
                await kari.fill("#fac-per-note", "2")
                await kari.check("#fac-perm-vote")
                await kari.click("#fac-vote-open")
                await ola.wait_for_selector("#banner-vote:not([hidden])")
                votes = {
                    "Ola": [ids["Aisha"][0], ids["Aisha"][0], ids["Per"][0]],
                    "Aisha": [ids["Ola"][1], ids["Aisha"][0], ids["Per"][0]],
                    "Per": [ids["Aisha"][0], ids["Ola"][1], ids["Ola"][0]],
                }
                for name, targets in votes.items():
                    for target in targets:
                        await others[name].evaluate(
                            "(id) => window.samskap.voting.toggle(id)", target
                        )
                        await others[name].wait_for_timeout(150)
                await kari.evaluate("(id) => window.samskap.voting.toggle(id)", ids["Per"][1])
                await kari.wait_for_timeout(500)
                await kari.click("#fac-vote-close")
                await ola.wait_for_selector("#results:not([hidden])")
                await ola.wait_for_timeout(600)
                await ola.screenshot(path=str(OUT / "voting-results.png"))
                await browser.close()
        finally:
            proc.terminate()
            proc.wait(10)


if __name__ == "__main__":
    asyncio.run(main())
