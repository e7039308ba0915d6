"""Zoom frames from the scaled cache (web/js/render/canvas.js): during a wheel zoom the
canvas shows the cached bitmap scaled, then SHARP_MS after the last step the view is
painted sharp again, where hit testing finds the objects. An edit that arrives during
the gesture is never hidden by the scaled bitmap. Real wheel events, real pixels.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.helpers import Person, centre_of, open_board

pytestmark = [pytest.mark.browser]

# Record how each frame was painted; keep the last "scaled" frame's pixels and camera.
RECORD = """() => {
    const s = window.samskap, r = s.renderer, before = r.onRender;
    window.zoomLog = [];
    window.scaledFrame = null;
    r.onRender = () => {
        window.zoomLog.push(r.painted);
        if (r.painted === 'scaled') {
            const c = document.querySelector('#board-canvas'), cam = s.camera;
            window.scaledFrame = {
                pixels: c.getContext('2d').getImageData(0, 0, c.width, c.height),
                at: [cam.x, cam.y, cam.zoom],
            };
        }
        before();
    };
}"""

# Pixels that differ (sum of |dRGB| > 60) between two frames of the canvas.
DIFFER = """([a, b]) => {
    const x = a.data, y = b.data; let n = 0;
    for (let i = 0; i < x.length; i += 4)
        if (Math.abs(x[i] - y[i]) + Math.abs(x[i + 1] - y[i + 1]) + Math.abs(x[i + 2] - y[i + 2]) > 60) n++;
    return n;
}"""

# The canvas now against the same view painted anew (the reference for "sharp"), and
# the last scaled frame against its view painted anew; then back to the view.
SHARP_CHECK = f"""() => {{
    const c = document.querySelector('#board-canvas'), ctx = c.getContext('2d');
    const s = window.samskap, r = s.renderer, cam = s.camera, differ = {DIFFER};
    const painted = () => {{ r.invalidate(); r.draw(); return ctx.getImageData(0, 0, c.width, c.height); }};
    const shown = ctx.getImageData(0, 0, c.width, c.height);
    const now = [cam.x, cam.y, cam.zoom];
    const out = {{ shown: differ([shown, painted()]), total: c.width * c.height, scaled: null }};
    if (window.scaledFrame) {{
        cam.set(...window.scaledFrame.at);
        out.scaled = differ([window.scaledFrame.pixels, painted()]);
        cam.set(...now);
        painted();
    }}
    return out;
}}"""

# The colour of the canvas pixel under a board point.
PIXEL = """([x, y]) => {
    const s = window.samskap, cam = s.camera;
    const c = document.querySelector('#board-canvas');
    const k = c.width / c.getBoundingClientRect().width;
    const d = c.getContext('2d').getImageData(
        Math.round((x - cam.x) * cam.zoom * k), Math.round((y - cam.y) * cam.zoom * k), 1, 1).data;
    return '#' + [d[0], d[1], d[2]].map((v) => v.toString(16).padStart(2, '0')).join('');
}"""


async def frame(person: Person) -> None:
    await person.page.evaluate("() => new Promise((r) => requestAnimationFrame(() => r()))")


async def wheel_zoom(person: Person, steps: int, dy: int = -100) -> None:
    """Mouse-wheel steps over the canvas centre (each zooms by exp(0.15)), a frame apart."""
    box = await person.page.locator("#board-canvas").bounding_box()
    await person.page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    for _ in range(steps):
        await person.page.mouse.wheel(0, dy)
        await frame(person)


async def until_sharp(person: Person) -> None:
    await person.page.wait_for_function(
        "() => window.samskap.renderer.painted === 'cache'", timeout=5000
    )


async def notes(person: Person, colour: str = "#fff59d") -> list[str]:
    ids = await person.page.evaluate(
        """(colour) => [0, 1, 2, 3, 4, 5].map((i) => window.samskap.actions.create({
            kind: 'note', x: (i % 3) * 260, y: Math.floor(i / 3) * 260, w: 200, h: 200,
            color: colour, text: 'Leksehjelp og språkkafé ' + i}, {select: false}).id)""",
        colour,
    )
    await person.settled()
    return [str(i) for i in ids]


async def test_wheel_zoom_shows_the_scaled_cache_then_paints_sharp(
    browser: Any, board: dict[str, Any]
) -> None:
    ola = await open_board(browser, board["links"]["participant"], "Ola")
    ids = await notes(ola)
    await ola.page.evaluate("window.samskap.zoomToFit()")
    await until_sharp(ola)
    await ola.page.evaluate(RECORD)
    zoom0 = await ola.page.evaluate("window.samskap.camera.zoom")

    await wheel_zoom(ola, 3)
    log = await ola.page.evaluate("window.zoomLog")
    assert "scaled" in log, f"no zoom frame came from the scaled cache: {log}"
    await until_sharp(ola)
    zoom = await ola.page.evaluate("window.samskap.camera.zoom")
    assert zoom > zoom0 * 1.5

    # The last frame is sharp: the same as the view painted anew (rounding aside); the
    # last scaled frame was not (a blur of the view at the zoom before).
    check = await ola.page.evaluate(SHARP_CHECK)
    print("pixels that differ:", check)
    assert check["shown"] < 0.001 * check["total"], check
    assert check["scaled"] is not None and check["scaled"] > 5 * max(check["shown"], 100), check

    # Hit testing and painting agree after the zoom: where a note is painted, a click
    # selects that note.
    target = ids[4]
    x, y = await centre_of(ola, target)
    obj = await ola.page.evaluate("(id) => window.samskap.store.get(id)", target)
    assert await ola.page.evaluate(PIXEL, [obj["x"] + 15, obj["y"] + 185]) == "#fff59d"
    await ola.page.mouse.click(x, y)
    assert await ola.page.evaluate("[...window.samskap.selection.ids]") == [target]
    assert ola.errors == []


async def test_an_edit_during_a_zoom_is_not_hidden_by_the_scaled_cache(
    browser: Any, board: dict[str, Any]
) -> None:
    link = board["links"]["participant"]
    ola = await open_board(browser, link, "Ola")
    kari = await open_board(browser, link, "Kari")
    ids = await notes(ola)
    await kari.wait(f"objs.length === {len(ids)}", timeout=5000)
    await kari.page.evaluate("window.samskap.zoomToFit()")
    await until_sharp(kari)
    await kari.page.evaluate(RECORD)
    # Kari zooms in steps; between two steps Ola turns a note blue.
    await wheel_zoom(kari, 2)
    target = ids[0]
    await ola.page.evaluate("(id) => window.samskap.actions.update(id, {color: '#b3e5fc'})", target)
    await kari.wait(f"objs.find((o) => o.id === {target!r}).color === '#b3e5fc'", timeout=5000)
    await wheel_zoom(kari, 2)
    log = await kari.page.evaluate("window.zoomLog")
    assert log.count("scaled") >= 2, f"the zoom frames did not come from the cache: {log}"
    # The frame right after the edit is painted (not the scaled old bitmap), and the
    # zoom steps after it scale the new content: the note is blue at once.
    assert "direct" in log[log.index("scaled") + 1 :], log
    obj = await kari.page.evaluate("(id) => window.samskap.store.get(id)", target)
    assert await kari.page.evaluate("window.samskap.renderer.painted") in ("scaled", "direct")
    assert await kari.page.evaluate(PIXEL, [obj["x"] + 15, obj["y"] + 185]) == "#b3e5fc"
    await until_sharp(kari)
    assert await kari.page.evaluate(PIXEL, [obj["x"] + 15, obj["y"] + 185]) == "#b3e5fc"
    assert kari.errors == [] and ola.errors == []
