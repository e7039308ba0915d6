"""The facilitator writes the idea session's question on the board (issue 19, item 10).

The template's question text is `writable`: it goes on the board unlocked, so the
facilitator double-clicks it, types the question, and everyone sees it; the question
zone's name above it stays a locked label.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.browser.helpers import centre_of, open_board

pytestmark = [pytest.mark.browser]

QUESTION = "Hvordan kan flere unge bruke biblioteket om kvelden?"


async def _screen(page: Any, x: float, y: float) -> tuple[float, float]:
    """Page coordinates of board point (x, y)."""
    return await page.evaluate(  # type: ignore[no-any-return]
        """([x, y]) => {
            const p = window.samskap.camera.toScreen(x, y);
            const r = document.querySelector('#board-canvas').getBoundingClientRect();
            return [p.x + r.left, p.y + r.top];
        }""",
        [x, y],
    )


async def test_the_facilitator_double_clicks_and_types_the_question(
    browser: Any, live_server: Any, tmp_path: Path
) -> None:
    board = await live_server.create_board("Idémyldring", template="brainstorming", locale="nb")
    kari = await open_board(browser, board["links"]["facilitator"], "Kari", locale="nb-NO")
    ola = await open_board(browser, board["links"]["participant"], "Ola", locale="nb-NO")
    page = kari.page
    await page.evaluate(
        "() => { window.samskap.ctx.showObject('question-text'); window.samskap.selection.clear(); }"
    )
    await page.wait_for_timeout(400)  # the view glides to the question

    # The zone's name is a locked label: a double-click there opens no editor.
    zone = next(o for o in await kari.objects() if o["id"] == "question")
    assert zone["locked"] is True
    await page.mouse.dblclick(*await _screen(page, zone["x"] + 40, zone["y"] + 30))
    await page.wait_for_timeout(200)
    assert await page.locator(".text-editor").count() == 0

    await page.mouse.dblclick(*await centre_of(kari, "question-text"))
    editor = page.locator(".text-editor")
    await editor.wait_for(timeout=3000)
    assert await editor.input_value() == "Skriv spørsmålet her …"
    # The placeholder opens selected: typing replaces it (no Ctrl+A needed).
    await page.keyboard.type(QUESTION)
    assert await editor.input_value() == QUESTION
    await page.keyboard.press("Escape")
    await kari.settled()
    await ola.wait(f"objs.some((o) => o.id === 'question-text' && o.text === {QUESTION!r})", 5000)
    shots = Path(os.environ.get("SAMSKAP_SCREENSHOT_DIR") or tmp_path)
    await page.screenshot(path=str(shots / "question-field.png"))
    assert not kari.errors and not ola.errors, kari.errors + ola.errors
