"""Resizing a multi-selection with the mouse: four handles on the selection's box scale
every object by the same factor about the opposite corner (boxes, a pen stroke's
points, a text's font size), within every object's limits; the other person sees it
within a second, one Ctrl+Z puts everything back, a viewer gets no handles. The end of
a mouse move or resize is announced with the keyboard's strings, in both languages.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.browser.helpers import TIMES, Person, announced, open_board
from tests.browser.strokes import (
    drag,
    handle,
    kari_and_ola_left_of_centre,
    left_of_centre,
    points_box,
    to_page,
    world_points,
)
from tests.support.servers import token_of

pytestmark = [pytest.mark.browser]

# A zigzag 180 units wide and 60 high, as the pen sends points (relative to x, y).
ZIGZAG = [[0, 0], [45, 60], [90, 0], [135, 60], [180, 0]]

# The geometry of the objects `ids` as one JSON string (the same on every page).
GEOMETRY = """(ids) => JSON.stringify(ids.map((id) => {
    const o = window.samskap.store.view.get(id);
    return o ? [o.x, o.y, o.w ?? null, o.h ?? null, o.points ?? null, o.font_size ?? null] : null;
}))"""


async def create(person: Person, objects: list[dict[str, Any]]) -> list[str]:
    """Create `objects` (not selected) and return their ids."""
    ids: list[str] = await person.page.evaluate(
        "(objs) => objs.map((o) => window.samskap.actions.create(o, {select: false}).id)", objects
    )
    await person.settled()
    return ids


async def marquee(person: Person, x0: float, y0: float, x1: float, y1: float) -> None:
    """Drag a selection rectangle from board point (x0, y0) to (x1, y1)."""
    await person.page.click("[data-tool=select]")
    start = await to_page(person, x0, y0)
    end = await to_page(person, x1, y1)
    await drag(person, start, end[0] - start[0], end[1] - start[1])


async def server_objects(live_server: Any, link: str, board_id: str) -> dict[str, Any]:
    """The board's objects as the server has them (GET /api/boards/{id}), by id."""
    async with httpx.AsyncClient(base_url=live_server.url) as http:
        response = await http.get(
            f"/api/boards/{board_id}", headers={"Authorization": f"Bearer {token_of(link)}"}
        )
        response.raise_for_status()
        return {o["id"]: o for o in response.json()["objects"]}


def scaled(value: float, origin: float, s: float) -> float:
    return origin + (value - origin) * s


