"""The selection toolbar never covers the selection it belongs to (issue 19): above it,
below it when there is no room, beside it when it fills the height; and never under the
top bar or over the banners (vote, step). At 1440 x 900 with a mouse and at 768 x 1024
and 1024 x 768 with touch emulation."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.helpers import Person, open_board

pytestmark = [pytest.mark.browser]

# Screen rectangles (page coordinates) of the toolbar, the selection as drawn (a frame
# with its title band), the stage, and the visible banners and step card.
RECTS = """() => {
  const s = window.samskap, c = s.camera;
  const st = document.querySelector('#stage').getBoundingClientRect();
  const objs = [...s.selection].map((id) => s.store.get(id));
  const xs = [], ys = [];
  for (const o of objs) {
    const a = c.toScreen(o.x, o.y), b = c.toScreen(o.x + o.w, o.y + o.h);
    xs.push(a.x, b.x); ys.push(a.y - (o.kind === 'frame' ? 20 : 0), b.y);
  }
  const sel = { x: Math.min(...xs) + st.left, y: Math.min(...ys) + st.top,
                w: Math.max(...xs) - Math.min(...xs), h: Math.max(...ys) - Math.min(...ys) };
  const r = (el) => { const b = el.getBoundingClientRect(); return { x: b.left, y: b.top, w: b.width, h: b.height }; };
  const furniture = [...document.querySelectorAll('#session-strip > :not([hidden]), #step-card:not([hidden]), .topbar')].map(r);
  return { bar: r(document.querySelector('#selbar')), sel, stage: r(document.querySelector('#stage')), furniture };
}"""


def meets(a: dict[str, float], b: dict[str, float]) -> bool:
    return (
        a["x"] < b["x"] + b["w"]
        and b["x"] < a["x"] + a["w"]
        and a["y"] < b["y"] + b["h"]
        and b["y"] < a["y"] + a["h"]
    )


async def check_clear(person: Person) -> dict[str, Any]:
    await person.page.wait_for_selector("#selbar:not([hidden])")
    await person.page.evaluate("new Promise((r) => requestAnimationFrame(() => r()))")
    rects = await person.page.evaluate(RECTS)
    bar, sel, stage = rects["bar"], rects["sel"], rects["stage"]
    assert not meets(bar, sel), f"the toolbar {bar} covers the selection {sel}"
    for f in rects["furniture"]:
        assert not meets(bar, f), f"the toolbar {bar} is under or over {f}"
    assert stage["y"] <= bar["y"] and bar["y"] + bar["h"] <= stage["y"] + stage["h"], (bar, stage)
    assert stage["x"] <= bar["x"] and bar["x"] + bar["w"] <= stage["x"] + stage["w"], (bar, stage)
    return rects


async def put(person: Person, obj: dict[str, Any], fx: float, fy: float) -> str:
    """Create `obj` with its top-left corner at fraction (fx, fy) of the view; its id."""
    return await person.page.evaluate(  # type: ignore[no-any-return]
        """([o, fx, fy]) => { const s = window.samskap, c = s.camera;
             const p = c.toWorld(c.width * fx, c.height * fy);
             return s.actions.create({ ...o, x: Math.round(p.x), y: Math.round(p.y) }, { select: false }).id; }""",
        [obj, fx, fy],
    )


SIZES = [((1440, 900), False), ((768, 1024), True), ((1024, 768), True)]


@pytest.mark.parametrize(("size", "touch"), SIZES)
async def test_toolbar_beside_the_selection_under_the_vote_banner(
    browser: Any, board: dict[str, Any], size: tuple[int, int], touch: bool
) -> None:
    """A note right under the vote banner: the toolbar goes below it (above, it would lie
    over the banner, as it hid the top row of ideas during voting)."""
    options = {"has_touch": True, "is_mobile": True} if touch else {}
    kari = await open_board(
        browser, board["links"]["facilitator"], "Kari", viewport=size, **options
    )
    await kari.page.evaluate(
        "window.samskap.session.facilitate('voting_open', {votes: 3, per_note: 1})"
    )
    await kari.page.wait_for_selector("#banner-vote:not([hidden])", timeout=3000)
    strip = await kari.page.locator("#session-strip").bounding_box()
    stage = await kari.page.locator("#stage").bounding_box()
    # The note's top 30 px under the banner's bottom edge, in the middle.
    fy = (strip["y"] + strip["height"] - stage["y"] + 30) / stage["height"]
    note = await put(kari, {"kind": "note", "text": "Idé", "w": 200, "h": 200}, 0.42, fy)
    await kari.settled()
    # (A click during a vote gives a vote: the note is selected as the outline selects it.)
    await kari.page.evaluate("(id) => window.samskap.selection.set([id])", note)
    rects = await check_clear(kari)
    assert rects["bar"]["y"] >= rects["sel"]["y"] + rects["sel"]["h"]  # below the note
    assert not kari.errors


@pytest.mark.parametrize(("size", "touch"), SIZES)
async def test_toolbar_never_covers_a_tall_selection(
    browser: Any, board: dict[str, Any], size: tuple[int, int], touch: bool
) -> None:
    """A frame as tall as the view: no room above or below, so the toolbar goes beside
    it (it used to be pushed up over the frame's bottom); a note at the top: below it."""
    options = {"has_touch": True, "is_mobile": True} if touch else {}
    kari = await open_board(
        browser, board["links"]["participant"], "Kari", viewport=size, **options
    )
    view = await kari.page.evaluate("[window.samskap.camera.width, window.samskap.camera.height]")
    zoom = await kari.page.evaluate("window.samskap.camera.zoom")
    frame = {
        "kind": "frame",
        "title": "Ramme",
        "w": round(view[0] * 0.4 / zoom),
        "h": round(view[1] * 0.95 / zoom),
    }
    await put(kari, frame, 0.3, 0.04)
    note = await put(kari, {"kind": "note", "text": "Øverst", "w": 200, "h": 150}, 0.8, 0.01)
    await kari.settled()
    ids = [o["id"] for o in await kari.objects()]
    for target in ids:
        await kari.page.evaluate("(id) => window.samskap.selection.set([id])", target)
        rects = await check_clear(kari)
        if target == note:
            assert rects["bar"]["y"] >= rects["sel"]["y"] + rects["sel"]["h"]
    assert not kari.errors
