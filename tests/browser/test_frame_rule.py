"""F1 in the page: dragging a frame carries what the frame rule says it holds.

The table in tests/data/frame_rule.json pins geometry.js under Node; this drags a real
frame in Chromium, through the select tool and Actions, and checks the server's copy
on another page: a note half outside whose centre is inside goes along, so does a
nested frame with its note; a note whose centre is outside stays.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.helpers import open_board

pytestmark = [pytest.mark.browser]

OBJECTS = [
    {"id": "outer", "kind": "frame", "x": 0, "y": 0, "w": 800, "h": 500},
    {"id": "inner", "kind": "frame", "x": 100, "y": 100, "w": 300, "h": 250},
    {"id": "in_inner", "kind": "note", "x": 150, "y": 150, "w": 100, "h": 100},
    {"id": "half_in", "kind": "note", "x": 700, "y": 200, "w": 160, "h": 100},
    {"id": "half_out", "kind": "note", "x": 760, "y": 350, "w": 160, "h": 100},
]


async def test_f1_dragging_a_frame_carries_what_it_holds(
    browser: Any, board: dict[str, Any]
) -> None:
    kari = await open_board(browser, board["links"]["facilitator"], "Kari")
    ola = await open_board(browser, board["links"]["participant"], "Ola")
    await kari.page.evaluate(
        """(objs) => { for (const o of objs) window.samskap.actions.create(o, { select: false });
                       window.samskap.zoomToFit(); }""",
        OBJECTS,
    )
    await ola.wait("objs.length === 5", timeout=5000)
    # The outer frame is picked by its title bar, just above its box.
    x, y = await kari.page.evaluate(
        """() => { const s = window.samskap; const p = s.camera.toScreen(400, -10);
                   const r = document.querySelector('#board-canvas').getBoundingClientRect();
                   return [p.x + r.left, p.y + r.top]; }"""
    )
    zoom = await kari.page.evaluate("window.samskap.camera.zoom")
    await kari.page.mouse.move(x, y)
    await kari.page.mouse.down()
    for step in range(1, 6):
        await kari.page.mouse.move(x + step * 10, y + step * 6)
    await kari.page.mouse.up()
    dx, dy = 50 / zoom, 30 / zoom
    await kari.settled()
    await ola.wait(f"objs.some(o => o.id === 'outer' && Math.abs(o.x - {dx}) < 1.5)", timeout=5000)
    after = {o["id"]: o for o in await ola.objects()}
    for moved in ("outer", "inner", "in_inner", "half_in"):
        start = next(o for o in OBJECTS if o["id"] == moved)
        assert after[moved]["x"] == pytest.approx(start["x"] + dx, abs=1.5), moved
        assert after[moved]["y"] == pytest.approx(start["y"] + dy, abs=1.5), moved
    assert (after["half_out"]["x"], after["half_out"]["y"]) == (760, 350)
    assert not kari.errors and not ola.errors