async def test_a_multi_selection_scales_as_one_for_everyone_and_undoes_in_one_step(
    browser: Any, board: dict[str, Any], live_server: Any, tmp_path: Path
) -> None:
    kari, ola, (left, top) = await kari_and_ola_left_of_centre(browser, board)
    # A note, a rectangle and a pen stroke; together they fill the box
    # (left, top, 400, 220): the note the left and bottom, the rectangle the top right.
    originals = [
        {"kind": "note", "x": left, "y": top, "w": 160, "h": 220},
        {"kind": "shape", "shape": "rectangle", "x": left + 200, "y": top, "w": 200, "h": 100},
        {"kind": "path", "x": left + 200, "y": top + 130, "points": ZIGZAG, "width": 3},
    ]
    ids = await create(kari, originals)
    note_id, rect_id, path_id = ids
    await ola.wait(f"objs.length === 3 && objs.some(o => o.id === {path_id!r})", timeout=5000)
    before = {o["id"]: o for o in await kari.objects()}

    # A marquee around the three selects them; the handles sit on the group's corners.
    await marquee(kari, left - 40, top - 40, left + 440, top + 260)
    assert sorted(await kari.page.evaluate("[...window.samskap.selection]")) == sorted(ids)
    handles = await kari.page.evaluate("window.samskap.renderer.handles()")
    zoom = await kari.page.evaluate("window.samskap.camera.zoom")
    pad = 3 / zoom
    assert [(h["corner"], h["group"]) for h in handles] == [
        ("nw", True),
        ("ne", True),
        ("sw", True),
        ("se", True),
    ]
    se = next(h for h in handles if h["corner"] == "se")
    assert (se["x"], se["y"]) == (pytest.approx(left + 400 + pad), pytest.approx(top + 220 + pad))
    await kari.page.evaluate("new Promise((r) => requestAnimationFrame(() => r()))")
    await kari.page.screenshot(path=str(tmp_path / "group-handles.png"))

    # Pull the bottom-right handle out by a quarter of the box, along its diagonal.
    steps = await kari.page.evaluate("window.samskap.undo.done.length")
    await drag(kari, await handle(kari, "se"), 100 * zoom, 55 * zoom)
    mine = await kari.page.evaluate(GEOMETRY, ids)

    # (b) Ola sees exactly the same within a second of the release.
    await ola.wait(f"({GEOMETRY})({json.dumps(ids)}) === {json.dumps(mine)}", timeout=1000)
    await kari.settled()
    await announced(kari, "3 objects resized")

    # (a) Every object scaled by the same factor about the top-left corner (left, top).
    after = {o["id"]: o for o in await kari.objects()}
    s = after[note_id]["w"] / 160
    assert s == pytest.approx(1.25, abs=0.01)
    for obj_id in (note_id, rect_id):
        was, now = before[obj_id], after[obj_id]
        assert now["x"] == pytest.approx(scaled(was["x"], left, s), abs=0.6)
        assert now["y"] == pytest.approx(scaled(was["y"], top, s), abs=0.6)
        assert now["w"] == pytest.approx(was["w"] * s, abs=0.6)
        assert now["h"] == pytest.approx(was["h"] * s, abs=0.6)
    assert len(after[path_id]["points"]) == len(ZIGZAG)
    assert after[path_id]["width"] == 3, "the pen's width stays"
    for (wx, wy), (gx, gy) in zip(
        world_points(before[path_id]), world_points(after[path_id]), strict=True
    ):
        assert gx == pytest.approx(scaled(wx, left, s), abs=0.2)
        assert gy == pytest.approx(scaled(wy, top, s), abs=0.2)
    # One batch with one update per object: what the undo step holds.
    assert await kari.page.evaluate("window.samskap.undo.done.length") == steps + 1
    forward = await kari.page.evaluate("window.samskap.undo.done.at(-1).forward")
    assert sorted(op["id"] for op in forward) == sorted(ids)
    assert all(op["op"] == "update" for op in forward)
    # The server has what both pages show.
    stored = await server_objects(live_server, board["links"]["participant"], board["id"])
    assert {i: stored[i] for i in ids} == {i: after[i] for i in ids}

    # (c) One Ctrl+Z puts all three back, for both.
    await kari.page.keyboard.press("Control+z")
    original = await kari.page.evaluate(GEOMETRY, ids)
    await ola.wait(f"({GEOMETRY})({json.dumps(ids)}) === {json.dumps(original)}", timeout=5000)
    await kari.settled()
    assert {o["id"]: o for o in await ola.objects()} == before
    assert not kari.errors and not ola.errors
    assert await kari.page.locator("#toast").is_hidden()

    # (d) A viewer who selects the same objects gets no handles.
    viewer = await open_board(browser, board["links"]["viewer"], "Vera")
    await viewer.page.evaluate(f"window.samskap.selection.set({json.dumps(ids)})")
    assert await viewer.page.evaluate("window.samskap.selection.size") == 3
    assert await viewer.page.evaluate("window.samskap.renderer.handles()") == []
    # Locked objects stay out of the group: the facilitator locks the rectangle, and the
    # handles go round the note and the stroke only; with all three locked there are none.
    lock = (
        "(ids) => window.samskap.actions.commit(ids.map((id) => "
        "({op: 'update', id, set: {locked: true}})))"
    )
    fran = await open_board(browser, board["links"]["facilitator"], "Fran")
    await fran.page.evaluate(lock, [rect_id])
    await kari.wait(f"objs.some(o => o.id === {rect_id!r} && o.locked)", timeout=5000)
    await kari.page.evaluate(f"window.samskap.selection.set({json.dumps(ids)})")
    corners = await kari.page.evaluate("window.samskap.renderer.handles()")
    assert corners[3]["x"] == pytest.approx(left + 200 + 180 + 1.5 + pad)
    assert corners[3]["y"] == pytest.approx(top + 220 + pad)
    await fran.page.evaluate(lock, [note_id, path_id])
    await kari.wait("objs.every(o => o.locked)", timeout=5000)
    assert await kari.page.evaluate("window.samskap.renderer.handles()") == []
    assert not viewer.errors and not fran.errors and not kari.errors


