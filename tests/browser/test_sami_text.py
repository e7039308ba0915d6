"""Northern, Lule and South Sámi typed on the board in Chromium: kept exactly, drawn
on the canvas in the shipped Noto Sans, and read the same in the outline view.

The glyph coverage of the font files themselves is checked in tests/render/test_sami.py;
this test shows the browser path. With `SAMSKAP_SCREENSHOT_DIR` set it saves
`sami-board.png` there (docs/screenshots/sami-board.png was made so).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.browser.helpers import open_board

pytestmark = [pytest.mark.browser]

TEXTS = [
    "Mii háliidit ođđa girjjiid mánáide",
    "Kárášjohka, Deatnu, Porsáŋgu: Ŧ ŧ Đ đ Ŋ ŋ Š š Ž ž Č č",
    "Julevsámegiella: Ájluokta, Divtasvuodna",
    "Åarjelsaemien gïele: Snåasa, Raarvihke",
]


async def test_sami_text_typed_on_the_board(browser: Any, live_server: Any, tmp_path: Path) -> None:
    board = await live_server.create_board("Guovdageaidnu \u2013 girjerádju", locale="nn")
    kari = await open_board(browser, board["links"]["participant"], "Máret Ánne Čuđe")
    page = kari.page
    box = await page.locator("#board-canvas").bounding_box()
    for i, text in enumerate(TEXTS):
        await page.click("[data-tool=note]")
        await page.mouse.click(box["x"] + 200 + 260 * i, box["y"] + 250)
        await page.keyboard.insert_text(text)
        await page.keyboard.press("Escape")
    await kari.settled()
    assert sorted(o["text"] for o in await kari.objects()) == sorted(TEXTS)
    # The canvas font really is the shipped Noto Sans (loaded, not a system fallback).
    loaded = await page.evaluate(
        "async (t) => { await document.fonts.ready;"
        " return [...document.fonts].filter((f) => f.family.includes('Noto Sans')"
        " && f.status === 'loaded').length; }",
        TEXTS,
    )
    assert loaded >= 1
    assert await page.evaluate("window.samskap.conn.you.name") == "Máret Ánne Čuđe"
    await page.click("#outline-btn")
    outline = await page.locator("#outline").inner_text()
    outline_values = await page.locator("#outline textarea, #outline input").evaluate_all(
        "(els) => els.map((e) => e.value)"
    )
    for text in TEXTS:
        assert text in outline or text in outline_values, text
    folder = Path(os.environ.get("SAMSKAP_SCREENSHOT_DIR") or tmp_path)
    await page.evaluate("window.samskap.zoomToFit()")
    await page.screenshot(path=str(folder / "sami-board.png"))
    assert not kari.errors, kari.errors
