"""The compact layout: a Teams/Zoom side tab (600 x 500), a phone (320 wide) and a
laptop at 200 % (640 x 400) or 400 % zoom (320 x 200): nothing scrolls sideways and
every control of the top bar, the tool column and the zoom bar is on screen
(WCAG 1.4.4 and 1.4.10 for the board's controls; the canvas itself is 2D content).

With `SAMSKAP_SCREENSHOT_DIR` set, the 600 x 500 view is saved as nn-compact-600x500.png.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.browser.helpers import open_board

pytestmark = [pytest.mark.browser]

OFF_SCREEN = """() => [...document.querySelectorAll(
    '.topbar button, .topbar select, .topbar summary, .toolbar button, .bottombar button')]
  .filter((el) => el.offsetParent && !el.closest('details:not([open]) > :not(summary)'))
  .filter((el) => { const r = el.getBoundingClientRect();
    return r.left < -0.5 || r.top < -0.5 || r.right > innerWidth + 0.5 || r.bottom > innerHeight + 0.5; })
  .map((el) => el.id || el.dataset.tool || el.className)"""


@pytest.mark.parametrize("size", [(600, 500), (320, 640), (640, 400), (320, 256)])
async def test_every_control_is_on_screen(
    browser: Any, live_server: Any, size: tuple[int, int], tmp_path: Path
) -> None:
    board = await live_server.create_board("Samling 2", template="brainstorming", locale="nn")
    kari = await open_board(
        browser, board["links"]["facilitator"], "Kari", viewport=size, locale="nn-NO"
    )
    page = kari.page
    assert await page.evaluate(OFF_SCREEN) == []
    assert await page.evaluate("() => document.documentElement.scrollWidth <= innerWidth")
    await page.click("#export-menu summary")
    panel = await page.locator("#export-menu .menu-panel").bounding_box()
    assert panel["x"] >= 0 and panel["x"] + panel["width"] <= size[0] + 0.5
    await page.click("#export-menu summary")
    await page.click("#facilitate-btn")
    await page.wait_for_selector("#facilitate:not([hidden])")
    if size == (600, 500):
        folder = Path(os.environ.get("SAMSKAP_SCREENSHOT_DIR") or tmp_path)
        await page.screenshot(path=str(folder / "nn-compact-600x500.png"))
    assert not kari.errors, kari.errors