async def test_shrinking_far_stops_at_the_smallest_sizes_and_sends_only_valid_ops(
    browser: Any, board: dict[str, Any], live_server: Any
) -> None:
    kari, ola, (left, top) = await kari_and_ola_left_of_centre(browser, board)
    # The box (left, top, 400, 250). The stroke, 60 units high, may shrink least (to 20
    # units: a third); the text's font size would go under the server's 4 there.
    objects = [
        {"kind": "note", "x": left, "y": top, "w": 160, "h": 150},
        {
            "kind": "text",
            "x": left,
            "y": top + 170,
            "w": 160,
            "h": 80,
            "font_size": 8,
            "text": "Hei",
        },
        {"kind": "shape", "shape": "rectangle", "x": left + 200, "y": top, "w": 200, "h": 100},
        {"kind": "path", "x": left + 200, "y": top + 130, "points": ZIGZAG, "width": 3},
    ]
    ids = await create(kari, objects)
    note_id, text_id, rect_id, path_id = ids
    await ola.wait(f"objs.some(o => o.id === {path_id!r})", timeout=5000)
    before = {o["id"]: o for o in await kari.objects()}
    await kari.page.click("[data-tool=select]")
    await kari.page.evaluate(f"window.samskap.selection.set({json.dumps(ids)})")

    # The top-left handle pulled far past the bottom-right corner: the group shrinks
    # about that corner until the stroke is 20 units high, and no further (no flip).
    await drag(kari, await handle(kari, "nw"), 700, 500)
    await kari.settled()
    await announced(kari, "4 objects resized")
    after = {o["id"]: o for o in await kari.objects()}
    s = 1 / 3
    right, bottom = left + 400, top + 250
    assert points_box(after[path_id])[3] == pytest.approx(20, abs=0.1)
    for obj_id in (note_id, text_id, rect_id):
        was, now = before[obj_id], after[obj_id]
        assert now["w"] == round(was["w"] * s) and now["h"] == round(was["h"] * s)
        assert now["x"] == pytest.approx(scaled(was["x"], right, s), abs=0.6)
        assert now["y"] == pytest.approx(scaled(was["y"], bottom, s), abs=0.6)
        assert now["w"] >= 20 and now["h"] >= 20
    assert after[text_id]["font_size"] == 4, "the font size stops at the server's minimum"

    # The server took the batch: it has the same, Ola sees it, and no error was shown.
    stored = await server_objects(live_server, board["links"]["participant"], board["id"])
    assert {i: stored[i] for i in ids} == {i: after[i] for i in ids}
    mine = await kari.page.evaluate(GEOMETRY, ids)
    await ola.wait(f"({GEOMETRY})({json.dumps(ids)}) === {json.dumps(mine)}", timeout=5000)
    assert await kari.page.locator("#toast").is_hidden()

    # Pulling it out again is not limited by what was clamped: Escape during a drag puts
    # back what the live updates showed, and the server keeps the clamped sizes.
    mouse = kari.page.mouse
    start = await handle(kari, "nw")
    await mouse.move(*start)
    await mouse.down()
    for step in range(1, 6):
        await mouse.move(start[0] - 40 * step, start[1] - 30 * step)
    await kari.page.wait_for_timeout(300)  # live updates reach Ola meanwhile
    await kari.page.keyboard.press("Escape")
    await mouse.up()
    await ola.wait(f"({GEOMETRY})({json.dumps(ids)}) === {json.dumps(mine)}", timeout=5000)
    await kari.settled()
    assert await kari.page.evaluate(GEOMETRY, ids) == mine
    stored = await server_objects(live_server, board["links"]["participant"], board["id"])
    assert {i: stored[i] for i in ids} == {i: after[i] for i in ids}
    assert not kari.errors and not ola.errors


async def test_mouse_moves_and_resizes_are_announced_like_the_keyboards(
    browser: Any, board: dict[str, Any]
) -> None:
    kari = await open_board(browser, board["links"]["participant"], "Kari")
    left, top = await left_of_centre(kari)
    first, second = await create(
        kari,
        [
            {"kind": "note", "x": left, "y": top, "w": 200, "h": 120},
            {"kind": "note", "x": left + 300, "y": top, "w": 200, "h": 120},
        ],
    )
    zoom = await kari.page.evaluate("window.samskap.camera.zoom")
    await kari.page.click("[data-tool=select]")

    # One note dragged by the mouse, then resized with a handle.
    await drag(kari, await to_page(kari, left + 100, top + 60), 40 * zoom, 20 * zoom)
    await announced(kari, "Moved (outside frames)")
    await drag(kari, await handle(kari, "se"), 30 * zoom, 10 * zoom)
    await announced(kari, f"Size 230 {TIMES} 130")

    # In bokmål, both notes moved, then resized together.
    await kari.page.select_option("#lang-select", "nb")
    await kari.page.wait_for_function("() => document.documentElement.lang === 'nb'")
    await kari.page.evaluate(f"window.samskap.selection.set([{first!r}, {second!r}])")
    await drag(kari, await to_page(kari, left + 400, top + 60), 0, 30 * zoom)
    await announced(kari, "2 objekter flyttet")
    await drag(kari, await handle(kari, "se"), 50 * zoom, 50 * zoom)
    await announced(kari, "Ny størrelse på 2 objekter")
    await kari.settled()
    got = {o["id"]: o for o in await kari.objects()}
    # The group's box was (left + 40, top + 30) to (left + 500, top + 180): 460 x 150;
    # pulled 50 units down it grows by 200 / 150, and wider by as much.
    s = 200 / 150
    assert got[first]["w"] == round(230 * s) and got[second]["w"] == round(200 * s)
    assert (got[first]["x"], got[first]["y"]) == (left + 40, round(top + 30 + 20 * s))
    assert got[second]["x"] == round(left + 40 + 260 * s)
    assert not kari.errors


