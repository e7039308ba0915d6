"""Accessibility scan with axe-core (shipped in tests/browser/assets) of the pages."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import ASSETS
from tests.browser.helpers import open_board

pytestmark = [pytest.mark.browser]

AXE = (ASSETS / "axe.min.js").read_text(encoding="utf-8")
RUN = """async () => {
  const result = await axe.run(document, {
    runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] },
  });
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ") + ": " + n.failureSummary),
  }));
}"""


async def scan(page: Any) -> list[dict[str, Any]]:
    await page.evaluate(AXE)
    violations = await page.evaluate(RUN)
    return [v for v in violations if v["impact"] in ("serious", "critical")]


async def test_start_page_has_no_serious_violations(browser: Any, live_server: Any) -> None:
    context = await browser.new_context(bypass_csp=True, locale="nb-NO")
    page = await context.new_page()
    await page.goto(live_server.url + "/")
    await page.fill("#title-input", "Tilgjengelighet")
    await page.click("button[type=submit]")
    await page.wait_for_selector("#created:not([hidden])")
    assert await page.get_attribute("html", "lang") == "nb"
    assert await scan(page) == []


@pytest.mark.parametrize("role", ["participant", "viewer"])
async def test_board_page_has_no_serious_violations(
    browser: Any, board: dict[str, Any], role: str
) -> None:
    person = await open_board(browser, board["links"][role], "Kari", bypass_csp=True)
    page = person.page
    if role == "participant":
        await page.click("[data-tool=note]")
        box = await page.locator("#board-canvas").bounding_box()
        await page.mouse.click(box["x"] + 400, box["y"] + 300)
        await page.keyboard.type("Tekst")
        await page.keyboard.press("Escape")
    await page.click("#outline-btn")
    await page.wait_for_selector("#outline:not([hidden])")
    assert await scan(page) == []


async def test_name_is_asked_once_and_remembered(browser: Any, board: dict[str, Any]) -> None:
    context = await browser.new_context(locale="en-GB")
    page = await context.new_page()
    await page.goto(board["links"]["participant"])
    await page.wait_for_selector("#name-dialog[open]")
    await page.fill("#name-input", "Kari Nordmann")
    await page.keyboard.press("Enter")
    await page.wait_for_function("() => window.samskap && window.samskap.conn.state === 'online'")
    assert await page.evaluate("window.samskap.conn.you.name") == "Kari Nordmann"
    await page.reload()
    await page.wait_for_function("() => window.samskap && window.samskap.conn.state === 'online'")
    assert not await page.is_visible("#name-dialog")
    # The board is now in "my boards" on the start page.
    await page.goto(board["links"]["participant"].split("/b/")[0] + "/")
    await page.wait_for_selector(".board-card")
    assert await page.locator(".board-card-title").first.text_content() == "Browser test board"


async def test_facilitation_views_have_no_serious_violations(
    browser: Any, live_server: Any
) -> None:
    """The facilitator's panel, the template picker, the export menu, and a participant
    during private writing, voting and results."""
    made = await live_server.create_board("Fasilitering", template="brainstorming", locale="nb")
    kari = await open_board(browser, made["links"]["facilitator"], "Kari", bypass_csp=True)
    ola = await open_board(browser, made["links"]["participant"], "Ola", bypass_csp=True)
    page = kari.page
    await page.click("#facilitate-btn")
    await page.click("#fac-next")
    await page.click("#fac-next")  # step 2: private writing with a timer
    await ola.page.wait_for_selector("#banner-private:not([hidden])")
    await ola.page.wait_for_selector("#step-card:not([hidden])")
    await ola.page.evaluate(
        "window.samskap.actions.create({kind: 'note', x: 0, y: 0, text: 'Idé'})"
    )
    await ola.settled()
    assert await scan(ola.page) == []
    await page.click("#export-menu summary")
    assert await scan(page) == []
    await page.click("#export-menu summary")
    await page.click("#fac-insert")
    await page.wait_for_selector(".template-card")
    assert await scan(page) == []
    await page.click("#template-cancel")
    await page.check("#fac-perm-vote")
    await page.click("#fac-vote-open")
    await ola.page.wait_for_selector("#banner-vote:not([hidden])")
    assert await scan(ola.page) == []
    await page.click("#fac-vote-close")
    await ola.page.wait_for_selector("#results:not([hidden])")
    assert await scan(ola.page) == []
    assert await scan(page) == []


async def test_moderation_views_have_no_serious_violations(browser: Any, live_server: Any) -> None:
    """The people list with "Undo"/"Remove", activity, history with previews, the dialog
    (rules M1, M5, V1, A1), in bokmål."""
    from tests.support.client import Client
    from tests.support.servers import token_of

    made = await live_server.create_board("Moderering", locale="nb")
    kari = await open_board(browser, made["links"]["facilitator"], "Kari", bypass_csp=True)
    troll = await Client.connect(
        live_server.url, made["id"], token_of(made["links"]["participant"]), name="Troll"
    )
    await troll.ops([{"op": "create", "object": {"id": "a", "kind": "note", "x": 0, "y": 0}}])
    page = kari.page
    await page.click("#facilitate-btn")
    await page.click("#hist-save")
    await page.wait_for_selector(".hist-item")
    await page.click("#act-refresh")
    await page.wait_for_selector(".act-person")
    await page.click("details.people summary")
    await page.wait_for_selector(".person .mod-buttons")
    assert await scan(page) == []
    await page.locator(".person .mod-buttons button").nth(1).click()
    await page.wait_for_selector("#mod-dialog[open]")
    assert await scan(page) == []
    await page.click("#mod-cancel")
