"""The workshop scenario of PRODUCT.md, all seven steps in one run, with 25 participants.

Kari (facilitator) works in bokmål in her own browser; Ola (laptop) and Aisha (tablet
size, touch) are participants in theirs; 23 more participants are protocol clients on
real WebSockets, so the board has 26 people on it, as a course meeting does. Every step
is checked where a person would see it (the page) and where it must hold (the server's
copy, the exports). tests/browser/test_workshop.py goes deeper into steps 3-5.
"""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from typing import Any

import httpx
import pytest
from PIL import Image

from tests.browser.helpers import (
    Person,
    add_note,
    area_centred_on,
    centre_of,
    open_board,
)
from tests.browser.strokes import drag, to_page
from tests.support.client import Client, new_id
from tests.support.servers import token_of

pytestmark = [pytest.mark.browser, pytest.mark.slow]

OTHERS = 23  # participants on protocol clients; with Ola and Aisha, 25
IDEAS = ("Lesesirkel", "Språkkafé", "Leksehjelp", "Podkast", "Reparasjonskafé")


async def drag_to(person: Person, start: tuple[float, float], end: tuple[float, float]) -> None:
    await drag(person, start, end[0] - start[0], end[1] - start[1])


def inside(obj: dict[str, Any], box: dict[str, Any]) -> bool:
    cx, cy = obj["x"] + obj["w"] / 2, obj["y"] + obj["h"] / 2
    return box["x"] <= cx <= box["x"] + box["w"] and box["y"] <= cy <= box["y"] + box["h"]


async def vote(client: Client, note_id: str) -> dict[str, Any]:
    await client.send({"type": "vote", "id": note_id})
    return await client.next_of(("votes", "error"))


