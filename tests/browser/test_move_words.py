"""A keyboard move is announced by the place it lands in (issue 19): "Moved to Key
players", the template zone's name, not "Moved to 3000, 940"; the frame's title where no
zone holds it; "Moved (outside frames)" on open board, coordinates only on request."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.helpers import announced, open_board

pytestmark = [pytest.mark.browser]


async def test_keyboard_move_names_the_zone_then_the_frame(browser: Any, live_server: Any) -> None:
    board = await live_server.create_board("Kart", template="power-interest-grid", locale="en")
    kari = await open_board(browser, board["links"]["participant"], "Kari")
    objs = {o["id"]: o for o in await kari.objects()}
    zone = next(o for o in objs.values() if o.get("text", "").startswith("Key players"))
    frame = next(o for o in objs.values() if o["kind"] == "frame")
    # A note just left of the zone's edge (its centre outside), then nudged into the zone.
    note_id = await kari.page.evaluate(
        "(at) => window.samskap.actions.create({kind: 'note', x: at.x, y: at.y, w: 200, h: 200,"
        " text: 'Rådmannen', color: '#fff59d'}, {select: true}).id",
        {"x": zone["x"] - 110, "y": zone["y"] + 300},
    )
    await kari.settled()
    await kari.page.focus("#board-canvas")
    await kari.page.keyboard.press("Shift+ArrowRight")  # 10 units: centre now inside
    await announced(kari, "Moved to Key players")

    # Into the frame's empty top band: no zone there, so the frame's title.
    await kari.page.evaluate(
        "([id, at]) => window.samskap.actions.move([id], at.x - window.samskap.store.get(id).x,"
        " at.y - window.samskap.store.get(id).y)",
        [note_id, {"x": frame["x"] + 1500, "y": frame["y"] + 100}],
    )
    await kari.page.keyboard.press("ArrowDown")
    title = frame["title"].split(" \u2013 ")[0]
    await announced(kari, f"Moved to {title}")

    # Out on open board: said so, without coordinates (Shift+P gives them, test_where.py).
    await kari.page.evaluate(
        "([id, at]) => window.samskap.actions.move([id], at.x - window.samskap.store.get(id).x,"
        " at.y - window.samskap.store.get(id).y)",
        [note_id, {"x": frame["x"] - 3000, "y": frame["y"]}],
    )
    await kari.page.keyboard.press("ArrowDown")
    await announced(kari, "Moved (outside frames)")
    assert kari.errors == []
