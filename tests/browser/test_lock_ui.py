"""Locking from the board (issue #3): the facilitator locks and unlocks objects from the
selection toolbar (or Ctrl+Shift+L); participants never see the button and cannot move
what is locked.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.helpers import Person, add_note, centre_of, open_board
from tests.browser.strokes import drag, object_of, to_page

pytestmark = [pytest.mark.browser]

ZONE = "keep-satisfied"
LOCK = "Lock (Ctrl+Shift+L)"
UNLOCK = "Unlock (Ctrl+Shift+L)"


async def click_object_at(person: Person, object_id: str, fx: float, fy: float) -> None:
    """Click the object at a fraction of its box (away from the notes in it)."""
    obj = await object_of(person, object_id)
    await person.page.mouse.click(
        *await to_page(person, obj["x"] + obj["w"] * fx, obj["y"] + obj["h"] * fy)
    )


async def test_the_facilitator_locks_and_unlocks_from_the_selection_toolbar(
    browser: Any, live_server: Any
) -> None:
    board = await live_server.create_board("Stakeholders", template="power-interest-grid")
    kari = await open_board(browser, board["links"]["facilitator"], "Kari")
    ola = await open_board(browser, board["links"]["participant"], "Ola")
    page = kari.page
    assert (await object_of(kari, ZONE))["locked"]
    await page.evaluate("(id) => window.samskap.ctx.showObject(id)", ZONE)

    # The template's zone is locked: selected, the toolbar offers Unlock.
    await click_object_at(kari, ZONE, 0.5, 0.9)
    assert await page.evaluate("[...window.samskap.selection.ids]") == [ZONE]
    unlock = page.get_by_role("button", name=UNLOCK, exact=True)
    await unlock.wait_for()
    assert await unlock.get_attribute("title") == UNLOCK
    await unlock.click()
    await kari.settled()
    assert not (await object_of(kari, ZONE))["locked"]
    await ola.wait(f"!objs.find((o) => o.id === {ZONE!r}).locked", timeout=3000)
    assert await page.get_by_role("button", name=LOCK, exact=True).is_visible()

    # Unlocked, the facilitator drags it, and the participant sees it move.
    before = await object_of(kari, ZONE)
    start = await to_page(kari, before["x"] + before["w"] / 2, before["y"] + before["h"] * 0.9)
    await drag(kari, start, 120, 60)
    await kari.settled()
    after = await object_of(kari, ZONE)
    assert after["x"] > before["x"] + 50 and after["y"] > before["y"] + 20
    await ola.wait(f"objs.find((o) => o.id === {ZONE!r}).x === {after['x']}", timeout=3000)

    # The participant writes a note; the facilitator locks it with the keyboard.
    note = await add_note(ola, 0.2, 0.2, "Leseombudet")
    await ola.settled()
    await kari.wait(f"objs.some((o) => o.id === {note!r})", timeout=3000)
    await page.evaluate("(id) => window.samskap.selection.set([id])", note)
    await page.locator("#board-canvas").focus()
    await page.keyboard.press("Control+Shift+L")
    await kari.settled()
    assert (await object_of(kari, note))["locked"]
    await page.get_by_role("button", name=UNLOCK, exact=True).wait_for()

    # The participant cannot move it any more, and has no lock button.
    await ola.wait(f"objs.find((o) => o.id === {note!r}).locked", timeout=3000)
    was = await object_of(ola, note)
    await drag(ola, await centre_of(ola, note), 150, 90)
    await ola.page.wait_for_timeout(300)
    await ola.settled()
    now = await object_of(ola, note)
    assert (now["x"], now["y"]) == (was["x"], was["y"])
    await ola.page.evaluate("(id) => window.samskap.selection.set([id])", note)
    await ola.page.wait_for_selector("#selbar:not([hidden])")
    assert await ola.page.locator("#act-lock").is_hidden()
    assert await ola.page.get_by_role("button", name=LOCK, exact=True).count() == 0
    assert await ola.page.get_by_role("button", name=UNLOCK, exact=True).count() == 0

    # A mixed selection (locked note, unlocked zone) is locked as a whole, in one undo step.
    await page.evaluate("(ids) => window.samskap.selection.set(ids)", [ZONE, note])
    await page.get_by_role("button", name=LOCK, exact=True).click()
    await kari.settled()
    assert (await object_of(kari, ZONE))["locked"] and (await object_of(kari, note))["locked"]
    await page.get_by_role("button", name=UNLOCK, exact=True).click()
    await kari.settled()
    assert not (await object_of(kari, ZONE))["locked"]
    assert not (await object_of(kari, note))["locked"]
    await page.keyboard.press("Control+z")
    await kari.settled()
    assert (await object_of(kari, ZONE))["locked"] and (await object_of(kari, note))["locked"]
    assert not kari.errors and not ola.errors


# Pixels of the padlock's grey (#4b5563, give or take anti-aliasing) in a screen-pixel
# rectangle of the canvas, measured from the selected object's top-right corner.
PADLOCK_PIXELS = """([id, left, top, w, h]) => {
    const s = window.samskap; const cam = s.camera; const o = s.store.get(id);
    const canvas = document.querySelector('#board-canvas');
    const k = canvas.width / canvas.getBoundingClientRect().width;
    const right = (o.x + o.w - cam.x) * cam.zoom, y0 = (o.y - cam.y) * cam.zoom;
    const sx = Math.round((right + left) * k), sy = Math.round((y0 + top) * k);
    const data = canvas.getContext('2d').getImageData(sx, sy, Math.round(w * k), Math.round(h * k)).data;
    let grey = 0;
    for (let i = 0; i < data.length; i += 4) {
        const [r, g, b] = [data[i], data[i + 1], data[i + 2]];
        if (Math.abs(r - 75) < 30 && Math.abs(g - 85) < 30 && Math.abs(b - 99) < 30) grey++;
    }
    return [grey, data.length / 4];
}"""

# Every text the board's canvas writes, so a test can see that no emoji is drawn.
RECORD_TEXT = """(() => {
    window.__texts = [];
    const fill = CanvasRenderingContext2D.prototype.fillText;
    CanvasRenderingContext2D.prototype.fillText = function (text, ...rest) {
        window.__texts.push(String(text));
        return fill.call(this, text, ...rest);
    };
})();"""


async def test_the_padlock_is_drawn_with_paths_not_an_emoji(browser: Any, live_server: Any) -> None:
    board = await live_server.create_board("Stakeholders", template="power-interest-grid")
    ola = await open_board(browser, board["links"]["participant"], "Ola")
    page = ola.page
    await ola.context.add_init_script(RECORD_TEXT)
    await page.reload()
    await page.wait_for_function(
        "() => window.samskap && window.samskap.conn.state === 'online' && window.samskap.store.loaded"
    )
    await page.evaluate("(id) => window.samskap.ctx.showObject(id)", ZONE)
    await page.evaluate("(id) => window.samskap.selection.set([id])", ZONE)
    await page.evaluate(
        "() => new Promise((r) => { window.samskap.renderer.request(); "
        "requestAnimationFrame(() => requestAnimationFrame(r)); })"
    )
    # The padlock sits 4 px inside the top-right corner, 10 by 12 px: a solid body in
    # its lower half, a shackle above it.
    grey, total = await page.evaluate(PADLOCK_PIXELS, [ZONE, -13, 11, 8, 4])
    assert grey >= 0.8 * total, f"no padlock body: {grey} of {total} pixels"
    shackle, _ = await page.evaluate(PADLOCK_PIXELS, [ZONE, -13, 4, 10, 5])
    assert shackle >= 4, "no padlock shackle"
    texts = await page.evaluate("window.__texts")
    assert texts and not any("\U0001f512" in t for t in texts)
    assert not ola.errors


async def test_escape_on_the_selection_toolbar_clears_the_selection(
    browser: Any, board: dict[str, Any]
) -> None:
    kari = await open_board(browser, board["links"]["facilitator"], "Kari")
    page = kari.page
    note = await add_note(kari, 0.5, 0.5, "Leseombudet")
    await kari.settled()
    await page.evaluate("(id) => window.samskap.selection.set([id])", note)
    await page.wait_for_selector("#selbar:not([hidden])")
    # On a toolbar button (as after Tab from the board), Escape clears the selection,
    # hides the toolbar and puts the keyboard back on the board.
    await page.focus("#act-duplicate")
    await page.keyboard.press("Escape")
    await page.wait_for_selector("#selbar", state="hidden", timeout=3000)
    assert await page.evaluate("window.samskap.selection.size") == 0
    assert await page.evaluate("document.activeElement.id") == "board-canvas"
    # The same from the Lock button, and the board still takes keys afterwards.
    await page.evaluate("(id) => window.samskap.selection.set([id])", note)
    await page.focus("#act-lock")
    await page.keyboard.press("Escape")
    await page.wait_for_selector("#selbar", state="hidden", timeout=3000)
    assert await page.evaluate("document.activeElement.id") == "board-canvas"
    await page.keyboard.press("Control+a")
    assert await page.evaluate("window.samskap.selection.size") == 1
    assert not kari.errors


async def test_a_mouse_drag_leaves_whole_units(browser: Any, board: dict[str, Any]) -> None:
    kari = await open_board(browser, board["links"]["facilitator"], "Kari")
    page = kari.page
    # One note in whole units, one left at a fraction by an older drag.
    ids = await page.evaluate(
        """() => [[400, 300], [700.4, 299.99993]].map(([x, y]) =>
            window.samskap.actions.create(
                { kind: 'note', x, y, w: 200, h: 200, text: 'Leseombudet' }, { select: false }).id)"""
    )
    await kari.settled()
    await page.evaluate("window.samskap.zoomToFit()")
    await page.evaluate("window.samskap.camera.zoomAt(0.83)")
    assert await page.evaluate("window.samskap.camera.zoom") == 0.83
    for note in ids:
        await page.evaluate("window.samskap.selection.clear()")
        await drag(kari, await centre_of(kari, note), 37, 23)
        await kari.settled()
        obj = await object_of(kari, note)
        assert obj["x"] == round(obj["x"]) and obj["y"] == round(obj["y"]), obj
    first = await object_of(kari, ids[0])
    # 37 and 23 screen px at 83 %: 44.6 and 27.7 units, rounded.
    assert (first["x"], first["y"]) == (445, 328)
    # Undo puts the old place back exactly, fraction and all.
    await page.keyboard.press("Control+z")
    await kari.settled()
    second = await object_of(kari, ids[1])
    assert (second["x"], second["y"]) == (700.4, 299.99993)
    assert not kari.errors
