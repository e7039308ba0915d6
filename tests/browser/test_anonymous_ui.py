"""Anonymous mode in Chromium (rule M7): the facilitator turns it on with the keyboard;
a participant's page shows the others as "Deltaker N" in the people list, on cursors
and in "… skriver"; the page never holds their names. The facilitator's page keeps names
with the number beside them, and "undo" offers how far back (the last 10 minutes).
Screenshots go to docs/screenshots/ when SAMSKAP_SCREENSHOTS=1.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import pytest

from tests.support.client import Client
from tests.support.servers import LiveServer, token_of

from .helpers import announced, open_board

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
AISHA = "Aisha Qzx"


async def test_m7_participants_see_deltaker_n_in_list_cursor_and_editing(
    browser: Any, live_server: LiveServer, board: dict[str, Any]
) -> None:
    kari = await open_board(browser, board["links"]["facilitator"], "Kari Qzv")
    participant = token_of(board["links"]["participant"])
    aisha = await Client.connect(live_server.url, board["id"], participant, name=AISHA)
    note = {"id": "n1", "kind": "note", "x": 0, "y": 0, "text": "Idé"}
    await aisha.ops([{"op": "create", "object": note}])

    # The switch, with the keyboard alone: Tab to it and press Space.
    await kari.page.click("#facilitate-btn")
    box = kari.page.locator("#fac-anonymous")
    await box.focus()
    await kari.page.keyboard.press("Space")
    await announced(kari, "Anonymous mode is on.")
    assert await box.is_checked()

    ola = await open_board(browser, board["links"]["participant"], "Ola Qzw", locale="nb-NO")
    await ola.wait("objs.length === 1", timeout=5000)
    seat = aisha.welcome["you"]["seat"]
    for _ in range(10):  # a cursor in view, editing the note
        await aisha.send(
            {"type": "presence", "cursor": {"x": 60, "y": 60}, "editing": "n1", "selection": []}
        )
        await asyncio.sleep(0.1)

    await ola.page.click("details.people summary")
    people = await ola.page.inner_text("#people-list")
    assert f"Deltaker {seat}" in people and "Aisha" not in people and "Kari" not in people
    await ola.page.wait_for_function(
        "(label) => [...document.querySelectorAll('.cursor-name')].some(e => e.textContent === label)",
        arg=f"Deltaker {seat}",
    )
    await ola.page.wait_for_function(
        "(label) => [...document.querySelectorAll('.editing-label')].some(e => !e.hidden && e.textContent === label)",
        arg=f"Deltaker {seat} skriver …",
    )
    held = await ola.page.evaluate(
        "JSON.stringify([...window.samskap.presence.peers.values()].map(p => p.name))"
    )
    assert "Aisha" not in held and "Kari" not in held
    if os.environ.get("SAMSKAP_SCREENSHOTS") == "1":
        await ola.page.screenshot(path=str(SHOTS / "moderation-anonymous.png"))

    # The facilitator keeps the name, with the number the others see.
    await kari.page.click("details.people summary")
    assert f"{AISHA} · Participant {seat}" in await kari.page.inner_text("#people-list")

    # "Undo what Aisha did" in the last 10 minutes, chosen with the keyboard.
    sent: list[str] = []
    kari.page.on("websocket", lambda ws: ws.on("framesent", lambda frame: sent.append(str(frame))))
    await kari.reconnect()  # frames on the new socket are watched
    await kari.page.wait_for_function("() => window.samskap.presence.peers.size > 0")
    undo = kari.page.get_by_role("button", name=f"Undo what {AISHA} did")
    await undo.focus()
    await kari.page.keyboard.press("Enter")
    await kari.page.wait_for_selector("#mod-dialog[open]")
    assert not await kari.page.is_hidden("#mod-since-row")
    await kari.page.focus("#mod-since")
    await kari.page.select_option("#mod-since", "10m")
    if os.environ.get("SAMSKAP_SCREENSHOTS") == "1":
        await kari.page.screenshot(path=str(SHOTS / "moderation-undo-since.png"))
    await kari.page.focus("#mod-confirm")
    await kari.page.keyboard.press("Enter")
    try:
        await kari.wait("objs.length === 0", timeout=5000)
    except AssertionError as exc:
        raise AssertionError(f"{exc}; frames sent since the reconnect: {sent}") from exc
    await announced(kari, f"Undone for {AISHA}: 0 brought back, 1 deleted, 0 set back.")
    reverts = [f for f in sent if '"revert"' in f]
    assert len(reverts) == 1 and '"since":"20' in reverts[0], reverts  # an ISO time
    assert kari.errors == [] and ola.errors == []
