"""Opening a board: the socket opens before board.js's ~70 modules have loaded (boot.js),
what it says is held until the page is built, and every module the page loads was
preloaded. Also the way without a stored name: the dialog first, then the socket.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.browser.helpers import open_board

pytestmark = [pytest.mark.browser]

WEB = Path(__file__).resolve().parents[2] / "web"

MARKS = """() => Object.fromEntries(performance.getEntriesByType('mark')
    .filter((e) => e.name.startsWith('samskap:')).map((e) => [e.name.slice(8), e.startTime]))"""

LOADED_AND_PRELOADED = """() => {
    const js = performance.getEntriesByType('resource')
        .filter((e) => e.initiatorType !== 'fetch' && /\\/static\\/.+\\.m?js$/.test(e.name))
        .map((e) => new URL(e.name).pathname);
    const preloaded = [...document.querySelectorAll('link[rel=modulepreload]')]
        .map((l) => new URL(l.href).pathname);
    return { js, preloaded };
}"""


async def test_the_socket_opens_before_the_page_modules_and_nothing_is_missed(
    browser: Any, board: dict[str, Any]
) -> None:
    link = board["links"]["participant"]
    ola = await open_board(browser, link, "Ola")
    note = await ola.page.evaluate(
        "() => window.samskap.actions.create({kind: 'note', x: 0, y: 0, text: 'Hei'}).id"
    )
    await ola.settled()

    kari = await open_board(browser, link, "Kari")
    marks = await kari.page.evaluate(MARKS)
    # boot.js joined before board.js had its modules; the welcome was handled after
    # the page was built (held), and the board is there.
    assert marks["socket-open"] < marks["modules"] < marks["built"] < marks["welcome-handled"]
    await kari.wait(f"objs.some((o) => o.id === {note!r} && o.text === 'Hei')")
    # Live after the release: Ola's next edit reaches Kari, and Kari's reaches Ola.
    await ola.page.evaluate("(id) => window.samskap.actions.update(id, {text: 'Hallo'})", note)
    await kari.wait(f"objs.some((o) => o.id === {note!r} && o.text === 'Hallo')", timeout=5000)
    await kari.page.evaluate("(id) => window.samskap.actions.update(id, {x: 40})", note)
    await ola.wait(f"objs.some((o) => o.id === {note!r} && o.x === 40)", timeout=5000)
    names = await kari.page.evaluate(
        "[...window.samskap.presence.peers.values()].map((p) => p.name)"
    )
    assert "Ola" in names

    found = await kari.page.evaluate(LOADED_AND_PRELOADED)
    scripts = {"/static/js/boot.js", "/static/js/board.js"}
    missing = [p for p in found["js"] if p not in found["preloaded"] and p not in scripts]
    assert missing == [], f"modules loaded without a preload: {missing}"
    assert len(found["preloaded"]) > 50
    assert kari.errors == [] and ola.errors == []


async def test_the_language_files_are_asked_for_before_the_page_modules_ran(
    browser: Any, board: dict[str, Any]
) -> None:
    """boot.js starts the language files (i18n.js `prefetchI18n`): board.js finds them
    in, instead of fetching them only after its ~80 modules ran."""
    kari = await open_board(browser, board["links"]["participant"], "Kari")
    marks = await kari.page.evaluate(MARKS)
    asked = await kari.page.evaluate(
        """() => performance.getEntriesByType('resource')
            .filter((e) => /\\/static\\/i18n\\/[a-z]+\\.json$/.test(e.name))
            .map((e) => [new URL(e.name).pathname, e.startTime])"""
    )
    # The page's language and its fallbacks, each once, all asked for by boot.js.
    paths = [path for path, _ in asked]
    assert len(paths) == len(set(paths)) >= 1, asked
    assert all(start < marks["modules"] for _, start in asked), (asked, marks)
    assert marks["modules"] <= marks["i18n"]
    assert await kari.page.evaluate("document.documentElement.lang") in ("nb", "nn", "en")
    assert kari.errors == []


async def test_without_a_stored_name_the_dialog_comes_first_then_the_socket(
    browser: Any, board: dict[str, Any]
) -> None:
    context = await browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    await page.goto(board["links"]["participant"])
    await page.wait_for_selector("#name-dialog[open]")
    assert "socket-open" not in await page.evaluate(MARKS)
    await page.fill("#name-input", "Nils")
    await page.keyboard.press("Enter")
    await page.wait_for_function(
        "() => window.samskap && window.samskap.conn.state === 'online' && window.samskap.store.loaded",
        timeout=10000,
    )
    assert await page.evaluate("window.samskap.conn.you.name") == "Nils"
    assert errors == []
    await context.close()


async def test_a_language_file_that_failed_early_is_fetched_again(
    browser: Any, board: dict[str, Any]
) -> None:
    """The early fetch fails (a moment offline at boot): board.js asks once more and
    the page is in its language, with no error."""
    table = json.loads((WEB / "i18n" / "nn.json").read_text(encoding="utf-8"))
    context = await browser.new_context(viewport={"width": 1280, "height": 800}, locale="nn-NO")
    await context.add_init_script("localStorage.setItem('samskap.name', 'Kari')")
    asked: list[str] = []

    async def first_fails(route: Any) -> None:
        asked.append(route.request.url)
        if len(asked) == 1:
            await route.abort()
        else:
            await route.continue_()

    await context.route("**/static/i18n/nn.json", first_fails)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    await page.goto(board["links"]["participant"])
    await page.wait_for_function(
        "() => window.samskap && window.samskap.conn.state === 'online'", timeout=10000
    )
    assert len(asked) == 2
    assert await page.get_attribute("html", "lang") == "nn"
    shown = await page.locator("#outline-btn span").text_content()
    assert shown == table["outline.toggle"]
    assert errors == []
    await context.close()
