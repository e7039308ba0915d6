"""Resizing from the keyboard and the selection toolbar of a rotated object.

Alt+arrow keys resize a pen stroke the way its corner handles do (its points scaled,
sent as {x, y, points}, one undo step per key press) and a rotated object about its
top-left corner in its own axes; the selection toolbar of a rotated note clears all
of its resize handles.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from tests.browser.helpers import open_board
from tests.browser.strokes import (
    both_have_the_stroke,
    draw_zigzag,
    left_of_centre,
    object_of,
    points_box,
    same_stroke,
    to_page,
    world_points,
)

pytestmark = [pytest.mark.browser]

# A handle is drawn as an 8 px square (1.5 px border) centred on its point.
HANDLE_HALF = 5


def turned_corner(box: tuple[float, float, float, float], deg: float) -> tuple[float, float]:
    """Where the top-left corner of `box` (x, y, w, h) is drawn when turned about its centre."""
    x, y, w, h = box
    cx, cy = x + w / 2, y + h / 2
    a = math.radians(deg)
    dx, dy = x - cx, y - cy
    return cx + dx * math.cos(a) - dy * math.sin(a), cy + dx * math.sin(a) + dy * math.cos(a)


async def test_alt_arrows_resize_a_pen_stroke_and_each_press_is_one_undo_step(
    browser: Any, board: dict[str, Any]
) -> None:
    link = board["links"]["participant"]
    kari = await open_board(browser, link, "Kari")
    ola = await open_board(browser, link, "Ola")

    await draw_zigzag(kari)
    await ola.wait("objs.some(o => o.kind === 'path')", timeout=5000)
    await kari.settled()
    path_id = next(o["id"] for o in await kari.objects() if o["kind"] == "path")
    original = await object_of(kari, path_id)
    x0, y0, w0, h0 = points_box(original)
    assert w0 > 100 and h0 > 30

    # Kari selects the stroke and widens it with Alt+ArrowRight, three times (10 units each).
    await kari.page.click("[data-tool=select]")
    await kari.page.mouse.click(*await to_page(kari, *world_points(original)[1]))
    await kari.page.wait_for_function(f"window.samskap.selection.has({path_id!r})")
    for _ in range(3):
        await kari.page.keyboard.press("Alt+ArrowRight")
    await kari.settled()

    # Every point is scaled along x about the top-left corner; Ola sees the same points.
    scale = (w0 + 30) / w0
    expected = [(x0 + (x - x0) * scale, y) for x, y in world_points(original)]
    await ola.wait(
        f"objs.some(o => o.id === {path_id!r} && "
        f"Math.abs(Math.max(...o.points.map(p => p[0])) - {w0 + 30}) < 0.5)",
        timeout=5000,
    )
    resized = await object_of(ola, path_id)
    assert set(resized) == set(original), "a stroke has no w/h: only x, y and points change"
    assert len(resized["points"]) == len(original["points"])
    assert resized["width"] == original["width"]
    for (ex, ey), (gx, gy) in zip(expected, world_points(resized), strict=True):
        assert gx == pytest.approx(ex, abs=0.2) and gy == pytest.approx(ey, abs=0.2)
    nx, ny, nw, nh = points_box(resized)
    assert (nx, ny) == pytest.approx((x0, y0), abs=0.1)
    assert nw == pytest.approx(w0 + 30, abs=0.2) and nh == pytest.approx(h0, abs=0.2)
    assert await object_of(kari, path_id) == resized

    # One undo step per key press: the first Ctrl+Z takes back 10 units, three the rest.
    await kari.page.keyboard.press("Control+z")
    await kari.settled()
    assert points_box(await object_of(kari, path_id))[2] == pytest.approx(w0 + 20, abs=0.2)
    for _ in range(2):
        await kari.page.keyboard.press("Control+z")
    await kari.settled()
    await both_have_the_stroke(kari, ola, path_id, original)


async def test_alt_arrows_resize_rotated_objects_about_their_top_left_corner(
    browser: Any, board: dict[str, Any]
) -> None:
    link = board["links"]["participant"]
    kari = await open_board(browser, link, "Kari")
    ola = await open_board(browser, link, "Ola")
    left, top = await left_of_centre(kari)
    note = {"kind": "note", "x": left, "y": top, "w": 200, "h": 120, "rotation": 30}
    stroke = {
        "kind": "path",
        "x": left + 400,
        "y": top,
        "points": [[0, 0], [40, 60], [80, 10], [120, 50]],
        "width": 4,
        "rotation": 45,
    }
    ids = await kari.page.evaluate(
        "(objs) => objs.map((o) => window.samskap.actions.create(o, {select: false}).id)",
        [note, stroke],
    )
    note_id, stroke_id = ids
    await ola.wait(
        f"objs.filter(o => o.id === {note_id!r} || o.id === {stroke_id!r}).length === 2", 5000
    )
    note = await object_of(kari, note_id)
    stroke = await object_of(kari, stroke_id)

    # The note: Alt+ArrowRight, Alt+ArrowDown, Shift+Alt+ArrowRight (100 units).
    await kari.page.evaluate(f"window.samskap.selection.set([{note_id!r}])")
    await kari.page.focus("#board-canvas")
    for key in ("Alt+ArrowRight", "Alt+ArrowDown", "Shift+Alt+ArrowRight"):
        await kari.page.keyboard.press(key)
    await ola.wait(f"objs.some(o => o.id === {note_id!r} && o.w === 310 && o.h === 130)", 5000)
    grown = await object_of(ola, note_id)
    assert grown["rotation"] == 30
    before = turned_corner((note["x"], note["y"], note["w"], note["h"]), 30)
    after = turned_corner((grown["x"], grown["y"], grown["w"], grown["h"]), 30)
    assert math.dist(before, after) < 1.5, "the turned top-left corner stays (whole units)"

    # The stroke, turned 45 degrees: 20 units wider along its own x axis.
    await kari.page.evaluate(f"window.samskap.selection.set([{stroke_id!r}])")
    for _ in range(2):
        await kari.page.keyboard.press("Alt+ArrowRight")
    await ola.wait(f"objs.some(o => o.id === {stroke_id!r} && o.points[3][0] > 139)", 5000)
    wide = await object_of(ola, stroke_id)
    bx, by, bw, bh = points_box(stroke)
    assert points_box(wide)[2:] == pytest.approx((bw + 20, bh), abs=0.2)
    assert math.dist(turned_corner((bx, by, bw, bh), 45), turned_corner(points_box(wide), 45)) < 0.3

    # Five undo steps, one per key press, and both are as they were.
    for _ in range(5):
        await kari.page.keyboard.press("Control+z")
    await ola.wait(same_stroke(stroke_id, stroke), timeout=5000)
    await ola.wait(
        f"objs.some(o => o.id === {note_id!r} && o.x === {note['x']} && o.y === {note['y']} "
        f"&& o.w === 200 && o.h === 120)",
        timeout=5000,
    )
    assert not kari.errors and not ola.errors


async def test_toolbar_of_a_rotated_note_clears_its_handles(
    browser: Any, board: dict[str, Any], tmp_path: Path
) -> None:
    kari = await open_board(browser, board["links"]["participant"], "Kari")
    left, top = await kari.page.evaluate(
        """() => { const c = window.samskap.camera;
            const p = c.toWorld(c.width * 0.45, c.height * 0.45);
            return [Math.round(p.x), Math.round(p.y)]; }"""
    )
    note = {"kind": "note", "x": left, "y": top, "w": 200, "h": 120, "rotation": 30}
    note_id = await kari.page.evaluate(
        "(o) => window.samskap.actions.create(o, {select: false}).id", note
    )
    await kari.page.click("[data-tool=select]")
    await kari.page.mouse.click(*await to_page(kari, left + 100, top + 60))
    await kari.page.wait_for_function(f"window.samskap.selection.has({note_id!r})")
    selbar = kari.page.locator("#selbar")
    await selbar.wait_for(state="visible")
    await kari.page.evaluate("new Promise((r) => requestAnimationFrame(() => r()))")
    bar = await selbar.bounding_box()
    assert bar

    handles = await kari.page.evaluate("window.samskap.renderer.handles().map((h) => [h.x, h.y])")
    assert len(handles) == 4
    for hx, hy in handles:
        px, py = await to_page(kari, hx, hy)
        overlaps = (
            px + HANDLE_HALF > bar["x"]
            and px - HANDLE_HALF < bar["x"] + bar["width"]
            and py + HANDLE_HALF > bar["y"]
            and py - HANDLE_HALF < bar["y"] + bar["height"]
        )
        assert not overlaps, f"the toolbar {bar} covers the handle at {(px, py)}"
    # It still sits right above the note (not far away): within 30 px of the top handle.
    top_handle = min([await to_page(kari, hx, hy) for hx, hy in handles], key=lambda p: p[1])
    assert 0 < top_handle[1] - (bar["y"] + bar["height"]) < 30

    shot = tmp_path / "rotated-note-toolbar.png"
    await kari.page.screenshot(path=str(shot))
    assert shot.stat().st_size > 0
    assert not kari.errors
