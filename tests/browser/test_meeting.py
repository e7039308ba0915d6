"""The board inside the course meeting: in an iframe of an allowed origin (a Teams tab)
two people edit at 600 x 500 without console errors; from any other origin the browser
refuses to frame it (CSP frame-ancestors); with storage blocked the board still works
and asks the name again; the start page gives a message for the meeting chat."""

from __future__ import annotations

import html
import threading
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from server.config import Settings
from tests.browser.helpers import Person
from tests.browser.test_compact import OFF_SCREEN
from tests.support.servers import LiveServer, serve_in_process

pytestmark = [pytest.mark.browser]

READY = (
    "() => window.samskap && window.samskap.conn.state === 'online' && window.samskap.store.loaded"
)
BLOCK_STORAGE = """
for (const name of ['localStorage', 'sessionStorage']) {
  Object.defineProperty(window, name, { configurable: true,
    get() { throw new DOMException('The operation is insecure.', 'SecurityError'); } });
}
"""


class _Embedder(BaseHTTPRequestHandler):
    """A meeting page on its own origin: `/?src=<board link>` shows the board in a
    600 x 500 iframe, as a Teams tab would."""

    def do_GET(self) -> None:
        src = parse_qs(urlsplit(self.path).query).get("src", [""])[0]
        body = (
            "<!doctype html><html lang='nn'><meta charset='utf-8'><title>Kursmøte</title>"
            "<body style='margin:0'>"
            f"<iframe id='tab' src='{html.escape(src, quote=True)}' width='600' height='500'"
            " style='border:0' title='Samskap'></iframe></body></html>"
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def _embedder() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Embedder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def allowed() -> Iterator[str]:
    yield from _embedder()


@pytest.fixture
def other() -> Iterator[str]:
    yield from _embedder()


@pytest.fixture
async def framed_server(tmp_path: Path, allowed: str) -> AsyncIterator[LiveServer]:
    settings = Settings(data_dir=tmp_path, port=0, frame_ancestors=(allowed,))
    async with serve_in_process(settings) as server:
        yield server


async def _framed(browser: Any, parent: str, link: str, name: str) -> tuple[Person, Any]:
    context = await browser.new_context(viewport={"width": 600, "height": 500}, locale="nn-NO")
    await context.add_init_script(
        f"try {{ localStorage.setItem('samskap.name', {name!r}); }} catch (e) {{}}"
    )
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    await page.goto(f"{parent}/?" + httpx.QueryParams({"src": link}).__str__())
    return Person(context, page, errors), page


async def _board_frame(page: Any) -> Any:
    await page.wait_for_function("() => document.querySelector('#tab')")
    for _ in range(100):
        frames = [f for f in page.frames if "/b/" in f.url]
        if frames:
            return frames[0]
        await page.wait_for_timeout(50)
    raise AssertionError("no board frame")


async def test_two_people_edit_in_an_allowed_iframe_at_600x500(
    browser: Any, framed_server: LiveServer, allowed: str
) -> None:
    board = await framed_server.create_board("Kursmøte", template="brainstorming", locale="nn")
    link = board["links"]["participant"]
    kari, kari_page = await _framed(browser, allowed, link, "Kari")
    ola, ola_page = await _framed(browser, allowed, link, "Ola")
    kari_frame = await _board_frame(kari_page)
    ola_frame = await _board_frame(ola_page)
    await kari_frame.wait_for_function(READY, timeout=10000)
    await ola_frame.wait_for_function(READY, timeout=10000)
    assert await kari_frame.evaluate("() => [innerWidth, innerHeight]") == [600, 500]
    assert await kari_frame.evaluate(OFF_SCREEN) == []
    assert await kari_frame.evaluate("() => document.documentElement.scrollWidth <= innerWidth")
    assert await kari_frame.evaluate("() => document.documentElement.lang") == "nn"
    # Kari adds a note from the keyboard; Ola sees it, and his edit reaches her.
    await kari_frame.focus("[data-tool=note]")
    await kari_frame.press("[data-tool=note]", "Enter")
    await kari_page.keyboard.type("Idé frå Seljord")
    await kari_page.keyboard.press("Escape")
    await ola_frame.wait_for_function(
        "() => [...window.samskap.store.view.values()].some((o) => o.text === 'Idé frå Seljord')",
        timeout=5000,
    )
    await ola_frame.evaluate(
        "() => window.samskap.actions.create({kind: 'note', x: 0, y: 0, text: 'Svar frå Ola'})"
    )
    await kari_frame.wait_for_function(
        "() => [...window.samskap.store.view.values()].some((o) => o.text === 'Svar frå Ola')",
        timeout=5000,
    )
    assert kari_page.url.startswith(f"{allowed}/?src=")  # no redirect out of the tab
    assert not kari.errors and not ola.errors, kari.errors + ola.errors


async def _refused(browser: Any, parent: str, link: str) -> list[str]:
    person, page = await _framed(browser, parent, link, "Kari")
    await page.wait_for_timeout(1500)
    loaded = [f for f in page.frames if f != page.main_frame]
    ready = False
    for frame in loaded:
        try:
            ready = bool(await frame.evaluate("() => !!window.samskap"))
        except Exception:
            ready = False
    assert not ready, "the board must not run in this frame"
    return person.errors


async def test_another_origin_is_refused_by_the_browser(
    browser: Any, framed_server: LiveServer, other: str
) -> None:
    board = await framed_server.create_board("Kursmøte", locale="nn")
    errors = await _refused(browser, other, board["links"]["participant"])
    assert any("frame-ancestors" in e for e in errors), errors


async def test_by_default_no_origin_may_frame_it(
    browser: Any, live_server: Any, allowed: str
) -> None:
    board = await live_server.create_board("Kursmøte", locale="nn")
    errors = await _refused(browser, allowed, board["links"]["participant"])
    assert any("frame-ancestors" in e or "X-Frame-Options" in e for e in errors), errors


async def test_headers_follow_the_setting(
    framed_server: LiveServer, live_server: Any, allowed: str
) -> None:
    async with httpx.AsyncClient() as http:
        framed = (await http.get(framed_server.url + "/")).headers
        plain = (await http.get(live_server.url + "/")).headers
    assert f"frame-ancestors 'self' {allowed}" in framed["content-security-policy"]
    assert "x-frame-options" not in framed
    assert "frame-ancestors 'none'" in plain["content-security-policy"]
    assert plain["x-frame-options"] == "DENY"


def test_bad_frame_ancestors_are_refused_with_a_clear_error() -> None:
    from server.config import from_env

    got = from_env(
        {"SAMSKAP_FRAME_ANCESTORS": "https://teams.microsoft.com, https://*.cloud.microsoft"}
    )
    assert got.frame_ancestors == ("https://teams.microsoft.com", "https://*.cloud.microsoft")
    for bad in (
        "teams.microsoft.com",
        "https://x.no/path",
        "*",
        "'unsafe-inline'",
        "https://x.no;",
    ):
        with pytest.raises(ValueError, match="SAMSKAP_FRAME_ANCESTORS"):
            from_env({"SAMSKAP_FRAME_ANCESTORS": bad})


async def test_with_storage_blocked_the_board_works_and_asks_the_name_again(
    browser: Any, live_server: Any
) -> None:
    board = await live_server.create_board("Kursmøte", locale="nn")
    context = await browser.new_context(locale="nn-NO")
    await context.add_init_script(BLOCK_STORAGE)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    await page.goto(board["links"]["participant"])
    for attempt in range(2):  # the name is not remembered: asked again after a reload
        if attempt:
            await page.reload()
        await page.wait_for_selector("#name-dialog[open]")
        await page.fill("#name-input", "Ánte")
        await page.keyboard.press("Enter")
        await page.wait_for_function(READY, timeout=10000)
        assert await page.evaluate("window.samskapStorageReplaced") == [
            "localStorage",
            "sessionStorage",
        ]
        await page.evaluate(
            "window.samskap.actions.create({kind: 'note', x: 0, y: 0, text: 'Lagra'})"
        )
        await page.wait_for_function(
            "() => window.samskap.store.pending.length === 0 && window.samskap.conn.state === 'online'"
        )
        await page.select_option("#lang-select", "en")  # the menu works without storage
        await page.wait_for_function("() => document.documentElement.lang === 'en'")
    assert not errors, errors
    # The start page too: it works and simply has no "my boards" to remember.
    await page.goto(live_server.url + "/")
    await page.fill("#title-input", "Utan lagring")
    await page.click("button[type=submit]")
    await page.wait_for_selector("#created:not([hidden])")
    assert not errors, errors


@pytest.mark.parametrize(
    ("locale", "start", "rest"),
    [
        ("nn-NO", "Bli med på tavla «Samling 2» i Samskap: ", "Opne lenkja i nettlesaren"),
        ("nb-NO", "Bli med på tavla «Samling 2» i Samskap: ", "Åpne lenken i nettleseren"),
        ("en-GB", "Join the board \u201cSamling 2\u201d in Samskap: ", "Open the link in your"),
    ],
)
async def test_start_page_gives_a_message_for_the_meeting_chat(
    browser: Any, live_server: Any, locale: str, start: str, rest: str
) -> None:
    context = await browser.new_context(locale=locale)
    page = await context.new_page()
    await page.goto(live_server.url + "/")
    await page.fill("#title-input", "Samling 2")
    await page.click("button[type=submit]")
    await page.wait_for_selector("#created:not([hidden])")
    link = await page.input_value("#created .role-participant input")
    message = await page.input_value("#created .share-field")
    assert message.startswith(start + link + "\n") and rest in message
    label = await page.locator("#created .share-row label").inner_text()
    assert "Teams" in label and "Zoom" in label
