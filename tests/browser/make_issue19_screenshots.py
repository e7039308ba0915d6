"""Screenshots for the workshop's last metre (issue 19), at 1440 x 900 (laptop) and
768 x 1024 with touch (tablet), in bokmål: the first screen of a template board as a
participant, the share dialog with its QR code, the reveal of eight people's private
notes, and the vote results beside the board.

Run from the repository root: `.venv/bin/python -m tests.browser.make_issue19_screenshots`.
It starts its own server on a free port with a temporary database.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
from typing import Any

import httpx
from playwright.async_api import async_playwright

from tests.browser.make_screenshots import ARGS, OUT, start_server
from tests.support.client import Client
from tests.support.servers import token_of

SIZES = {
    "": ({"width": 1440, "height": 900}, False),
    "-tablet": ({"width": 768, "height": 1024}, True),
}
PEOPLE = ["Ola", "Aisha", "Per", "Ingrid", "Jonas", "Sara", "Mohammed", "Liv"]
IDEAS = [
    "Lesekveld for ungdom",
    "Språkkafé hver torsdag",
    "Leksehjelp med frivillige",
    "Digital hjelp for seniorer",
    "Reparasjonskafé",
    "Byttehylle for bøker",
    "Strikkeklubb i biblioteket",
    "Spillkveld for familier",
    "Fortellerstund på arabisk",
    "Skrivekurs for pensjonister",
    "Sykkelverksted ute",
    "Lokalhistorisk vandring",
    "Kodeklubb for barn",
    "Frøbytte om våren",
    "Jobbsøkerhjelp",
    "Podkaststudio til utlån",
]


async def person(browser: Any, link: str, name: str, size: str, remember: Any = None) -> Any:
    viewport, touch = SIZES[size]
    context = await browser.new_context(
        viewport=viewport, locale="nb-NO", has_touch=touch, is_mobile=False
    )
    script = f"localStorage.setItem('samskap.name', {name!r});"
    if remember:
        script += f"localStorage.setItem('samskap.boards', {json.dumps(json.dumps(remember))});"
    await context.add_init_script(script)
    page = await context.new_page()
    await page.goto(link)
    await page.wait_for_function(
        "() => window.samskap && window.samskap.conn.state === 'online' && window.samskap.store.loaded"
    )
    return page


async def shoot(page: Any, name: str) -> None:
    await page.wait_for_timeout(400)
    await page.screenshot(path=str(OUT / name))
    print("wrote", OUT / name)


async def share(browser: Any, url: str, size: str) -> None:
    made = httpx.post(
        url + "/api/boards",
        json={
            "title": "Interessentkart, samling 1",
            "template": "power-interest-grid",
            "locale": "nb",
        },
    ).json()
    remember = [
        {"id": made["id"], "title": made["title"], "links": made["links"], "role": "facilitator"}
    ]
    kari = await person(browser, made["links"]["facilitator"], "Kari", size, remember)
    await kari.click("#share-btn")
    await kari.wait_for_selector("#share-qr svg")
    await shoot(kari, f"share-dialog{size}.png")
    await kari.context.close()


async def first_screen(browser: Any, url: str, size: str) -> None:
    made = httpx.post(
        url + "/api/boards",
        json={"title": "Idémyldring, samling 2", "template": "brainstorming", "locale": "nb"},
    ).json()
    ola = await person(browser, made["links"]["participant"], "Ola", size)
    await shoot(ola, f"first-screen-participant{size}.png")
    await ola.context.close()


async def workshop_board(url: str) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    """A power/interest board where 8 people wrote 2 private notes each on the same spot
    of "Usortert", then the facilitator revealed them (one tidy batch)."""
    made = httpx.post(
        url + "/api/boards",
        json={
            "title": "Interessentkart, samling 1",
            "template": "power-interest-grid",
            "locale": "nb",
        },
    ).json()
    boss = await Client.connect(
        url, made["id"], token_of(made["links"]["facilitator"]), name="Kari"
    )
    tray = next(o for o in boss.objects.values() if o.get("text") == "Usortert")
    await boss.request({"type": "facilitate", "action": "private_on"})
    ids = []
    for i, name in enumerate(PEOPLE):
        p = await Client.connect(url, made["id"], token_of(made["links"]["participant"]), name=name)
        ops = []
        for j in range(2):
            ids.append(f"n{i}-{j}")
            ops.append(
                {
                    "op": "create",
                    "object": {
                        "id": ids[-1],
                        "kind": "note",
                        "text": IDEAS[i * 2 + j],
                        "x": tray["x"] + 30,
                        "y": tray["y"] + 90,
                        "w": 200,
                        "h": 200,
                        "z": 100 + len(ids),  # on top, as the page gives a new note
                    },
                }
            )
        await p.ops(ops)
        await p.close()
    await boss.request({"type": "facilitate", "action": "reveal"})
    return made, tray, ids


async def reveal(browser: Any, url: str, size: str) -> None:
    made, tray, _ = await workshop_board(url)
    ola = await person(browser, made["links"]["participant"], "Ola", size)
    # 16 notes of 200 px need more than the tray's 2 x 7 places: the rest spread below it.
    await ola.evaluate(
        "(t) => window.samskap.camera.fit({ x: t.x - 40, y: t.y - 40, w: t.w + 80, h: t.h + 900 }, 20, 2)",
        tray,
    )
    await shoot(ola, f"reveal-8-people{size}.png")
    await ola.context.close()


async def results(browser: Any, url: str, size: str) -> None:
    made, tray, ids = await workshop_board(url)
    boss = await Client.connect(
        url, made["id"], token_of(made["links"]["facilitator"]), name="Kari"
    )
    await boss.request({"type": "facilitate", "action": "voting_open", "votes": 3, "per_note": 1})
    for i, name in enumerate(PEOPLE):
        p = await Client.connect(url, made["id"], token_of(made["links"]["participant"]), name=name)
        for k in range(3):
            await p.request({"type": "vote", "id": ids[(i + k * 3) % 5]})
        await p.close()
    kari = await person(browser, made["links"]["facilitator"], "Kari", size)
    # The tray with the voted notes, readable, in the free area (right of the tools).
    await kari.evaluate("(t) => window.samskap.ctx.view.showRect(t, 'start')", tray)
    await kari.evaluate("window.samskap.session.facilitate('voting_close')")
    await kari.wait_for_selector("#results:not([hidden])")
    await shoot(kari, f"vote-results{size}.png")
    await kari.context.close()


async def main(only: list[str]) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as data:
        proc, url = start_server(data)
        try:
            async with async_playwright() as pw:
                browser = await pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
                for size in SIZES:
                    for name, shot in (
                        ("share", share),
                        ("first", first_screen),
                        ("reveal", reveal),
                        ("results", results),
                    ):
                        if not only or name in only:
                            await shot(browser, url, size)
                await browser.close()
        finally:
            proc.terminate()
            proc.wait()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
