"""Skip link and Tab order (issue 19): the board page starts with "Skip to tools" and
the tool column comes before the top bar, so the note tool is reached in three Tab
presses (it took 24); arrow keys move through the column. The column looks as before."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.helpers import open_board

pytestmark = [pytest.mark.browser]

FOCUSED = """() => { const el = document.activeElement;
  return el.matches('button[data-tool]') ? el.dataset.tool : el.id || el.className; }"""


@pytest.mark.parametrize(
    ("locale", "words"),
    [("nb-NO", "Hopp til verktøy"), ("nn-NO", "Hopp til verktøy"), ("en-GB", "Skip to tools")],
)
async def test_the_note_tool_in_three_tab_presses(
    browser: Any, board: dict[str, Any], locale: str, words: str
) -> None:
    kari = await open_board(browser, board["links"]["participant"], "Kari", locale=locale)
    page = kari.page
    await page.wait_for_selector("#toolbar:not([hidden])")
    seen = []
    for _ in range(3):
        await page.keyboard.press("Tab")
        seen.append(await page.evaluate(FOCUSED))
    assert seen == ["skip-tools", "select", "note"], seen
    assert await page.locator("#skip-tools").inner_text() == words
    assert await page.locator("#skip-tools").is_visible()  # shown when focused
    # Enter on the note tool places a note mid-view, as from the keyboard before.
    await page.keyboard.press("Enter")
    await page.wait_for_selector(".text-editor")
    await page.keyboard.press("Escape")
    assert not kari.errors


async def test_skip_link_and_arrow_keys(browser: Any, board: dict[str, Any]) -> None:
    kari = await open_board(browser, board["links"]["participant"], "Kari")
    page = kari.page
    await page.wait_for_selector("#toolbar:not([hidden])")
    await page.keyboard.press("Tab")
    await page.keyboard.press("Enter")  # the skip link: to the tool in hand
    assert await page.evaluate(FOCUSED) == "select"
    for expected in ["hand", "note", "text"]:
        await page.keyboard.press("ArrowDown")
        assert await page.evaluate(FOCUSED) == expected
    await page.keyboard.press("ArrowUp")
    assert await page.evaluate(FOCUSED) == "note"
    await page.keyboard.press("End")
    assert await page.evaluate(FOCUSED) == "frame"
    await page.keyboard.press("ArrowDown")  # round to the top
    assert await page.evaluate(FOCUSED) == "select"
    # Tab leaves the column for the top bar (the home link), Shift+Tab comes back.
    tabs = 0
    while await page.evaluate("!!document.activeElement.closest('#toolbar')") and tabs < 10:
        await page.keyboard.press("Tab")
        tabs += 1
    assert await page.evaluate("!!document.activeElement.closest('.topbar')")
    # The column sits where it did: left of the board, in its middle, under the top bar.
    tools = await page.locator("#toolbar").bounding_box()
    stage = await page.locator("#stage").bounding_box()
    assert tools["x"] == stage["x"] + 12
    assert abs(tools["y"] + tools["height"] / 2 - (stage["y"] + stage["height"] / 2)) <= 1
    assert not kari.errors


async def test_a_viewer_skips_to_the_board(browser: Any, board: dict[str, Any]) -> None:
    """A viewer has no tools: the skip link goes to the board."""
    vera = await open_board(browser, board["links"]["viewer"], "Vera")
    page = vera.page
    await page.keyboard.press("Tab")
    assert await page.evaluate(FOCUSED) == "skip-tools"
    await page.keyboard.press("Enter")
    assert await page.evaluate(FOCUSED) == "board-canvas"
    assert not vera.errors