async def test_frames_turned_objects_and_connectors_in_a_group(
    browser: Any, board: dict[str, Any]
) -> None:
    kari, ola, (left, top) = await kari_and_ola_left_of_centre(browser, board)
    frame_id, inner_id, turned_id = await create(
        kari,
        [
            {"kind": "frame", "x": left, "y": top, "w": 300, "h": 200, "title": "Ramme"},
            {"kind": "note", "x": left + 20, "y": top + 20, "w": 100, "h": 100},
            {"kind": "note", "x": left + 350, "y": top, "w": 120, "h": 80, "rotation": 30},
        ],
    )
    (arrow_id,) = await create(
        kari,
        [
            {
                "kind": "connector",
                "x": 0,
                "y": 0,
                "from": {"id": turned_id},
                "to": {"x": left + 500, "y": top + 250},
            }
        ],
    )
    await ola.wait(f"objs.some(o => o.id === {arrow_id!r})", timeout=5000)
    before = {o["id"]: o for o in await kari.objects()}
    # The frame, the turned note and the arrow; the note inside the frame is not selected.
    group = [frame_id, turned_id, arrow_id]
    await kari.page.click("[data-tool=select]")
    await kari.page.evaluate(f"window.samskap.selection.set({json.dumps(group)})")
    handles = await kari.page.evaluate("window.samskap.renderer.handles()")
    pad = 3 / await kari.page.evaluate("window.samskap.camera.zoom")
    fx, fy = handles[0]["x"] + pad, handles[0]["y"] + pad
    assert fx == pytest.approx(left)  # the frame's left side
    assert fy == pytest.approx(top + 40 - 60 * 0.5 - 40 * math.sqrt(3) / 2)  # a turned corner
    assert handles[3]["x"] - pad == pytest.approx(left + 500)  # the arrow's free end

    await drag(kari, await handle(kari, "se"), 60, 60)
    await kari.settled()
    after = {o["id"]: o for o in await kari.objects()}
    # The box is wider than high: pulled 60 units down, it grows by (h + 60) / h.
    height = handles[3]["y"] - handles[0]["y"] - 2 * pad
    s = (height + 60) / height
    frame = after[frame_id]
    assert (frame["x"], frame["y"]) == (round(left), round(scaled(top, fy, s)))
    assert (frame["w"], frame["h"]) == (round(300 * s), round(200 * s))
    assert after[inner_id] == before[inner_id], "what is in the frame stays unless selected"
    # The turned note keeps its rotation; its centre is scaled about the fixed corner.
    turned = after[turned_id]
    assert turned["rotation"] == 30
    assert (turned["w"], turned["h"]) == (round(120 * s), round(80 * s))
    # (Whole units: x and w rounded each, the centre within three quarters of a unit.)
    centre = (turned["x"] + turned["w"] / 2, turned["y"] + turned["h"] / 2)
    assert centre[0] == pytest.approx(scaled(left + 410, fx, s), abs=0.75)
    assert centre[1] == pytest.approx(scaled(top + 40, fy, s), abs=0.75)
    # The arrow's free end is scaled; its attached end still names the note.
    arrow = after[arrow_id]
    assert arrow["from"] == {"id": turned_id}
    assert arrow["to"]["x"] == pytest.approx(scaled(left + 500, fx, s), abs=0.06)
    assert arrow["to"]["y"] == pytest.approx(scaled(top + 250, fy, s), abs=0.06)
    mine = await kari.page.evaluate(GEOMETRY, [*group, inner_id])
    await ola.wait(
        f"({GEOMETRY})({json.dumps([*group, inner_id])}) === {json.dumps(mine)} && "
        f"objs.some(o => o.id === {arrow_id!r} && o.to.x === {arrow['to']['x']})",
        timeout=5000,
    )
    await kari.page.keyboard.press("Control+z")
    await kari.settled()
    await ola.wait(
        f"objs.some(o => o.id === {arrow_id!r} && o.to.x === {left + 500})", timeout=5000
    )
    assert {o["id"]: o for o in await ola.objects()} == before
    assert not kari.errors and not ola.errors
