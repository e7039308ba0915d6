"""Resizing from the keyboard and the selection toolbar of a rotated object.

Alt+arrow keys resize a pen stroke the way its corner handles do (its points scaled,
sent as {x, y, points}, one undo step per key press) and a rotated object about its
top-left corner in its own axes; the selection toolbar of a rotated note clears all
of its resize handles. Moving and resizing from the keyboard are announced in the
polite live region (once the keys rest), in the page's language, and an image keeps its
proportions under Alt+arrow keys as it does under its handles.
"""

from __future__ import annotations

import io
import math
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.browser.helpers import TIMES, announced, open_board
from tests.browser.strokes import (
    both_have_the_stroke,
    draw_zigzag,
    kari_and_ola_left_of_centre,
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


# Counts what the live region says (each announcement empties it, then fills it).
COUNT_ANNOUNCEMENTS = """() => {
    const el = document.querySelector('#announcer');
    window.said = [];
    new MutationObserver(() => { if (el.textContent) window.said.push(el.textContent); })
        .observe(el, { childList: true, characterData: true, subtree: true });
}"""


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
    kari, ola, (left, top) = await kari_and_ola_left_of_centre(browser, board)
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


async def test_moving_and_resizing_from_the_keyboard_are_announced_in_both_languages(
    browser: Any, board: dict[str, Any]
) -> None:
    kari = await open_board(browser, board["links"]["participant"], "Kari")
    left, top = await left_of_centre(kari)
    notes = [
        {"kind": "note", "x": left, "y": top, "w": 200, "h": 120},
        {"kind": "note", "x": left + 300, "y": top, "w": 200, "h": 120},
    ]
    first, second = await kari.page.evaluate(
        "(objs) => objs.map((o) => window.samskap.actions.create(o, {select: false}).id)", notes
    )
    await kari.settled()
    await kari.page.evaluate(COUNT_ANNOUNCEMENTS)
    await kari.page.evaluate(f"window.samskap.selection.set([{first!r}])")
    await kari.page.focus("#board-canvas")

    await kari.page.keyboard.press("Alt+ArrowRight")
    await announced(kari, f"Size 210 {TIMES} 120")
    # Five quick presses (as a held key repeats) are announced once, where they ended.
    for _ in range(5):
        await kari.page.keyboard.press("ArrowRight")
    await announced(kari, "Moved (outside frames)")
    await kari.page.wait_for_timeout(700)
    assert await kari.page.evaluate("window.said") == [
        f"Size 210 {TIMES} 120",
        "Moved (outside frames)",
    ]
    # Where it ended, in numbers, on request.
    await kari.page.keyboard.press("Shift+P")
    await announced(kari, f"Position {left + 5}, {top}, size 210 {TIMES} 120")

    # In bokmål, and several objects are counted.
    await kari.page.select_option("#lang-select", "nb")
    await kari.page.wait_for_function("() => document.documentElement.lang === 'nb'")
    await kari.page.focus("#board-canvas")
    await kari.page.keyboard.press("Alt+ArrowDown")
    await announced(kari, f"Størrelse 210 {TIMES} 130")
    await kari.page.keyboard.press("Shift+ArrowDown")
    await announced(kari, "Flyttet (utenfor rammer)")
    await kari.page.evaluate(f"window.samskap.selection.set([{first!r}, {second!r}])")
    await kari.page.keyboard.press("ArrowLeft")
    await announced(kari, "2 objekter flyttet")
    await kari.page.keyboard.press("Alt+ArrowRight")
    await announced(kari, "Ny størrelse på 2 objekter")
    await kari.settled()
    got = {o["id"]: o for o in await kari.objects()}
    assert (got[first]["x"], got[first]["y"], got[first]["w"], got[first]["h"]) == (
        left + 4,
        top + 10,
        220,
        130,
    )
    assert (got[second]["x"], got[second]["w"]) == (left + 299, 210)
    assert not kari.errors


async def test_alt_arrows_keep_an_images_proportions(browser: Any, board: dict[str, Any]) -> None:
    link = board["links"]["participant"]
    kari = await open_board(browser, link, "Kari")
    ola = await open_board(browser, link, "Ola")
    png = io.BytesIO()
    Image.new("RGB", (300, 200), (30, 120, 200)).save(png, format="PNG")
    await kari.page.set_input_files(
        "#image-input",
        files=[{"name": "bilde.png", "mimeType": "image/png", "buffer": png.getvalue()}],
    )
    await kari.wait("objs.some(o => o.kind === 'image')", timeout=5000)
    await kari.settled()
    image = next(o for o in await kari.objects() if o["kind"] == "image")
    assert (image["w"], image["h"]) == (300, 200)
    await kari.page.evaluate(f"window.samskap.selection.set([{image['id']!r}])")
    await kari.page.focus("#board-canvas")

    # Two presses 10 units wider each: the height follows (whole units, so within one).
    for _ in range(2):
        await kari.page.keyboard.press("Alt+ArrowRight")
    await ola.wait(f"objs.some(o => o.id === {image['id']!r} && o.w === 320)", timeout=5000)
    wide = await object_of(ola, image["id"])
    assert (wide["x"], wide["y"]) == (image["x"], image["y"]), "the top-left corner stays"
    assert wide["h"] == pytest.approx(320 * 200 / 300, abs=1)
    await announced(kari, f"Size 320 {TIMES} {wide['h']}")

    # Narrowing makes it lower too, and a height step widens it.
    await kari.page.keyboard.press("Shift+Alt+ArrowLeft")
    await ola.wait(f"objs.some(o => o.id === {image['id']!r} && o.w === 220)", timeout=5000)
    narrow = await object_of(ola, image["id"])
    assert narrow["h"] == pytest.approx(220 * 200 / 300, abs=1.5)
    await kari.page.keyboard.press("Alt+ArrowDown")
    await ola.wait(
        f"objs.some(o => o.id === {image['id']!r} && o.h === {narrow['h'] + 10})", timeout=5000
    )
    tall = await object_of(ola, image["id"])
    assert tall["w"] / tall["h"] == pytest.approx(1.5, abs=0.02)

    # Each press is one undo step: four Ctrl+Z put the image back as it was.
    for _ in range(4):
        await kari.page.keyboard.press("Control+z")
    await ola.wait(
        f"objs.some(o => o.id === {image['id']!r} && o.w === 300 && o.h === 200 "
        f"&& o.x === {image['x']} && o.y === {image['y']})",
        timeout=5000,
    )
    assert not kari.errors and not ola.errors
