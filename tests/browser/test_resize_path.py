"""Resizing with the select tool's corner handles: a pen stroke drawn in the page is
scaled point by point (the other person sees the new points, undo brings the old ones
back for both), and a rotated object keeps its opposite corner where it was.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from tests.browser.helpers import open_board
from tests.browser.strokes import (
    both_have_the_stroke,
    drag,
    draw_zigzag,
    handle,
    kari_and_ola_left_of_centre,
    object_of,
    points_box,
    to_page,
    world_points,
)

pytestmark = [pytest.mark.browser]


async def test_pen_stroke_resizes_with_a_corner_handle_and_undo_restores_it(
    browser: Any, board: dict[str, Any]
) -> None:
    link = board["links"]["participant"]
    kari = await open_board(browser, link, "Kari")
    ola = await open_board(browser, link, "Ola")

    # Kari draws a zigzag with the pen.
    await draw_zigzag(kari)
    await ola.wait("objs.some(o => o.kind === 'path')", timeout=5000)
    await kari.settled()
    path_id = next(o["id"] for o in await kari.objects() if o["kind"] == "path")
    original = await object_of(kari, path_id)
    assert len(original["points"]) >= 4
    x0, y0, w0, h0 = points_box(original)
    assert w0 > 100 and h0 > 30

    # She selects it by clicking on the line and pulls its bottom-right handle.
    await kari.page.click("[data-tool=select]")
    on_line = await to_page(kari, *world_points(original)[1])
    await kari.page.mouse.click(*on_line)
    await kari.page.wait_for_function("window.samskap.selection.size === 1")
    assert await kari.page.evaluate(f"window.samskap.selection.has({path_id!r})")
    corners = await kari.page.evaluate("window.samskap.renderer.handles().map((h) => h.corner)")
    assert sorted(corners) == ["ne", "nw", "se", "sw"]
    zoom = await kari.page.evaluate("window.samskap.camera.zoom")
    await drag(kari, await handle(kari, "se"), 120, 60)
    await kari.settled()

    # Every point is scaled about the top-left corner (which stays): Ola sees the same.
    sx_, sy_ = (w0 + 120 / zoom) / w0, (h0 + 60 / zoom) / h0
    expected = [(x0 + (x - x0) * sx_, y0 + (y - y0) * sy_) for x, y in world_points(original)]
    await ola.wait(
        f"objs.some(o => o.id === {path_id!r} && "
        f"Math.abs(Math.max(...o.points.map(p => p[0])) - {w0 * sx_}) < 1)",
        timeout=5000,
    )
    resized = await object_of(ola, path_id)
    assert set(resized) == set(original), "a stroke has no w/h: only x, y and points change"
    assert len(resized["points"]) == len(original["points"])
    assert resized["width"] == original["width"] and resized["color"] == original["color"]
    for (ex, ey), (gx, gy) in zip(expected, world_points(resized), strict=True):
        assert gx == pytest.approx(ex, abs=0.2) and gy == pytest.approx(ey, abs=0.2)
    assert all(p == [round(p[0], 1), round(p[1], 1)] for p in resized["points"])
    assert await object_of(kari, path_id) == resized

    # Undo puts back the stroke as it was drawn, for both.
    await kari.page.keyboard.press("Control+z")
    await kari.settled()
    await both_have_the_stroke(kari, ola, path_id, original)


async def test_rotated_object_resizes_about_its_opposite_corner(
    browser: Any, board: dict[str, Any]
) -> None:
    # A note turned by 30 degrees (as an Excalidraw import makes them), left of the
    # view's centre, so that its handles are clear of the toolbars.
    kari, ola, (left, top) = await kari_and_ola_left_of_centre(browser, board)
    note = {"kind": "note", "x": left, "y": top, "w": 200, "h": 120, "rotation": 30}
    note_id = await kari.page.evaluate(
        "(o) => window.samskap.actions.create(o, {select: false}).id", note
    )
    await ola.wait(f"objs.some(o => o.id === {note_id!r})", timeout=5000)

    def corner(obj: dict[str, Any], fx: float, fy: float) -> tuple[float, float]:
        """World position of the corner (fx, fy in 0..1) of the turned box."""
        cx, cy = obj["x"] + obj["w"] / 2, obj["y"] + obj["h"] / 2
        a = math.radians(obj["rotation"])
        dx, dy = obj["x"] + fx * obj["w"] - cx, obj["y"] + fy * obj["h"] - cy
        return cx + dx * math.cos(a) - dy * math.sin(a), cy + dx * math.sin(a) + dy * math.cos(a)

    await kari.page.click("[data-tool=select]")
    await kari.page.mouse.click(*await to_page(kari, *corner(note, 0.5, 0.5)))
    await kari.page.wait_for_function("window.samskap.selection.size === 1")
    # The handles sit on the turned corners (3 screen pixels outside them).
    zoom = await kari.page.evaluate("window.samskap.camera.zoom")
    pad = 3 / zoom
    padded = {**note, "x": left - pad, "y": top - pad, "w": 200 + 2 * pad, "h": 120 + 2 * pad}
    for name, fx, fy in (("nw", 0, 0), ("ne", 1, 0), ("sw", 0, 1), ("se", 1, 1)):
        hx, hy = await kari.page.evaluate(
            f"(() => {{ const h = window.samskap.renderer.handles().find(h => h.corner === '{name}');"
            " return [h.x, h.y]; })()"
        )
        ex, ey = corner(padded, fx, fy)
        assert hx == pytest.approx(ex, abs=0.01) and hy == pytest.approx(ey, abs=0.01)

    # Pull the bottom-right handle 80 px along the note's own x axis and 40 px along its y.
    a = math.radians(30)
    dx, dy = 80 * math.cos(a) - 40 * math.sin(a), 80 * math.sin(a) + 40 * math.cos(a)
    await drag(kari, await handle(kari, "se"), dx, dy)
    await kari.settled()
    await ola.wait(f"objs.some(o => o.id === {note_id!r} && o.w > 250)", timeout=5000)
    resized = next(o for o in await ola.objects() if o["id"] == note_id)
    assert resized["w"] == pytest.approx(200 + 80 / zoom, abs=1.5)
    assert resized["h"] == pytest.approx(120 + 40 / zoom, abs=1.5)
    assert resized["rotation"] == 30
    # The top-left corner stays where it was on the board (whole units: within a unit).
    before, after = corner(note, 0, 0), corner(resized, 0, 0)
    assert math.dist(before, after) < 1.0

    await kari.page.keyboard.press("Control+z")
    await ola.wait(
        f"objs.some(o => o.id === {note_id!r} && o.x === {left} && o.y === {top} && o.w === 200)",
        timeout=5000,
    )
    assert not kari.errors and not ola.errors
