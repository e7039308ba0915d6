"""Copy an image on one board and paste it on another: the image is copied over."""

from __future__ import annotations

import io
from typing import Any

import httpx
import pytest
from PIL import Image

from tests.browser.helpers import open_board
from tests.support.servers import token_of

pytestmark = [pytest.mark.browser]

PASTE = """(text) => {
  const data = new DataTransfer();
  data.setData('text/plain', text);
  document.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true }));
}"""


async def test_image_pasted_into_another_board_is_copied(browser: Any, live_server: Any) -> None:
    first = await live_server.create_board("Første")
    second = await live_server.create_board("Andre")
    kari = await open_board(browser, first["links"]["participant"], "Kari")
    png = io.BytesIO()
    Image.new("RGB", (40, 30), "#c62828").save(png, format="PNG")
    await kari.page.set_input_files(
        "#image-input",
        files=[{"name": "bilde.png", "mimeType": "image/png", "buffer": png.getvalue()}],
    )
    await kari.wait("objs.some(o => o.kind === 'image')", timeout=5000)
    await kari.settled()
    image = next(o for o in await kari.objects() if o["kind"] == "image")
    clip = await kari.page.evaluate(
        "(id) => { window.samskap.selection.set([id]); return window.samskap.actions.copy(); }",
        image["id"],
    )
    assert "#t=" not in clip, "no link token on the clipboard"

    # The same person (same browser storage, so "my boards" knows the first board).
    page = await kari.context.new_page()
    await page.goto(second["links"]["participant"])
    await page.wait_for_function(
        "() => window.samskap && window.samskap.conn.state === 'online' && window.samskap.store.loaded"
    )
    await page.focus("#board-canvas")
    await page.evaluate(PASTE, clip)
    await page.wait_for_function(
        "(asset) => [...window.samskap.store.view.values()].some(o => o.kind === 'image' && o.asset === asset)",
        arg=image["asset"],
        timeout=5000,
    )
    headers = {"Authorization": f"Bearer {token_of(second['links']['viewer'])}"}
    async with httpx.AsyncClient(base_url=live_server.url, headers=headers) as http:
        got = await http.get(f"/api/boards/{second['id']}/assets/{image['asset']}")
    assert got.status_code == 200
    assert got.headers["content-type"].startswith("image/")
    assert kari.errors == []