async def test_the_workshop_scenario_with_25_participants(browser: Any, live_server: Any) -> None:
    # --- 1. The facilitator creates a board from "Stakeholder map" and gets three links ---
    context = await browser.new_context(viewport={"width": 1440, "height": 900}, locale="nb-NO")
    await context.add_init_script("localStorage.setItem('samskap.name', 'Kari')")
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    await page.goto(live_server.url + "/")
    await page.fill("#title-input", "Interessentkart for Frivilligsentralen")
    await page.select_option("#template-select", "power-interest-grid")
    picked = await page.locator("#template-select option:checked").inner_text()
    assert picked.startswith("Interessentkart"), picked
    await page.click("button[type=submit]")
    await page.wait_for_selector("#created:not([hidden])")
    links = {
        role: await page.input_value(f"#created .role-{role} input")
        for role in ("facilitator", "participant", "viewer")
    }
    assert len({token_of(link) for link in links.values()}) == 3
    board_id = links["participant"].split("/b/", 1)[1].split("#", 1)[0]
    await page.click("#created a.btn-primary")
    await page.wait_for_function(
        "() => window.samskap && window.samskap.conn.state === 'online' && window.samskap.store.loaded"
    )
    kari = Person(context, page, errors)
    assert await page.get_attribute("html", "lang") == "nb"
    template = await kari.objects()
    zones = [o for o in template if o["kind"] == "shape" and o["locked"] and o.get("text")]
    quadrants = sorted((o for o in zones if o["w"] >= 800), key=lambda o: (o["y"], o["x"]))
    assert len(quadrants) == 4
    assert all(o["locked"] for o in template if o["kind"] != "note"), "the background is locked"
    template_notes = sum(o["kind"] == "note" for o in template)

    # --- 2. 25 people open the participant link, type a name, see the board at once -------
    ola = await open_board(browser, links["participant"], "Ola")
    aisha = await open_board(
        browser, links["participant"], "Aisha", viewport=(820, 1180), has_touch=True
    )
    token = token_of(links["participant"])
    others = [
        await Client.connect(live_server.url, board_id, token, name=f"Deltaker {i + 1}")
        for i in range(OTHERS)
    ]
    for person in (ola, aisha):
        assert {o["id"] for o in await person.objects()} == {o["id"] for o in template}
    frame = next(o for o in template if o["kind"] == "frame")
    for i, client in enumerate(others):
        assert len(client.objects) == len(template)
        cursor = {"x": frame["x"] + 40 + 30 * i, "y": frame["y"] + frame["h"] / 2}
        await client.send({"type": "presence", "cursor": cursor})
    await kari.page.wait_for_function(
        "() => document.querySelector('#people-count').textContent === '26 til stede'",
        timeout=5000,
    )
    await kari.page.wait_for_function(
        """(n) => { const shown = document.querySelectorAll('.cursor:not([hidden]) .cursor-name');
            const names = new Set([...shown].map((e) => e.textContent));
            return [...Array(n).keys()].every((i) => names.has('Deltaker ' + (i + 1))); }""",
        arg=OTHERS,
        timeout=5000,
    )

    # --- 3. A 5-minute timer and private writing; reveal shows every note -------------------
    await kari.page.click("#facilitate-btn")
    await kari.page.fill("#fac-minutes", "5")
    await kari.page.click("#fac-timer-start")
    await kari.page.click("#fac-private-on")
    for person in (ola, aisha):
        await person.page.wait_for_selector("#timer:not([hidden])", timeout=3000)
        await person.page.wait_for_selector("#banner-private:not([hidden])", timeout=3000)
    private_ids = []
    for i, client in enumerate(others):
        note_id = new_id("n")
        # In the template's "not sorted yet" column, above the background (z), as the
        # page places a new note.
        spot = {"x": frame["x"] + 500 + 70 * (i % 6), "y": frame["y"] + 300 + 120 * (i // 6)}
        note = {"id": note_id, "kind": "note", **spot, "w": 60, "h": 60, "z": 100 + i}
        note["text"] = f"Idé {i + 1}"
        assert (await client.ops([{"op": "create", "object": note}]))["type"] == "ack"
        private_ids.append(note_id)
    olas = await add_note(ola, 0.2, 0.8, "Frivilligsentralen")
    await ola.settled()
    await kari.page.wait_for_timeout(500)
    for person in (kari, aisha):
        seen = {o["id"] for o in await person.objects()}
        assert not seen & {*private_ids, olas}, "private notes must stay private until reveal"
    await kari.page.click("#fac-reveal")
    notes = template_notes + OTHERS + 1
    everyone_notes = f"objs.filter(o => o.kind === 'note').length === {notes}"
    for person in (kari, ola, aisha):
        await person.wait(everyone_notes, timeout=5000)

    # --- 4. Notes into the grid's zones, an arrow between them, the background stays --------
    zone = quadrants[1]  # top right: high power, high interest
    await ola.page.evaluate("() => window.samskap.zoomToFit()")
    start = await centre_of(ola, olas)
    end = await to_page(ola, zone["x"] + zone["w"] / 2, zone["y"] + zone["h"] / 2)
    await drag_to(ola, start, end)
    await ola.settled()
    placed = next(o for o in await ola.objects() if o["id"] == olas)
    assert inside(placed, zone), (placed, zone)
    await kari.wait(f"objs.some(o => o.id === {olas!r} && o.x === {placed['x']})", timeout=3000)
    # An arrow from Ola's note to the first participant's note.
    await ola.page.keyboard.press("c")
    await drag_to(ola, await centre_of(ola, olas), await centre_of(ola, private_ids[0]))
    arrow = f"o.kind === 'connector' && o.from.id === {olas!r} && o.to.id === {private_ids[0]!r}"
    for person in (kari, aisha):
        await person.wait(f"objs.some(o => {arrow})", timeout=3000)
    # Dragging the locked zone moves nothing.
    await ola.page.keyboard.press("v")
    corner = await to_page(ola, zone["x"] + 8, zone["y"] + zone["h"] - 8)
    await drag(ola, corner, 60, 40)
    await ola.settled()
    assert next(o for o in await ola.objects() if o["id"] == zone["id"]) == zone
    # "Bring everyone here".
    await aisha.page.evaluate("window.samskap.camera.set(5000, 5000, 0.5)")
    await kari.page.click("#fac-summon-view")
    centre = await kari.page.evaluate("window.samskap.camera.center()")
    await area_centred_on(aisha, centre)  # the middle of her free area (issue 19)

    # --- 5. "Idea session" as a new frame; dot voting, 3 each, hidden until closed ----------
    await kari.page.click("#fac-insert")
    card = kari.page.locator(".template-card[data-id=brainstorming]")
    assert "Idémyldring" in await card.inner_text()
    await card.click()
    await kari.page.click("#template-insert")
    await aisha.wait(f"objs.filter(o => o.kind === 'frame').length === {1 + 1}", timeout=5000)
    ideas_frame = next(
        o for o in await aisha.objects() if o["kind"] == "frame" and o["id"] != frame["id"]
    )
    idea_ids = {}
    for i, text in enumerate(IDEAS):
        note_id = new_id("n")
        note = {
            "id": note_id,
            "kind": "note",
            "x": ideas_frame["x"] + 80 + 130 * i,
            "y": ideas_frame["y"] + ideas_frame["h"] - 260,
            "w": 120,
            "h": 120,
            "z": 200 + i,
            "text": text,
        }
        assert (await others[0].ops([{"op": "create", "object": note}]))["type"] == "ack"
        idea_ids[text] = note_id
    await kari.page.check("#fac-perm-vote")
    await kari.page.fill("#fac-votes", "3")
    await kari.page.fill("#fac-per-note", "1")
    await kari.page.click("#fac-vote-open")
    await ola.page.wait_for_selector("#banner-vote:not([hidden])", timeout=3000)
    # Everyone's first dot on Lesesirkel, then Språkkafé or Leksehjelp, then Podkast or
    # Reparasjonskafé: 23 / 15 / 8 / 5 / 18; a fourth dot is refused.
    for i, client in enumerate(others):
        picks = ("Lesesirkel", IDEAS[1] if i < 15 else IDEAS[2], IDEAS[3] if i < 5 else IDEAS[4])
        for text in picks:
            assert (await vote(client, idea_ids[text]))["type"] == "votes"
    refused = await vote(others[0], idea_ids["Leksehjelp"])
    assert refused["type"] == "error" and refused["code"] == "forbidden"
    assert await ola.page.evaluate("window.samskap.session.state.voting.results") is None
    await kari.page.click("#fac-vote-close")
    await ola.page.wait_for_selector("#results:not([hidden])", timeout=3000)
    rows = await ola.page.locator("#results-list li").all_inner_texts()
    assert [next(t for t in IDEAS if t in row) for row in rows] == [
        "Lesesirkel",
        "Reparasjonskafé",
        "Språkkafé",
        "Leksehjelp",
        "Podkast",
    ], rows
    assert "23" in rows[0]

    # --- 6. Aisha's network drops for 30 s; her offline edits arrive once -----------------
    await aisha.context.set_offline(True)
    await aisha.page.wait_for_function("() => window.samskap.conn.state !== 'online'")
    offline_notes = [
        await add_note(aisha, 0.3, 0.3, "Skrevet uten nett 1"),
        await add_note(aisha, 0.6, 0.3, "Skrevet uten nett 2"),
    ]
    await aisha.page.evaluate(
        f"window.samskap.actions.update({olas!r}, {{text: 'Frivilligsentralen (Aisha)'}})"
    )
    update = {"op": "update", "id": private_ids[1], "set": {"text": "Mens Aisha var borte"}}
    assert (await others[1].ops([update]))["type"] == "ack"
    await aisha.page.wait_for_timeout(30_000)
    await aisha.context.set_offline(False)
    await aisha.settled(timeout=15_000)
    for person in (kari, ola):
        await person.wait(
            f"objs.filter(o => {offline_notes!r}.includes(o.id)).length === 2"
            " && objs.some(o => o.text === 'Frivilligsentralen (Aisha)')",
            timeout=5000,
        )
        await person.settled()
    board = await aisha.objects()
    assert await kari.objects() == board and await ola.objects() == board
    texts = [o.get("text") for o in board]
    assert texts.count("Skrevet uten nett 1") == texts.count("Skrevet uten nett 2") == 1
    assert "Mens Aisha var borte" in texts

    # --- 7. Exports for the course report; the board stays open -------------------------
    auth = {"Authorization": f"Bearer {token_of(links['facilitator'])}"}
    async with httpx.AsyncClient(base_url=live_server.url, headers=auth, timeout=60) as http:
        stored = (await http.get(f"/api/boards/{board_id}")).json()
        assert sorted(stored["objects"], key=lambda o: o["id"]) == board
        base = f"/api/boards/{board_id}/export"
        png = await http.get(f"{base}.png")
        assert png.status_code == 200 and png.headers["content-type"] == "image/png"
        whole = Image.open(io.BytesIO(png.content)).size
        part = await http.get(f"{base}.png", params={"frame": ideas_frame["id"]})
        assert part.status_code == 200
        assert Image.open(io.BytesIO(part.content)).size < whole
        svg = await http.get(f"{base}.svg")
        root = ET.fromstring(svg.content)
        words = "".join(root.itertext())  # line breaks are separate <tspan>s
        assert "Frivilligsentralen" in words and "(Aisha)" in words
        pdf = await http.get(f"{base}.pdf", params={"frame": ideas_frame["id"]})
        assert pdf.content.startswith(b"%PDF")
        rows_csv = list(
            csv.DictReader(io.StringIO((await http.get(f"{base}.csv")).text.lstrip("\ufeff")))
        )
        by_text = {row["text"]: row for row in rows_csv}
        assert by_text["Lesesirkel"]["votes"] == "23" and by_text["Podkast"]["votes"] == "5"
        assert by_text["Frivilligsentralen (Aisha)"]["zone"] == zone["text"]
        assert (await http.get(f"/api/boards/{board_id}")).status_code == 200

    for client in others:
        await client.close()
    for person in (kari, ola, aisha):
        assert person.errors == [], person.errors
