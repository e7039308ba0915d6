"""An upgrade under an open page: the page says so in words and offers a reload (issue 15)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from importlib.metadata import version
from typing import Any

import pytest

from server.domain.errors import CloseCode
from tests.browser.helpers import open_board

pytestmark = [pytest.mark.browser]


async def _restart_sockets(live_server: Any, board: dict[str, Any], page: Any) -> None:
    """What a process restart does to a page: close code 1012, then it reconnects at
    once. Returns when the page has the next welcome. (Watching for a state other than
    "online" could miss it: the page is offline for a few milliseconds only.)"""
    await page.evaluate(
        """() => { window.welcomed = new Promise((resolve) =>
            window.samskap.conn.addEventListener("welcome", resolve, { once: true })); }"""
    )
    hub = live_server.app.state.hub
    await hub.close_board_sessions(board["id"], CloseCode.SERVICE_RESTART, "service restart")
    await asyncio.wait_for(page.evaluate("() => window.welcomed.then(() => true)"), 10)


async def test_page_offers_a_reload_when_the_server_version_changes(
    browser: Any, live_server: Any, board: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    kari = await open_board(browser, board["links"]["participant"], "Kari")
    page = kari.page
    meta = await page.get_attribute('meta[name="samskap-version"]', "content")
    assert meta == version("samskap")
    banner = page.locator("#banner-version")
    online = "() => window.samskap && window.samskap.conn.state === 'online'"

    # A restart on the same version: back online, no banner.
    await _restart_sockets(live_server, board, page)
    await page.wait_for_function(online, timeout=5000)
    await page.wait_for_timeout(300)
    assert await banner.is_hidden()

    # The server comes back as a newer version (in its welcome, and its HTTP header).
    monkeypatch.setattr("server.version.HEADER", (b"x-samskap-version", b"9.9.9"))
    hub = live_server.app.state.hub
    hub.context = replace(hub.context, version="9.9.9")
    monkeypatch.setattr("server.http.pages.VERSION", "9.9.9")  # pages it now serves
    await _restart_sockets(live_server, board, page)
    await banner.wait_for(state="visible", timeout=5000)
    text = await banner.inner_text()
    assert "updated on the server" in text and "Reload" in text
    assert await banner.get_attribute("role") == "alert"
    # The reload brings the page that belongs to the server; nothing is left pending.
    await page.click("#version-reload")
    await page.wait_for_function(online, timeout=10000)
    assert await page.locator("#banner-version").is_hidden()
    assert kari.errors == []
