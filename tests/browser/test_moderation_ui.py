"""Step 8 in Chromium: the facilitator undoes a vandal (a protocol client), removes him
with a new participant link, and restores a version, from the page (rules M1, M5, M6,
V3, A1). Screenshots of the panels go to docs/screenshots/ when SAMSKAP_SCREENSHOTS=1.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.support.client import Client
from tests.support.servers import LiveServer, token_of

from .helpers import Person, announced, open_board

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def note(object_id: str, x: int, text: str) -> dict[str, Any]:
    obj = {"id": object_id, "kind": "note", "x": x, "y": (x // 1100) * 220, "text": text}
    return {"op": "create", "object": obj}


async def shot(person: Person, name: str) -> None:
    if os.environ.get("SAMSKAP_SCREENSHOTS") == "1":
        await person.page.screenshot(path=str(SHOTS / name))


async def confirm(person: Person, *, keyboard: bool) -> None:
    await person.page.wait_for_selector("#mod-dialog[open]")
    if keyboard:  # focus starts on Cancel: Tab to the confirm button, Enter
        await person.page.keyboard.press("Tab")
        if await person.page.evaluate("document.activeElement.id") == "mod-rotate":
            await person.page.keyboard.press("Tab")
        assert await person.page.evaluate("document.activeElement.id") == "mod-confirm"
        await person.page.keyboard.press("Enter")
    else:
        await person.page.click("#mod-confirm")


@pytest.mark.parametrize("keyboard", [False, True], ids=["mouse", "keyboard"])
async def test_step8_undo_remove_and_restore_from_the_page(
    browser: Any, live_server: LiveServer, board: dict[str, Any], keyboard: bool
) -> None:
    kari = await open_board(browser, board["links"]["facilitator"], "Kari")
    participant = token_of(board["links"]["participant"])
    ola = await Client.connect(live_server.url, board["id"], participant, name="Ola")
    await ola.ops([note(f"n{i}", (i % 5) * 220, f"Idé {i}") for i in range(40)])
    await kari.wait("objs.length === 40", timeout=5000)

    # A version before the break, made by hand in the history panel.
    await kari.page.click("#facilitate-btn")
    await kari.page.fill("#hist-label", "Før pausen")
    await kari.page.click("#hist-save")
    await announced(kari, "Version saved.")

    vandal = await Client.connect(live_server.url, board["id"], participant, name="Troll")
    await vandal.ops([{"op": "delete", "id": f"n{i}"} for i in range(40)])
    points = [[0, 0], [400, 300], [800, 0]]
    scribble = {"id": "scribble", "kind": "path", "x": 0, "y": 0, "points": points}
    await vandal.ops([{"op": "create", "object": scribble}])
    await kari.wait("objs.length === 1", timeout=5000)

    # The people panel: "Undo what Troll did".
    await kari.page.click("details.people summary")
    undo = kari.page.get_by_role("button", name="Undo what Troll did")
    if not keyboard:
        await shot(kari, "moderation-people.png")
    if keyboard:
        await undo.focus()
        await kari.page.keyboard.press("Enter")
    else:
        await undo.click()
    await confirm(kari, keyboard=keyboard)
    await kari.wait("objs.length === 40 && !objs.some(o => o.id === 'scribble')", timeout=5000)
    await announced(kari, "Undone for Troll: 40 brought back, 1 deleted, 0 set back.")

    # Remove him for good, with a new participant link.
    remove = kari.page.get_by_role("button", name="Remove Troll")
    if keyboard:
        await remove.focus()
        await kari.page.keyboard.press("Enter")
    else:
        await remove.click()
    assert await kari.page.is_checked("#mod-rotate")
    await confirm(kari, keyboard=keyboard)
    assert await vandal.wait_closed() == 4010
    await kari.page.wait_for_selector("#mod-link-row:not([hidden])")
    new_link = await kari.page.input_value("#mod-link")
    assert new_link.startswith(f"{live_server.url}/b/{board['id']}#t=")
    assert (await ola.request({"type": "ping"}))["type"] == "pong"  # Ola stays connected

    # Activity: Troll's counts.
    await kari.page.click("details.people summary")  # the people list closes
    await kari.page.click("#act-refresh")
    await kari.page.wait_for_selector("#act-list li")
    text = await kari.page.inner_text("#act-list")
    assert "Troll" in text and "40 deleted" in text
    await kari.page.locator("#act-events").scroll_into_view_if_needed()
    if not keyboard:
        await shot(kari, "moderation-activity.png")

    # Later: the board back to the version from before the break.
    await ola.ops([{"op": "delete", "id": f"n{i}"} for i in range(10)])
    await kari.wait("objs.length === 30", timeout=5000)
    await kari.page.click("#hist-refresh")
    restore = kari.page.get_by_role("button", name="Restore “Før pausen”", exact=False)
    await restore.wait_for()
    await kari.page.locator("#hist-h").scroll_into_view_if_needed()
    await kari.page.wait_for_function(
        "() => [...document.querySelectorAll('.hist-preview')].every(i => i.complete && i.naturalWidth > 0)"
    )
    if not keyboard:
        await shot(kari, "moderation-history.png")
    if keyboard:
        await restore.focus()
        await kari.page.keyboard.press("Enter")
    else:
        await restore.click()
    confirm_text = await kari.page.inner_text("#mod-text")
    assert "40 objects; now 30" in confirm_text
    await confirm(kari, keyboard=keyboard)
    await kari.wait("objs.length === 40", timeout=5000)
    await announced(kari, "Restored “Før pausen”: 10 brought back, 0 deleted, 0 set back.")
    assert kari.errors == []


async def test_undo_with_the_network_gone_says_so_sends_nothing_and_works_once_back(
    browser: Any, live_server: LiveServer, board: dict[str, Any]
) -> None:
    kari = await open_board(browser, board["links"]["facilitator"], "Kari")
    participant = token_of(board["links"]["participant"])
    troll = await Client.connect(live_server.url, board["id"], participant, name="Troll")
    await troll.ops([note("t1", 0, "Søppel")])
    await kari.wait("objs.length === 1", timeout=5000)
    await kari.page.click("details.people summary")
    undo = kari.page.get_by_role("button", name="Undo what Troll did")

    sent: list[str] = []
    kari.page.on("websocket", lambda ws: ws.on("framesent", lambda frame: sent.append(str(frame))))
    await kari.context.set_offline(True)
    await kari.page.wait_for_function("() => window.samskap.conn.state !== 'online'")
    await undo.click()
    await confirm(kari, keyboard=False)
    not_sent = (
        "Not connected: that was not sent. Try again when the board says “All changes saved”."
    )
    await announced(kari, f"That did not work: {not_sent}")
    assert await kari.page.inner_text("#mod-status") == f"That did not work: {not_sent}"
    await shot(kari, "moderation-offline.png")
    assert await kari.objects() != []  # nothing changed

    await kari.context.set_offline(False)
    await kari.settled(timeout=10_000)
    await undo.click()
    await confirm(kari, keyboard=False)
    await kari.wait("objs.length === 0", timeout=5000)
    assert sum('"revert"' in frame for frame in sent) == 1, sent  # only the one once back
    assert kari.errors == []
