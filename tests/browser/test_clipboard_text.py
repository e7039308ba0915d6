"""Copy puts the notes' words on the clipboard as plain text and HTML beside the board's
own format (issue 19): a paste into the meeting chat shows text, not JSON, and a paste
on another board still brings the objects."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.browser.helpers import open_board

pytestmark = [pytest.mark.browser]

# A real copy event, as the browser fires it for Ctrl+C, with what the page put on it.
COPY = """(ids) => {
  window.samskap.selection.set(ids);
  const data = new DataTransfer();
  document.querySelector('#board-canvas').focus();
  document.dispatchEvent(new ClipboardEvent('copy', { clipboardData: data, bubbles: true }));
  return Object.fromEntries(data.types.map((t) => [t, data.getData(t)]));
}"""

PASTE = """(items) => {
  const data = new DataTransfer();
  for (const [type, value] of Object.entries(items)) data.setData(type, value);
  document.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true }));
}"""


async def test_copy_gives_words_to_the_chat_and_objects_to_a_board(
    browser: Any, live_server: Any
) -> None:
    board = await live_server.create_board("Kopi")
    other = await live_server.create_board("Lim inn")
    kari = await open_board(browser, board["links"]["participant"], "Kari")
    for x, text in ((0, "Frivillige <b>&</b> bibliotek"), (300, "Kommunen")):
        await kari.page.evaluate(
            "([x, text]) => window.samskap.actions.create("
            "{kind: 'note', x, y: 0, text, color: '#fff59d'})",
            [x, text],
        )
    await kari.wait("objs.filter(o => o.kind === 'note').length === 2", timeout=5000)
    await kari.settled()
    ids = [o["id"] for o in await kari.objects() if o["kind"] == "note"]

    clip = await kari.page.evaluate(COPY, ids)
    assert clip["text/plain"] == "Frivillige <b>&</b> bibliotek\n\nKommunen", clip
    assert "{" not in clip["text/plain"], "no JSON for the chat"
    assert clip["text/html"] == (
        "<ul><li>Frivillige &lt;b&gt;&amp;&lt;/b&gt; bibliotek</li><li>Kommunen</li></ul>"
    )
    own = json.loads(clip["application/x-samskap+json"])
    assert sorted(o["text"] for o in own["objects"]) == [
        "Frivillige <b>&</b> bibliotek",
        "Kommunen",
    ]

    ola = await open_board(browser, other["links"]["participant"], "Ola")
    await ola.page.focus("#board-canvas")
    await ola.page.evaluate(PASTE, clip)
    await ola.wait("objs.filter(o => o.kind === 'note').length === 2", timeout=5000)
    texts = sorted(o["text"] for o in await ola.objects() if o["kind"] == "note")
    assert texts == ["Frivillige <b>&</b> bibliotek", "Kommunen"], "objects, not one note of words"
    assert kari.errors == [] and ola.errors == []
