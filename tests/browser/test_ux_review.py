"""A review of the board with a user's eyes (issue #3): what was broken or clearly worse
than people expect, each checked in a real browser against the real server.

- the top bar stays one row, with everything on the screen, on a laptop and a tablet
  while the timer runs (it wrapped into three lines and pushed the language off);
- the vote results do not cover the banners when a side panel narrows the board;
- on a template board (whose background is locked) a drag on the background draws a
  selection box, "send to back" keeps a note above the background, z-order skips
  locked objects, and a selection of locked objects offers no actions that do nothing;
- the selection toolbar hides while its selection is out of view;
- the text editor wraps a note's text as the board draws it.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.helpers import Person, add_note, open_board
from tests.browser.strokes import drag, to_page

pytestmark = [pytest.mark.browser]

TOPBAR = """() => {
    const bar = document.querySelector('.topbar').getBoundingClientRect();
    const parts = [...document.querySelectorAll('.topbar > *, .topbar-right > *')]
        .filter((e) => e.getClientRects().length && getComputedStyle(e).position !== 'absolute')
        .map((e) => { const r = e.getBoundingClientRect(); return [e.id || e.className, r.left, r.right, r.height]; });
    const status = document.querySelector('.status').getBoundingClientRect().height;
    const title = document.querySelector('#board-title').getBoundingClientRect().width;
    return { height: bar.height, width: innerWidth, parts, status, title };
}"""


async def in_bokmal(person: Person) -> None:
    await person.page.select_option("#lang-select", "nb")
    await person.page.wait_for_function("() => document.documentElement.lang === 'nb'")


async def start_timer(person: Person, minutes: int = 10) -> None:
    page = person.page
    await page.click("#facilitate-btn")
    await page.fill("#fac-minutes", str(minutes))
    await page.click("#fac-timer-start")
    await page.wait_for_selector("#timer:not([hidden])")
    await page.click("#facilitate-btn")
    await page.wait_for_selector("#facilitate", state="hidden")


async def test_top_bar_is_one_row_on_a_laptop_and_a_tablet(browser: Any, live_server: Any) -> None:
    board = await live_server.create_board(
        "Interessentkart for biblioteket, samling 2", template="power-interest-grid", locale="nb"
    )
    kari = await open_board(browser, board["links"]["facilitator"], "Kari")
    await in_bokmal(kari)
    await start_timer(kari)
    people = [kari]
    for role, size in (
        ("facilitator", (768, 1024)),
        ("viewer", (768, 1024)),
        ("participant", (768, 1024)),
        ("viewer", (1280, 800)),
    ):
        person = await open_board(browser, board["links"][role], "Ola", viewport=size)
        await in_bokmal(person)
        await person.page.wait_for_selector("#timer:not([hidden])")
        people.append(person)
    for person in people:
        bar = await person.page.evaluate(TOPBAR)
        where = f"{bar['width']} px wide: {bar['parts']}"
        assert bar["height"] <= 56, f"the top bar wraps at {where}"
        assert bar["status"] <= 24, f"the saved state wraps at {where}"
        assert bar["title"] >= 40, f"the board's title is squeezed out at {where}"
        for name, left, right, height in bar["parts"]:
            assert left >= 0 and right <= bar["width"], f"{name} is off the screen at {where}"
            assert height <= 44, f"{name} wraps at {where}"
        # Icons only on the tablet: the words stay as the buttons' names.
        assert await person.page.get_by_role("button", name="Oversikt").is_visible()
    assert await people[1].page.get_by_role("button", name="Styr økta").is_visible()
    # Offline is said in words at every width: in the bar on a laptop, on a strip of its
    # own under the bar on a tablet (the bar itself stays as it was).
    for person in (people[0], people[2]):
        await person.context.set_offline(True)
        await person.page.wait_for_selector("#status[data-state=offline]", timeout=5000)
        bar = await person.page.evaluate(TOPBAR)
        assert bar["height"] <= 56
        for name, left, right, _ in bar["parts"]:
            assert left >= 0 and right <= bar["width"], f"{name} is off the screen: {bar}"
        text = await person.page.locator(".status-text").bounding_box()
        assert (
            text is not None and text["width"] >= 60 and text["x"] + text["width"] <= bar["width"]
        )
        assert (await person.page.locator(".status-text").inner_text()).startswith("Frakoblet")
        await person.context.set_offline(False)
        await person.page.wait_for_selector("#status[data-state=saved]", timeout=10000)
    for person in people:
        assert not person.errors


OVERLAPS = """() => {
    const a = document.querySelector('#results').getBoundingClientRect();
    return [...document.querySelectorAll('.session-strip > :not([hidden])')].some((e) => {
        const b = e.getBoundingClientRect();
        return b.left < a.right && a.left < b.right && b.top < a.bottom && a.top < b.bottom;
    });
}"""


async def test_vote_results_do_not_cover_the_banners(browser: Any, live_server: Any) -> None:
    board = await live_server.create_board("Idédugnad", template="brainstorming", locale="nb")
    kari = await open_board(browser, board["links"]["facilitator"], "Kari")
    ola = await open_board(browser, board["links"]["participant"], "Ola", viewport=(768, 1024))
    for person in (kari, ola):
        await in_bokmal(person)
    await kari.page.click("#facilitate-btn")
    await kari.page.click("#fac-vote-open")
    await kari.page.click("#fac-vote-close")
    # The facilitator's panel narrows the board: the results card and the "voting is
    # closed" banner both sit at the top and must not cover each other.
    for person in (kari, ola):
        await person.page.wait_for_selector("#results:not([hidden])", timeout=3000)
        await person.page.wait_for_selector("#banner-vote:not([hidden])", timeout=3000)
        assert not await person.page.evaluate(OVERLAPS)
    await kari.page.click("#outline-btn")  # a second panel: narrower still
    assert not await kari.page.evaluate(OVERLAPS)
    # Once the results are put away, the banners are centred again.
    await ola.page.click("#results-close")
    strip = await ola.page.locator("#session-strip").bounding_box()
    assert strip is not None
    assert abs(strip["x"] + strip["width"] / 2 - 768 / 2) <= 2
    assert not kari.errors and not ola.errors


NOTE_IN_ZONE = """([zone, dx, text]) => {
    const z = window.samskap.store.get(zone);
    return window.samskap.actions.create(
        { kind: 'note', x: z.x + dx, y: z.y + 120, w: 200, h: 200, text }, { select: false }).id;
}"""

SELBAR = """() => [...document.querySelectorAll('#selbar > *')]
    .filter((e) => !e.hidden && !e.classList.contains('sr-only')).map((e) => e.id)"""


async def selected(person: Person) -> list[str]:
    return sorted(await person.page.evaluate("[...window.samskap.selection.ids]"))


async def z_of(person: Person, object_id: str) -> float:
    return float(await person.page.evaluate("(id) => window.samskap.store.get(id).z", object_id))


async def test_a_template_background_stays_out_of_the_way(browser: Any, live_server: Any) -> None:
    board = await live_server.create_board("Stakeholders", template="power-interest-grid")
    ola = await open_board(browser, board["links"]["participant"], "Ola")
    page = ola.page
    zone = "keep-satisfied"
    assert await page.evaluate("(id) => window.samskap.store.get(id).locked", zone)
    first = await page.evaluate(NOTE_IN_ZONE, [zone, 40, "Leseombudet"])
    second = await page.evaluate(NOTE_IN_ZONE, [zone, 300, "Frivilligsentralen"])
    await ola.settled()
    await page.evaluate("(id) => window.samskap.ctx.showObject(id)", zone)
    await page.evaluate("window.samskap.selection.clear()")
    box = await page.evaluate("(id) => window.samskap.store.get(id)", zone)

    # A drag that starts on the locked zone draws a selection box round the two notes
    # (it used to select the zone, which cannot move, and do nothing).
    start = await to_page(ola, box["x"] + 20, box["y"] + 80)
    end = await to_page(ola, box["x"] + 560, box["y"] + 380)
    await drag(ola, start, end[0] - start[0], end[1] - start[1])
    assert await selected(ola) == sorted([first, second])

    # A click on the zone selects it (it says it is locked), and the toolbar offers no
    # colours, order, edit or delete, which would do nothing or be refused.
    empty = await to_page(ola, box["x"] + box["w"] / 2, box["y"] + box["h"] - 30)
    await page.mouse.click(*empty)
    assert await selected(ola) == [zone]
    await page.wait_for_selector("#selbar:not([hidden])")
    assert await page.evaluate(SELBAR) == ["act-duplicate"]
    await page.keyboard.press("Delete")
    await page.wait_for_timeout(600)
    assert await page.locator("#announcer").text_content() == ""
    assert zone in {o["id"] for o in await ola.objects()}

    # Order with a locked object in the selection: the notes move, the zone stays, and
    # nothing is refused (the whole batch used to be, with "You cannot change this board").
    zone_z = await z_of(ola, zone)
    await page.evaluate("(ids) => window.samskap.selection.set(ids)", [zone, first])
    await page.click("#act-front")
    await ola.settled()
    assert await z_of(ola, first) == max(o["z"] for o in await ola.objects())
    assert await z_of(ola, zone) == zone_z
    assert await page.locator("#toast").is_hidden()

    # "Send to back" keeps a note above the template's background (it used to go under
    # the zone and vanish), below the other notes.
    await page.evaluate("(id) => window.samskap.selection.set([id])", first)
    await page.click("#act-back")
    await ola.settled()
    frame = next(o for o in await ola.objects() if o["kind"] == "frame")
    assert max(zone_z, frame["z"]) < await z_of(ola, first) < await z_of(ola, second)
    await page.keyboard.press("Control+z")
    await ola.settled()
    assert await z_of(ola, first) == max(o["z"] for o in await ola.objects())
    assert await page.locator("#toast").is_hidden()
    assert not ola.errors


async def test_selection_toolbar_hides_while_its_selection_is_out_of_view(
    browser: Any, board: dict[str, Any]
) -> None:
    ola = await open_board(browser, board["links"]["participant"], "Ola")
    page = ola.page
    note = await page.evaluate(
        """() => { const c = window.samskap.camera; const p = c.toWorld(c.width / 2, c.height / 2);
            return window.samskap.actions.create({ kind: 'note', x: p.x - 100, y: p.y - 100, text: 'Idé' }).id; }"""
    )
    await page.wait_for_selector("#selbar:not([hidden])")
    assert await page.locator("#selbar").is_visible()
    # Panned far away (or brought to another frame): the toolbar used to stay, pressed
    # against the edge of the view and over the tools.
    await page.evaluate("window.samskap.camera.panBy(-3000, 0)")
    await page.wait_for_function(
        "() => getComputedStyle(document.querySelector('#selbar')).visibility === 'hidden'",
        timeout=3000,
    )
    assert await page.evaluate("[...window.samskap.selection.ids]") == [note]
    assert not await page.locator("#selbar").is_visible()
    await page.evaluate("window.samskap.camera.panBy(3000, 0)")
    await page.wait_for_function(
        "() => getComputedStyle(document.querySelector('#selbar')).visibility !== 'hidden'",
        timeout=3000,
    )
    assert await page.locator("#selbar").is_visible()
    assert not ola.errors


CONTENT_WIDTH = """() => {
    const a = document.querySelector('.text-editor'); const cs = getComputedStyle(a);
    return a.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
}"""


async def test_the_text_editor_wraps_as_the_board_does(browser: Any, board: dict[str, Any]) -> None:
    ola = await open_board(browser, board["links"]["participant"], "Ola")
    page = ola.page
    made = await page.evaluate(
        """() => { const c = window.samskap.camera; const p = c.toWorld(c.width / 2, c.height / 2);
            const a = window.samskap.actions;
            const note = a.create({ kind: 'note', x: p.x - 300, y: p.y - 100, w: 200, h: 200,
                text: 'Frivilligsentralen på Ås' }, { select: false }).id;
            const text = a.create({ kind: 'text', x: p.x + 50, y: p.y - 100, w: 240,
                text: 'Kommunens kulturkontor' }, { select: false }).id;
            return [note, text]; }"""
    )
    for object_id, inset in zip(made, (14, 0), strict=True):
        for zoom in (1, 0.5):
            await page.evaluate("(z) => window.samskap.camera.zoomAt(z)", zoom)
            await page.evaluate("(id) => window.samskap.editor.start(id)", object_id)
            await page.wait_for_selector(".text-editor")
            obj = next(o for o in await ola.objects() if o["id"] == object_id)
            got = await page.evaluate(CONTENT_WIDTH)
            # The board wraps a note's text in its box less 14 units each side, a text
            # in its whole width; the editor had 4 px less (its border), so a word that
            # fits on the board broke in the middle while typing.
            assert abs(got - (obj["w"] - 2 * inset) * zoom) < 0.5, (obj["kind"], zoom, got)
            await page.keyboard.press("Escape")
    assert not ola.errors


async def test_a_locked_frames_title_is_read_only_in_the_outline(
    browser: Any, live_server: Any
) -> None:
    board = await live_server.create_board("Stakeholders", template="power-interest-grid")
    ola = await open_board(browser, board["links"]["participant"], "Ola")
    await ola.page.click("#outline-btn")
    title = ola.page.locator(".outline-frame-title").first
    await title.wait_for()
    # The template's frame is locked: the server refuses a new title, so the field
    # must not take one ("You cannot change this board" came back after typing).
    assert await title.evaluate("(e) => e.readOnly")
    assert not ola.errors


async def test_a_drawing_tool_lets_go_of_the_selection(browser: Any, board: dict[str, Any]) -> None:
    ola = await open_board(browser, board["links"]["participant"], "Ola")
    page = ola.page
    await page.evaluate(
        """() => { const c = window.samskap.camera; const p = c.toWorld(c.width * 0.6, c.height * 0.4);
            window.samskap.actions.create({ kind: 'note', x: p.x, y: p.y, text: 'Idé' }); }"""
    )
    await page.wait_for_selector("#selbar:not([hidden])")
    # Choosing the pen (with the mouse or its key) used to keep the note selected, its
    # toolbar and handles over where one draws.
    await page.click("[data-tool=pen]")
    assert await page.evaluate("window.samskap.selection.size") == 0
    assert await page.locator("#selbar").is_hidden()
    await page.click("[data-tool=select]")
    await page.evaluate("window.samskap.selection.set([window.samskap.store.sorted()[0].id])")
    await page.focus("#board-canvas")
    await page.keyboard.press("c")
    assert await page.evaluate("window.samskap.selection.size") == 0
    # The hand keeps it: it only moves the view.
    await page.keyboard.press("v")
    await page.evaluate("window.samskap.selection.set([window.samskap.store.sorted()[0].id])")
    await page.keyboard.press("h")
    assert await page.evaluate("window.samskap.selection.size") == 1
    assert not ola.errors


IN_ORDER = """(names) => {
    const collator = new Intl.Collator([document.documentElement.lang, "nb"]);
    return names.every((name, i) => i === 0 || collator.compare(names[i - 1], name) <= 0);
}"""


@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
async def test_templates_are_listed_by_name(browser: Any, live_server: Any, lang: str) -> None:
    board = await live_server.create_board("Kurs", locale=lang)
    kari = await open_board(browser, board["links"]["facilitator"], "Kari")
    page = kari.page
    await page.select_option("#lang-select", lang)
    await page.wait_for_function("(lang) => document.documentElement.lang === lang", arg=lang)
    # The picker on the board: they came in the order of their ids, which in bokmål is
    # no order at all ("Handlingsplan", "Aktørkart", "Gruppering", ...).
    await page.click("#facilitate-btn")
    await page.click("#fac-insert")
    await page.wait_for_selector(".template-card")
    names = await page.locator(".template-card .template-name").all_inner_texts()
    assert len(names) > 10
    assert await page.evaluate(IN_ORDER, names), names
    # The start page's list, after "A blank board".
    await page.goto(live_server.url + "/")
    await page.wait_for_function("(lang) => document.documentElement.lang === lang", arg=lang)
    options = await page.locator("#template-select option").all_inner_texts()
    names = [o.rsplit(" (", 1)[0] for o in options[1:]]
    assert len(names) == len(options) - 1 > 10
    assert await page.evaluate(IN_ORDER, names), names
    assert not kari.errors


async def test_selection_toolbar_never_covers_the_tools(
    browser: Any, board: dict[str, Any]
) -> None:
    """A note near the left edge: its toolbar moves right of the tool column (it used to
    lie over the note tool, so the next click made no note)."""
    kari = await open_board(browser, board["links"]["participant"], "Kari")
    await add_note(kari, 0.06, 0.5, "Helt til venstre")
    await kari.page.wait_for_selector("#selbar:not([hidden])")
    bar = await kari.page.locator("#selbar").bounding_box()
    tools = await kari.page.locator("#toolbar").bounding_box()
    assert bar["x"] >= tools["x"] + tools["width"], (bar, tools)
    await add_note(kari, 0.5, 0.5, "Neste lapp")  # the note tool is clickable
