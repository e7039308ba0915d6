"""The report's cover and its lists, over the real server (issue 19, item 10).

A stakeholder map that is never voted on, with an idea session inserted beside it
where a vote is closed: the cover has the board's picture, the date and the agenda;
vote counts appear only in the idea session's lists; free texts (a text in the parking
lot) are listed in their zone; template labels are not.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import httpx
from pypdf import PdfReader

from server.domain.render.cover import agenda_lines, long_date
from tests.support.client import Client
from tests.support.servers import LiveServer, token_of


async def _report(server: LiveServer, board: dict[str, Any], lang: str) -> list[str]:
    token = token_of(board["links"]["participant"])
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
        reply = await http.get(
            f"/api/boards/{board['id']}/report.pdf",
            params={"lang": lang},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert reply.status_code == 200, reply.text
    reader = PdfReader(io.BytesIO(reply.content))
    assert reader.pages[0].images, "the cover has the board's picture"
    width = reader.pages[0].images[0].image.width
    assert 0 < width <= 1200
    return [" ".join(p.extract_text().split()) for p in reader.pages]


async def _facilitate(client: Client, action: str, **body: Any) -> dict[str, Any]:
    reply = await client.request({"type": "facilitate", "action": action, **body})
    assert reply["type"] == "session", reply
    return reply


def _note(object_id: str, x: float, y: float, text: str) -> dict[str, Any]:
    return {
        "op": "create",
        "object": {"id": object_id, "kind": "note", "x": x, "y": y, "text": text},
    }


async def test_cover_agenda_texts_and_votes_only_where_a_vote_ran(
    live_server: LiveServer,
) -> None:
    board = await live_server.create_board("Samling 2", template="power-interest-grid", locale="nb")
    boss = await live_server.join(board, "facilitator", "Fasilitator")
    kari = await live_server.join(board, "participant", "Kari")
    ack = await kari.ops(
        [
            _note("m1", 2000, 400, "Kommunen"),  # in the "key players" zone
            {
                "op": "create",
                "object": {
                    "id": "t1",
                    "kind": "text",
                    "x": 60,
                    "y": 520,
                    "w": 360,
                    "text": "Hvem eier bygget?",
                },
            },  # a free text in the parking lot
        ]
    )
    assert ack["type"] == "ack", ack

    pages = await _report(live_server, board, "nb")
    cover = pages[0]
    assert "Samling 2" in cover
    assert f"Dato: {long_date(dt.date.today(), 'nb')}" in cover
    assert "Agenda 1. List aktørene" in cover  # the template's steps, with their minutes
    everything = " ".join(pages)
    assert "stemme" not in everything  # no vote ran: no "0 stemmer" anywhere
    assert "Parkeringsplass • Hvem eier bygget?" in everything
    assert "• Kommunen" in everything
    assert "• Spørsmål og ideer vi tar senere" not in everything  # a template label

    # An idea session beside the map, a vote in it, closed.
    await _facilitate(boss, "insert_template", template="brainstorming")
    objects = await _objects(live_server, board)
    wall = next(o for o in objects if o.get("text") == "Alle ideer")
    ack = await kari.ops(
        [
            _note("i1", wall["x"] + 40, wall["y"] + 100, "Lesekveld"),
            _note("i2", wall["x"] + 300, wall["y"] + 100, "Språkkafé"),
        ]
    )
    assert ack["type"] == "ack", ack
    await _facilitate(boss, "voting_open", votes=3, per_note=3)
    await kari.send({"type": "vote", "id": "i2"})
    assert (await kari.next_of(("votes", "error")))["type"] == "votes"
    await _facilitate(boss, "voting_close")

    pages = await _report(live_server, board, "nb")
    assert "Agenda 1. Tenk selv (4 min)" in pages[0]  # the inserted template's agenda now
    idea = next(
        p for p in pages if p.startswith("Idémyldring: skriv, del, grupper, stem \u2013 Lapper")
    )
    assert "Alle ideer (1 stemme)" in idea
    assert idea.index("• Språkkafé [1 stemme]") < idea.index("• Lesekveld [0 stemmer]")
    grid = next(
        p for p in pages if p.startswith("Interessentkart: påvirkning og interesse \u2013 Lapper")
    )
    assert "stemme" not in grid  # the map was never voted on

    english = await _report(live_server, board, "en")
    assert f"Date: {long_date(dt.date.today(), 'en')}" in english[0]
    assert "Agenda 1. Tenk selv (4 min)" in english[0]  # the agenda is the board's, in nb
    nynorsk = await _report(live_server, board, "nn")
    assert "Dato: " in nynorsk[0] and "Agenda" in nynorsk[0]


async def _objects(server: LiveServer, board: dict[str, Any]) -> list[dict[str, Any]]:
    token = token_of(board["links"]["participant"])
    async with httpx.AsyncClient(base_url=server.url) as http:
        reply = await http.get(
            f"/api/boards/{board['id']}", headers={"Authorization": f"Bearer {token}"}
        )
    reply.raise_for_status()
    return reply.json()["objects"]  # type: ignore[no-any-return]


def test_the_date_and_the_agenda_as_the_cover_writes_them() -> None:
    day = dt.date(2026, 12, 3)
    assert [long_date(day, lang) for lang in ("nb", "nn", "en")] == [
        "3. desember 2026",
        "3. desember 2026",
        "3 December 2026",
    ]
    settings = {
        "agenda": [
            {"title": "Tenk  selv", "minutes": 4},
            {"title": "", "minutes": 2},  # a step without a title is left out
            "not a step",
            {"title": "Stem", "minutes": 2.5},
            {"title": "Prat", "minutes": 0},
        ]
    }
    assert agenda_lines(settings, "min") == ["1. Tenk selv (4 min)", "2. Stem (2.5 min)", "3. Prat"]
    assert agenda_lines({}, "min") == [] and agenda_lines({"agenda": "x"}, "min") == []
