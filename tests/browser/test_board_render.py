"""The board page draws by the export's rules, and follow mode fits the leader's view.

Pixel probes on the real canvas: a template zone's name sits in the band at its top
(not in the middle, where notes go), a note's tag is written on it, and a rotated
note is drawn turned. Follow mode with two different screen sizes.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.helpers import Person, open_board

pytestmark = [pytest.mark.browser]

# Counts the dark pixels (luminance below 110) in a board-unit rectangle of the canvas.
DARK_PIXELS = """([x, y, w, h]) => {
    const s = window.samskap; const cam = s.camera;
    const canvas = document.querySelector('#board-canvas');
    const k = canvas.width / canvas.getBoundingClientRect().width;
    const sx = Math.round((x - cam.x) * cam.zoom * k), sy = Math.round((y - cam.y) * cam.zoom * k);
    const sw = Math.round(w * cam.zoom * k), sh = Math.round(h * cam.zoom * k);
    const data = canvas.getContext('2d').getImageData(sx, sy, sw, sh).data;
    let dark = 0;
    for (let i = 0; i < data.length; i += 4) {
        if (0.299 * data[i] + 0.587 * data[i + 1] + 0.114 * data[i + 2] < 110) dark++;
    }
    return dark;
}"""


async def drawn(person: Person) -> None:
    """Wait until the canvas has drawn the current state sharp (fonts loaded, two frames,
    and not a zoom step's scaled bitmap: the sharp frame follows SHARP_MS later)."""
    await person.page.evaluate(
        """async () => {
            await document.fonts.ready;
            const r = window.samskap.renderer;
            r.request();
            const frames = () => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok)));
            await frames();
            while (r.painted === "scaled") await frames();
        }"""
    )


async def dark(person: Person, box: tuple[float, float, float, float]) -> int:
    return int(await person.page.evaluate(DARK_PIXELS, list(box)))


async def test_zone_title_in_top_band_and_note_tag(browser: Any, live_server: Any) -> None:
    board = await live_server.create_board("Kart", template="power-interest-grid", locale="en")
    kari = await open_board(browser, board["links"]["participant"], "Kari")
    zone = await kari.page.evaluate(
        "window.samskap.store.sorted().find(o => o.kind === 'shape' && o.text.startsWith('Keep satisfied'))"
    )
    assert zone["locked"] and zone["h"] > 160
    await kari.page.evaluate(
        "([x, y]) => window.samskap.camera.set(x, y, 1)", [zone["x"] - 20, zone["y"] - 20]
    )
    await drawn(kari)
    x, y, w, h = zone["x"], zone["y"], zone["w"], zone["h"]
    # The name: bold, in the 60 px band at the top (x+12, y+10, w-24, 60), centred.
    band = await dark(kari, (x + 12, y + 10, w - 24, 60))
    assert band > 150, f"no zone title in the top band ({band} dark pixels)"
    left_half = await dark(kari, (x + 12, y + 10, (w - 24) / 2, 60))
    assert 0.25 < left_half / band < 0.75, "the zone title is centred horizontally"
    # ... and not in the middle, where it used to be drawn (and where notes go).
    middle = await dark(kari, (x + 12, y + h / 2 - 60, w - 24, 120))
    assert middle == 0, f"text drawn in the middle of the zone ({middle} dark pixels)"

    # A note's tag (party initials) is written at its bottom-left: colour is not the only cue.
    note = await kari.page.evaluate(
        "window.samskap.store.sorted().find(o => o.kind === 'note' && o.tag === 'VOL')"
    )
    await kari.page.evaluate(
        "([x, y]) => window.samskap.camera.set(x, y, 1)", [note["x"] - 20, note["y"] - 20]
    )
    await drawn(kari)
    nx, ny, nh = note["x"], note["y"], note["h"]
    tag_line = (nx + 14, ny + nh - 14 - 15, 60, 15)
    assert await dark(kari, tag_line) > 30, "the note's tag is not drawn"
    # Without its tag, that line is empty.
    await kari.page.evaluate(
        "(id) => window.samskap.store.get(id) && window.samskap.actions.update(id, {tag: ''})",
        note["id"],
    )
    await drawn(kari)
    assert await dark(kari, tag_line) == 0
    assert kari.errors == []


async def test_rotated_note_is_drawn_turned(browser: Any, board: dict[str, Any]) -> None:
    kari = await open_board(browser, board["links"]["participant"], "Kari")
    note = await kari.page.evaluate(
        """() => window.samskap.actions.create(
            {kind: 'note', x: 0, y: 0, w: 200, h: 200, color: '#1d4ed8'}, {select: false})"""
    )
    await kari.page.evaluate("window.samskap.camera.set(-200, -200, 1)")
    await drawn(kari)
    # Unrotated: a corner of the box is blue-dark, just outside its middle edge is not.
    corner, outside = (4, 4, 10, 10), (90, -40, 20, 20)
    assert await dark(kari, corner) > 50
    assert await dark(kari, outside) == 0
    await kari.page.evaluate(
        "(id) => window.samskap.actions.update(id, {rotation: 45})", note["id"]
    )
    await drawn(kari)
    # Turned by 45 degrees: the corner is now empty, and the top vertex reaches above the box.
    assert await dark(kari, corner) == 0
    assert await dark(kari, outside) > 50
    # Hit-testing follows the drawing: the top vertex picks the note, the old corner does not.
    picked = await kari.page.evaluate(
        """() => [window.samskap.ctx.pick({x: 100, y: -30}), window.samskap.ctx.pick({x: 8, y: 8})]
            .map(o => o && o.id)"""
    )
    assert picked == [note["id"], None]
    assert kari.errors == []


async def test_follow_fits_the_leaders_view(browser: Any, live_server: Any) -> None:
    board = await live_server.create_board("Følg", locale="en")
    kari = await open_board(browser, board["links"]["facilitator"], "Kari", viewport=(1280, 800))
    ola = await open_board(browser, board["links"]["participant"], "Ola", viewport=(700, 900))
    await kari.page.click("#facilitate-btn")
    await kari.page.click("#fac-follow")
    await ola.page.wait_for_selector("#banner-follow:not([hidden])", timeout=5000)

    await kari.page.evaluate("window.samskap.camera.set(1000, 500, 2)")
    leader = await kari.page.evaluate(
        """() => { const c = window.samskap.camera;
                   return {x: c.x, y: c.y, w: c.width / c.zoom, h: c.height / c.zoom}; }"""
    )
    # Ola's screen is narrower: the whole of Kari's view fits, centred in his free area
    # (the board less the tool column and open panels), at a smaller zoom.
    await ola.page.wait_for_function(
        """(v) => { const s = window.samskap, a = s.ctx.view.area();
                    const m = s.camera.toWorld(a.x + a.w / 2, a.y + a.h / 2);
                    return Math.abs(m.x - (v.x + v.w / 2)) < 1 && Math.abs(m.y - (v.y + v.h / 2)) < 1
                        && s.camera.zoom < 2; }""",
        arg=leader,
        timeout=5000,
    )
    mine = await ola.page.evaluate(
        """() => { const s = window.samskap, c = s.camera, a = s.ctx.view.area();
                   const p = c.toWorld(a.x, a.y);
                   return {x: p.x, y: p.y, w: a.w / c.zoom, h: a.h / c.zoom, zoom: c.zoom,
                           width: a.w, height: a.h, left: a.x}; }"""
    )
    assert mine["left"] > 40, "the free area starts right of the tool column"
    # Kari's rectangle lies inside Ola's free area, and touches its sides in one direction.
    assert mine["x"] <= leader["x"] + 0.5 and mine["y"] <= leader["y"] + 0.5
    assert mine["x"] + mine["w"] >= leader["x"] + leader["w"] - 0.5
    assert mine["y"] + mine["h"] >= leader["y"] + leader["h"] - 0.5
    fit = min(mine["width"] / leader["w"], mine["height"] / leader["h"])
    assert mine["zoom"] == pytest.approx(fit, rel=1e-3)
    assert kari.errors == [] and ola.errors == []
