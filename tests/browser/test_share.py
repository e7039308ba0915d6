"""Share from the board (issue 19): the "Share" dialog with links, QR code and chat message;
popovers that behave; a language switch that keeps the board's title.

The QR code is decoded back to the link by an independent decoder (jsQR, test-only in
tests/browser/assets/) from the pixels Chromium draws, not from the encoder's own matrix.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.browser.conftest import ASSETS
from tests.browser.helpers import Person, open_board

pytestmark = [pytest.mark.browser]

DECODE = """async () => {
  const svg = document.querySelector('#share-qr svg');
  const xml = new XMLSerializer().serializeToString(svg);
  const img = new Image();
  img.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(xml);
  await img.decode();
  const size = 600;
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = size;
  const g = canvas.getContext('2d');
  g.drawImage(img, 0, 0, size, size);
  const data = g.getImageData(0, 0, size, size);
  const found = window.jsQR(data.data, size, size);
  return found ? found.data : null;
}"""


def remembered(board: dict[str, Any]) -> str:
    """The start page's memory of a board it made ("Mine tavler"), as an init script."""
    entry = [
        {"id": board["id"], "title": board["title"], "links": board["links"], "role": "facilitator"}
    ]
    return f"localStorage.setItem('samskap.boards', {json.dumps(json.dumps(entry))});"


JSQR = (ASSETS / "jsQR.js").read_text(encoding="utf-8")


async def decoded_qr(person: Person) -> str | None:
    # Evaluated by the test driver (not a page script), so the page's CSP stays as shipped.
    await person.page.evaluate(f"{JSQR};\n0")
    return await person.page.evaluate(DECODE)  # type: ignore[no-any-return]


async def test_facilitator_shares_three_links_with_a_qr_code_that_decodes(
    browser: Any, live_server: Any
) -> None:
    board = await live_server.create_board("Bibliotekverksted")
    links = board["links"]
    kari = await open_board(browser, links["facilitator"], "Kari")
    await kari.context.add_init_script(remembered(board))
    await kari.page.reload()
    await kari.page.wait_for_function(
        "() => window.samskap && window.samskap.conn.state === 'online'"
    )

    await kari.page.click("#share-btn")
    dialog = kari.page.locator("#share-dialog")
    await dialog.wait_for(state="visible")
    for role in ("participant", "viewer", "facilitator"):
        assert await kari.page.input_value(f"#share-link-{role}") == links[role]
    # Each link says what it is for.
    assert "paste it into the meeting chat" in (await dialog.inner_text()).lower()

    # The participant link's code is drawn first, large, and decodes back to the link.
    assert await decoded_qr(kari) == links["participant"]
    box = await kari.page.locator("#share-qr svg").bounding_box()
    assert box and box["width"] >= 300, box
    # Another link's code on request.
    await kari.page.locator("#share-links .role-viewer [aria-pressed]").click()
    assert await decoded_qr(kari) == links["viewer"]

    # A ready message for the chat in the page's language, with the title and the link.
    message = await kari.page.input_value("#share-message")
    assert "Bibliotekverksted" in message and links["participant"] in message
    assert message.startswith("Join the board")

    # Escape closes it and the focus goes back to the Share button.
    await kari.page.keyboard.press("Escape")
    await dialog.wait_for(state="hidden")
    assert await kari.page.evaluate("document.activeElement.id") == "share-btn"
    assert not kari.errors


async def test_participant_sees_only_the_participant_link(browser: Any, live_server: Any) -> None:
    board = await live_server.create_board("Idémyldring")
    ola = await open_board(browser, board["links"]["participant"], "Ola", locale="nb-NO")
    await ola.page.click("#share-btn")
    await ola.page.locator("#share-dialog").wait_for(state="visible")
    assert await ola.page.locator("#share-links input").count() == 1
    assert await ola.page.input_value("#share-link-participant") == board["links"]["participant"]
    text = await ola.page.locator("#share-dialog").inner_text()
    assert board["links"]["facilitator"] not in text and "kursholder" not in text.lower()
    assert await decoded_qr(ola) == board["links"]["participant"]
    message = await ola.page.input_value("#share-message")
    assert message.startswith("Bli med på tavla «Idémyldring»")


async def test_facilitator_without_the_links_makes_a_new_participant_link(
    browser: Any, live_server: Any
) -> None:
    """Opened in a browser that did not make the board: a new link, and it works."""
    board = await live_server.create_board("Annen maskin")
    kari = await open_board(browser, board["links"]["facilitator"], "Kari")
    ola = await open_board(browser, board["links"]["participant"], "Ola")
    await kari.page.click("#share-btn")
    row = kari.page.locator("#share-links .role-participant")
    await row.get_by_role("button", name="Make a new link").click()
    field = kari.page.locator("#share-link-participant")
    await field.wait_for()
    new = await field.input_value()
    assert new != board["links"]["participant"] and f"/b/{board['id']}#t=" in new
    assert await decoded_qr(kari) == new
    # The new link lets someone in; Ola, already on the board, stays (M6).
    aisha = await open_board(browser, new, "Aisha")
    assert await aisha.page.evaluate("window.samskap.ctx.you.role") == "participant"
    assert await ola.page.evaluate("window.samskap.conn.state") == "online"


async def test_popovers_close_on_click_outside_escape_and_each_other(
    browser: Any, live_server: Any
) -> None:
    board = await live_server.create_board("Popovers")
    kari = await open_board(browser, board["links"]["facilitator"], "Kari")
    page = kari.page
    people, export = page.locator("details.people"), page.locator("#export-menu")
    is_open = "(el) => el.open"

    # A click on the board closes the people list.
    await page.click("details.people summary")
    assert await people.evaluate(is_open)
    await page.mouse.click(700, 500)
    assert not await people.evaluate(is_open)

    # Escape closes it, and the focus goes back to its button.
    await page.click("details.people summary")
    await page.keyboard.press("Escape")
    assert not await people.evaluate(is_open)
    assert await page.evaluate("document.activeElement.matches('details.people summary')")

    # Opening another closes the first: one open at a time.
    await page.click("#export-menu summary")
    await page.click("details.people summary")
    assert await people.evaluate(is_open) and not await export.evaluate(is_open)
    await page.click("#share-btn")
    assert not await people.evaluate(is_open)
    await page.keyboard.press("Escape")
    assert await page.evaluate("document.activeElement.id") == "share-btn"


async def test_switching_language_keeps_the_board_title(browser: Any, live_server: Any) -> None:
    board = await live_server.create_board("Kartlegging i Skien")
    kari = await open_board(browser, board["links"]["participant"], "Kari")
    for code in ("nb", "nn", "en"):
        await kari.page.select_option("#lang-select", code)
        await kari.page.wait_for_function("(c) => document.documentElement.lang === c", arg=code)
        assert await kari.page.inner_text("#board-title") == "Kartlegging i Skien"
