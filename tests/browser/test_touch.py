"""A tablet that behaves (issue 19), with Chromium's touch emulation at 768 x 1024 and
1024 x 768: a tap on empty board clears the selection (as a mouse click does), and a
two-finger pinch or pan never selects anything."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.helpers import Person, centre_of, open_board

pytestmark = [pytest.mark.browser]

EMPTY_POINT = """() => {
  const s = window.samskap;
  const r = document.querySelector('#board-canvas').getBoundingClientRect();
  for (let y = r.height * 0.3; y < r.height * 0.9; y += 23)
    for (let x = r.width * 0.3; x < r.width * 0.9; x += 23) {
      const w = s.camera.toWorld(x, y);
      const under = document.elementFromPoint(x + r.left, y + r.top);
      if (!s.ctx.pick(w) && under && under.id === 'board-canvas') return [x + r.left, y + r.top];
    }
  return null;
}"""


async def tablet(browser: Any, link: str, size: tuple[int, int]) -> Person:
    person = await open_board(browser, link, "Nora", viewport=size, has_touch=True)
    # A note in the middle of the view, in her own board.
    await person.page.evaluate(
        """() => { const s = window.samskap; const c = s.camera.center();
                   s.actions.create({ kind: 'note', text: 'Idé', x: c.x - 100, y: c.y - 100, w: 200, h: 200 },
                                    { select: false }); }"""
    )
    await person.settled()
    return person


SESSIONS: dict[int, Any] = {}


async def touch(person: Person, kind: str, points: list[tuple[float, float]]) -> None:
    """One raw touch event (several fingers) through one DevTools session per page."""
    key = id(person.page)
    if key not in SESSIONS:
        SESSIONS[key] = await person.context.new_cdp_session(person.page)
    await SESSIONS[key].send(
        "Input.dispatchTouchEvent",
        {
            "type": kind,
            "touchPoints": [{"x": x, "y": y, "id": i} for i, (x, y) in enumerate(points)],
        },
    )


@pytest.mark.parametrize("size", [(768, 1024), (1024, 768)])
async def test_a_tap_on_empty_board_clears_the_selection(
    browser: Any, board: dict[str, Any], size: tuple[int, int]
) -> None:
    nora = await tablet(browser, board["links"]["participant"], size)
    note = next(o["id"] for o in await nora.objects() if o["kind"] == "note")
    await nora.page.touchscreen.tap(*await centre_of(nora, note))
    await nora.page.wait_for_function("() => window.samskap.selection.size === 1")
    assert await nora.page.locator("#selbar").is_visible()
    empty = await nora.page.evaluate(EMPTY_POINT)
    await nora.page.touchscreen.tap(*empty)
    await nora.page.wait_for_function("() => window.samskap.selection.size === 0", timeout=2000)
    assert not await nora.page.locator("#selbar").is_visible()
    # A drag on empty board still pans (and keeps nothing selected).
    before = await nora.page.evaluate("window.samskap.camera.center()")
    x, y = empty
    await touch(nora, "touchStart", [(x, y)])
    for step in range(1, 6):
        await touch(nora, "touchMove", [(x - step * 20, y - step * 10)])
    await touch(nora, "touchEnd", [])
    after = await nora.page.evaluate("window.samskap.camera.center()")
    assert after["x"] > before["x"] + 50, (before, after)
    assert not nora.errors


@pytest.mark.parametrize("size", [(768, 1024), (1024, 768)])
async def test_pinch_and_two_finger_pan_never_select(
    browser: Any, board: dict[str, Any], size: tuple[int, int]
) -> None:
    nora = await tablet(browser, board["links"]["participant"], size)
    note = next(o["id"] for o in await nora.objects() if o["kind"] == "note")
    cx, cy = await centre_of(nora, note)
    zoom = await nora.page.evaluate("window.samskap.camera.zoom")
    # The first finger lands on the note, the second beside it, and they spread apart.
    await touch(nora, "touchStart", [(cx, cy)])
    await touch(nora, "touchStart", [(cx, cy), (cx + 60, cy + 60)])
    for step in range(1, 6):
        await touch(
            nora,
            "touchMove",
            [(cx - step * 10, cy - step * 10), (cx + 60 + step * 10, cy + 60 + step * 10)],
        )
    await touch(nora, "touchEnd", [(cx - 50, cy - 50)])
    await touch(nora, "touchEnd", [])
    await nora.page.wait_for_timeout(200)
    assert await nora.page.evaluate("window.samskap.camera.zoom") > zoom * 1.2
    assert await nora.page.evaluate("window.samskap.selection.size") == 0
    obj = next(o for o in await nora.objects() if o["id"] == note)
    assert (obj["x"], obj["y"]) == (round(obj["x"]), round(obj["y"]))  # not dragged along
    assert not nora.errors
