"""Readable first (issue 19, items 2 and 6): a template board opens, follows "bring
everyone here" and a template insert at a zoom where its notes' text (and that of a
note written next) is about 12 CSS px or more on that screen, and the frame's left edge lies in the free area: right of the
tool column, not under the top bar or an open panel. Before, a template opened at 23 %
on a 768 x 1024 tablet and 30-35 % on a laptop (text drawn as grey bars), and a fit put
the frame's edge under the tools."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.helpers import Person, open_board

pytestmark = [pytest.mark.browser]

LAPTOP = (1440, 900)
TABLET = (768, 1024)

# Where a frame is on screen, how big its notes' text is there, and what covers the board.
MEASURE = """async (frameId) => {
  const s = window.samskap, cam = s.camera;
  const text = await import('/static/js/render/text.js');  // the page's own module
  const f = s.store.get(frameId);
  const notes = [...s.store.view.values()].filter((o) => o.kind === 'note' && (o.text || '').trim()
    && o.x < f.x + f.w && o.x + o.w > f.x && o.y < f.y + f.h && o.y + o.h > f.y);
  const sizes = notes.map((n) => text.textLayout(n).size).sort((a, b) => a - b);
  const canvas = document.querySelector('#board-canvas').getBoundingClientRect();
  const rect = (sel) => { const e = document.querySelector(sel);
    if (!e || e.hidden || !e.getClientRects().length) return null;
    const r = e.getBoundingClientRect(); return { left: r.left, right: r.right, top: r.top, bottom: r.bottom }; };
  const covers = ['#facilitate', '#outline', '#results', '.people[open] .people-panel'].map(rect).filter(Boolean);
  return {
    zoom: cam.zoom,
    notes: sizes.length,
    textPx: sizes.length ? sizes[Math.floor((sizes.length - 1) / 2)] * cam.zoom : null,
    // A note someone writes next (a default 200 px note with a short idea).
    newPx: text.textLayout({ kind: 'note', x: 0, y: 0, w: 200, h: 200,
                             text: 'Leksehjelp med frivillige i biblioteket' }).size * cam.zoom,
    left: canvas.left + (f.x - cam.x) * cam.zoom,
    top: canvas.top + (f.y - cam.y) * cam.zoom,
    tools: rect('#toolbar'),
    topbar: rect('.topbar'),
    canvas: { left: canvas.left, right: canvas.right, top: canvas.top, bottom: canvas.bottom },
    covers,
  };
}"""


async def frame_id(person: Person) -> str:
    frames = [o for o in await person.objects() if o["kind"] == "frame"]
    return str(max(frames, key=lambda o: o["w"] * o["h"])["id"])


def assert_readable(m: dict[str, Any], where: str) -> None:
    """The notes' text is ~12 px or more (and the zoom at most 150 %); the frame's
    top-left corner is on screen in the free area."""
    assert m["notes"] >= 1, m
    assert m["textPx"] >= 11.9, (where, m)
    assert m["newPx"] >= 11.9, (where, m)
    assert m["zoom"] <= 1.5 + 1e-9, (where, m)
    assert m["tools"] is not None and m["left"] >= m["tools"]["right"], (where, m)
    assert m["top"] >= m["topbar"]["bottom"], (where, m)
    for cover in m["covers"]:  # an open panel or list: the frame's edge is left of it
        if cover["bottom"] > m["top"] and cover["left"] < m["canvas"]["right"]:
            assert m["left"] < cover["left"], (where, m)
    assert m["left"] < m["canvas"]["right"] and m["top"] < m["canvas"]["bottom"], (where, m)


@pytest.mark.parametrize("size,touch", [(LAPTOP, False), (TABLET, True)], ids=["laptop", "tablet"])
async def test_a_template_opens_readable(
    browser: Any, live_server: Any, size: tuple[int, int], touch: bool
) -> None:
    board = await live_server.create_board("Idémyldring", template="brainstorming", locale="nb")
    ola = await open_board(
        browser, board["links"]["participant"], "Ola", viewport=size, has_touch=touch
    )
    m = await ola.page.evaluate(MEASURE, await frame_id(ola))
    assert_readable(m, f"opened at {size}")
    # The zoom bar says so too, and there is more to see a pan away (not the whole frame).
    label = await ola.page.locator("#zoom-level").inner_text()
    assert int(label.rstrip(" %")) == round(m["zoom"] * 100)
    assert not ola.errors, ola.errors


async def test_summon_and_template_insert_land_readable(browser: Any, live_server: Any) -> None:
    board = await live_server.create_board("Workshop", template="power-interest-grid", locale="nb")
    kari = await open_board(browser, board["links"]["facilitator"], "Kari", viewport=LAPTOP)
    nora = await open_board(
        browser, board["links"]["participant"], "Nora", viewport=TABLET, has_touch=True
    )
    await kari.page.click("#facilitate-btn")
    await kari.page.wait_for_selector("#facilitate:not([hidden])")

    # A template insert summons everyone (Kari too) to the new frame.
    before = {o["id"] for o in await nora.objects() if o["kind"] == "frame"}
    await kari.page.evaluate(
        "window.samskap.session.facilitate('insert_template', {template: 'brainstorming', locale: 'nb'})"
    )
    await nora.wait(
        f"objs.some(o => o.kind === 'frame' && !{sorted(before)!r}.includes(o.id))", 5000
    )
    new = next(o for o in await nora.objects() if o["kind"] == "frame" and o["id"] not in before)
    for person, name in ((nora, "tablet"), (kari, "facilitator with her panel open")):
        await person.page.wait_for_function(
            """(f) => { const c = window.samskap.camera, r = document.querySelector('#board-canvas')
                          .getBoundingClientRect();
                        const x = (f.x - c.x) * c.zoom; return x > 0 && x < r.width / 2; }""",
            arg=new,
            timeout=5000,
        )
        assert_readable(await person.page.evaluate(MEASURE, new["id"]), f"insert, {name}")

    # "Bring everyone here" from a zoomed-out view: the tablet fits it, but not below
    # the readable zoom, and centres it in its free area (left of the open people list).
    await nora.page.evaluate("window.samskap.camera.set(-5000, -5000, 1)")
    await nora.page.click(".people > summary")
    await nora.page.wait_for_selector(".people[open] .people-panel")
    await kari.page.evaluate("window.samskap.camera.set(-200, -200, 0.3)")
    await kari.page.click("#fac-summon-view")
    await nora.page.wait_for_function("() => window.samskap.camera.x > -4000", timeout=3000)
    m = await nora.page.evaluate(MEASURE, new["id"])
    assert m["textPx"] >= 11.9 and m["newPx"] >= 11.9, m
    kari_centre = await kari.page.evaluate("window.samskap.camera.center()")
    centre = await nora.page.evaluate(
        """() => { const s = window.samskap, a = s.ctx.view.area();
                   return { area: a, world: s.camera.toWorld(a.x + a.w / 2, a.y + a.h / 2),
                            canvas: document.querySelector('#board-canvas').getBoundingClientRect().width }; }"""
    )
    assert abs(centre["world"]["x"] - kari_centre["x"]) < 1, centre
    assert abs(centre["world"]["y"] - kari_centre["y"]) < 1, centre
    people = m["covers"][0]
    assert centre["area"]["x"] + centre["area"]["w"] <= people["left"] - m["canvas"]["left"], centre
    assert centre["area"]["x"] >= m["tools"]["right"] - m["canvas"]["left"], centre

    # An agenda step's frame (Kari's "bring everyone to this frame"): readable, and Kari's
    # own view goes there too, its edge clear of her tools and her panel.
    await nora.page.keyboard.press("Escape")
    await nora.page.evaluate("window.samskap.camera.set(-5000, -5000, 0.1)")
    await kari.page.evaluate("window.samskap.camera.set(-5000, -5000, 0.1)")
    await kari.page.select_option("#fac-summon-frame", new["id"])
    await kari.page.click("#fac-summon-frame-btn")
    for person, name in ((nora, "tablet, frame summon"), (kari, "facilitator, frame summon")):
        await person.page.wait_for_function("() => window.samskap.camera.x > -4000", timeout=3000)
        assert_readable(await person.page.evaluate(MEASURE, new["id"]), name)
    assert not kari.errors and not nora.errors
