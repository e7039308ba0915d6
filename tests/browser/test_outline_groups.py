"""The outline groups frames → zones → notes, without the template's labels (issue 19).

A stakeholder map with notes in a zone, a free text in the parking lot, a note on the
frame outside every zone and one outside every frame: the outline has an h3 per frame,
an h4 per zone ("Utenfor soner" last), and lists none of the ~20 locked labels.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.browser.helpers import open_board
from tests.browser.test_accessibility import scan
from tests.support.client import Client
from tests.support.servers import token_of

pytestmark = [pytest.mark.browser]

STRUCTURE = """() => [...document.querySelectorAll('#outline .outline-tree > li')].map((g) => ({
    h3: g.querySelector('h3').textContent,
    zones: [...g.querySelectorAll('.outline-zone')].map((z) => ({
        h4: z.querySelector('h4').hidden ? null : z.querySelector('h4').textContent,
        items: [...z.querySelectorAll('.outline-text')].map((t) => t.value),
    })),
}))"""


def _create(obj: dict[str, Any]) -> dict[str, Any]:
    return {"op": "create", "object": obj}


async def _outline(page: Any) -> list[dict[str, Any]]:
    await page.click("#outline-btn")
    await page.wait_for_selector("#outline:not([hidden]) .outline-zone")
    await page.wait_for_function(
        "() => [...document.querySelectorAll('.outline-text')].some((t) => t.value === 'Langt unna')"
    )
    return await page.evaluate(STRUCTURE)  # type: ignore[no-any-return]


async def test_frames_zones_notes_and_no_template_labels(
    browser: Any, live_server: Any, tmp_path: Path
) -> None:
    board = await live_server.create_board(
        "Interessentkart", template="power-interest-grid", locale="nb"
    )
    ola = await Client.connect(
        live_server.url, board["id"], token_of(board["links"]["participant"]), name="Ola"
    )
    ack = await ola.ops(
        [
            _create({"id": "k1", "kind": "note", "z": 100, "x": 2000, "y": 600, "text": "Kommunen"}),
            _create({"id": "p1", "kind": "text", "z": 100, "x": 60, "y": 560, "w": 300, "text": "Hvem eier bygget?"}),
            _create({"id": "c1", "kind": "note", "z": 100, "x": 100, "y": 1200, "text": "Glemt i hjørnet"}),
            _create({"id": "o1", "kind": "note", "z": 100, "x": 4000, "y": 0, "text": "Langt unna"}),
        ]
    )  # fmt: skip
    assert ack["type"] == "ack", ack

    kari = await open_board(
        browser, board["links"]["facilitator"], "Kari", locale="nb-NO", bypass_csp=True
    )
    groups = await _outline(kari.page)
    frame, outside = groups
    assert frame["h3"] == "Interessentkart: påvirkning og interesse"
    zones = {z["h4"]: z["items"] for z in frame["zones"]}
    assert "Kommunen" in zones["Nøkkelaktører"]
    assert zones["Parkeringsplass"] == ["Hvem eier bygget?"]
    assert frame["zones"][-1] == {"h4": "Utenfor soner", "items": ["Glemt i hjørnet"]}
    assert outside["h3"] == "Utenfor rammer"
    assert outside["zones"] == [{"h4": None, "items": ["Langt unna"]}]  # no zones: no h4
    listed = [item for g in groups for z in g["zones"] for item in z["items"]]
    assert "Spørsmål og ideer vi tar senere" not in listed  # a locked template label
    assert not any(item.startswith("Interessentkart") for item in listed)
    assert len(listed) <= 8, listed  # the notes and the text, not ~20 labels
    # Heading order as a screen reader's heading list gives it.
    levels = await kari.page.evaluate(
        "() => [...document.querySelectorAll('#outline h3, #outline h4')]"
        ".filter((e) => !e.hidden).map((e) => e.tagName)"
    )
    assert levels[0] == "H3" and levels.count("H3") == 2 and levels[-1] == "H3"
    assert await scan(kari.page) == []  # axe: nothing serious with the groups open
    shots = Path(os.environ.get("SAMSKAP_SCREENSHOT_DIR") or tmp_path)
    await kari.page.screenshot(path=str(shots / "outline-groups.png"))

    english = await open_board(browser, board["links"]["participant"], "Aisha", locale="en-GB")
    groups = await _outline(english.page)
    assert groups[0]["zones"][-1]["h4"] == "Outside zones"
    assert groups[1]["h3"] == "Not in a frame"
    assert not kari.errors and not english.errors, kari.errors + english.errors
