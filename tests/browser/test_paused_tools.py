"""Paused tools say why (issue 19): when a step pauses adding, the tools look off, stay
reachable, and a click, a tap or the shortcut tells the person why, on screen and to
screen readers."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.helpers import announced, open_board

pytestmark = [pytest.mark.browser]


async def test_paused_tools_look_off_and_say_why(browser: Any, board: dict[str, Any]) -> None:
    kari = await open_board(browser, board["links"]["facilitator"], "Kari")
    ola = await open_board(browser, board["links"]["participant"], "Ola", has_touch=True)
    await kari.page.evaluate("window.samskap.session.facilitate('permissions', { add: false })")
    note = ola.page.locator("button[data-tool=note]")
    await ola.page.wait_for_selector("[data-tool=note][aria-disabled=true]", timeout=3000)
    # Still in the Tab order and described by the reason for screen readers.
    assert await note.evaluate("(b) => !b.disabled && b.tabIndex === 0")
    described = await note.get_attribute("aria-describedby")
    why = "The facilitator has paused adding notes and shapes in this step."
    assert await ola.page.locator(f"#{described}").text_content() == why
    # It looks off: not the colour of an active tool.
    colour = await note.evaluate("(b) => getComputedStyle(b).color")
    active = await ola.page.locator("button[data-tool=hand]").evaluate(
        "(b) => getComputedStyle(b).color"
    )
    assert colour != active
    # A click says why, and the tool stays "select".
    await note.click(force=True)  # Playwright waits for "enabled"; a person just clicks
    toast = ola.page.locator("#toast")
    await toast.wait_for(state="visible")
    assert await toast.text_content() == why
    await announced(ola, why)
    assert (
        await ola.page.evaluate("document.querySelector('#board-canvas').dataset.tool") == "select"
    )
    # A tap says it too (tablet).
    await ola.page.evaluate("document.querySelector('#toast').hidden = true")
    await ola.page.locator("button[data-tool=rectangle]").tap(force=True)
    await toast.wait_for(state="visible")
    # Adding allowed again: the tools are back.
    await kari.page.evaluate("window.samskap.session.facilitate('permissions', { add: true })")
    await ola.page.wait_for_selector("[data-tool=note][aria-disabled=false]", timeout=3000)
    assert await ola.page.locator("#tools-paused").is_hidden()
