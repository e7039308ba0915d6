"""S18 in the page: a second tab on the same seat takes it; the first says so in words
and can take it back ("use the board here"); the seat keeps its notes throughout."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.helpers import open_board

pytestmark = [pytest.mark.browser]

ONLINE = "() => window.samskap && window.samskap.conn.state === 'online'"


async def test_s18_a_second_tab_takes_the_seat_and_the_first_can_take_it_back(
    browser: Any, board: dict[str, Any]
) -> None:
    link = board["links"]["participant"]
    first = await open_board(browser, link, "Kari")
    await first.page.evaluate(
        "window.samskap.actions.create({kind: 'note', x: 0, y: 0, text: 'Min lapp'})"
    )
    await first.settled()
    me = await first.page.evaluate("window.samskap.conn.clientId")
    # A duplicated tab copies sessionStorage: the same seat, its secret included.
    seat = await first.page.evaluate(f"sessionStorage.getItem('samskap.seat.{board['id']}')")
    second = await first.context.new_page()
    await second.add_init_script(f"sessionStorage.setItem('samskap.seat.{board['id']}', {seat!r})")
    await second.goto(link)
    await second.wait_for_function(ONLINE, timeout=10000)
    assert await second.evaluate("window.samskap.conn.clientId") == me

    # The first tab is told, in words, and does not fight for the seat by itself.
    await first.page.wait_for_selector("#reclaim", state="visible", timeout=5000)
    text = await first.page.inner_text("#fatal")
    assert "opened in another tab or window" in text
    await first.page.wait_for_timeout(1500)
    assert await second.evaluate("window.samskap.conn.state") == "online"

    # "Use the board here": the first takes the seat back; the second is told.
    await first.page.click("#reclaim")
    await first.page.wait_for_function(ONLINE, timeout=10000)
    assert await first.page.evaluate("window.samskap.conn.clientId") == me
    await second.wait_for_selector("#reclaim", state="visible", timeout=5000)
    await first.wait("objs.some(o => o.text === 'Min lapp')")
    assert not first.errors
