"""Coordinates only on request (issue 19): a move that lands outside every frame says
"Moved (outside frames)", never "Moved to 3000, 940"; Shift+P says where the selection
is and how big, with the zone or frame it is in, in the live region."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.helpers import TIMES, announced, open_board

pytestmark = [pytest.mark.browser]


async def test_shift_p_says_position_and_size(browser: Any, live_server: Any) -> None:
    board = await live_server.create_board("Kart", template="power-interest-grid", locale="en")
    kari = await open_board(browser, board["links"]["participant"], "Kari")
    page = kari.page
    objs = await kari.objects()
    zone = next(o for o in objs if o.get("text", "").startswith("Key players"))
    frame = next(o for o in objs if o["kind"] == "frame")
    at = {"x": zone["x"] + 40, "y": zone["y"] + 300}
    note = await page.evaluate(
        "(at) => window.samskap.actions.create({kind: 'note', x: at.x, y: at.y, w: 200, h: 160,"
        " text: 'Rådmannen'}, {select: true}).id",
        at,
    )
    await kari.settled()
    await page.focus("#board-canvas")
    await page.keyboard.press("Shift+P")
    await announced(kari, f"In Key players: position {at['x']}, {at['y']}, size 200 {TIMES} 160")
    # "p" alone is still the pen.
    await page.keyboard.press("p")
    assert await page.evaluate("document.querySelector('#board-canvas').dataset.tool") == "pen"
    await page.keyboard.press("Escape")

    # Out on open board: the move says so in words; Shift+P has the numbers.
    away = {"x": frame["x"] - 3000, "y": frame["y"]}
    await page.evaluate(
        "([id, at]) => { const s = window.samskap; s.selection.set([id]);"
        " s.actions.move([id], at.x - s.store.get(id).x, at.y - s.store.get(id).y); }",
        [note, away],
    )
    await page.keyboard.press("ArrowDown")
    await announced(kari, "Moved (outside frames)")
    await page.keyboard.press("Shift+P")
    await announced(kari, f"Position {away['x']}, {away['y'] + 1}, size 200 {TIMES} 160")

    # Two objects: their joint box; nothing: said so.
    second = await page.evaluate(
        "(at) => window.samskap.actions.create({kind: 'note', x: at.x + 300, y: at.y + 1, w: 100, h: 100},"
        " {select: false}).id",
        away,
    )
    await page.evaluate(f"window.samskap.selection.set([{note!r}, {second!r}])")
    await page.keyboard.press("Shift+P")
    await announced(kari, f"2 objects: position {away['x']}, {away['y'] + 1}, size 400 {TIMES} 160")
    await page.keyboard.press("Escape")
    await page.keyboard.press("Shift+P")
    await announced(kari, "Nothing selected")
    assert not kari.errors


@pytest.mark.parametrize(
    ("locale", "words"),
    [("nb-NO", "Flyttet (utenfor rammer)"), ("nn-NO", "Flytta (utanfor rammer)")],
)
async def test_outside_frames_in_norwegian(
    browser: Any, board: dict[str, Any], locale: str, words: str
) -> None:
    kari = await open_board(browser, board["links"]["participant"], "Kari", locale=locale)
    await kari.page.evaluate(
        "() => { const c = window.samskap.camera.center();"
        " window.samskap.actions.create({kind: 'note', x: c.x, y: c.y, w: 200, h: 200}, {select: true}); }"
    )
    await kari.settled()
    await kari.page.focus("#board-canvas")
    await kari.page.keyboard.press("ArrowRight")
    await announced(kari, words)
    assert not kari.errors
