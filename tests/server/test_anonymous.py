"""Anonymous mode (rule M7): no person's name reaches a participant's or viewer's socket.

Real servers over real WebSockets, on SQLite and PostgreSQL, and two processes on one
bus. Every message a participant's socket got is searched for the others' names, so
a name in any field of any message (presence, peer_joined, the welcome, a summon, the
session's follow, a `peers` list, a heartbeat's reconcile) fails the test.
"""

from __future__ import annotations

import asyncio
import csv
import dataclasses
import io
from typing import Any

import httpx
import orjson
import pypdf

from server.config import Settings
from tests.support.client import Client
from tests.support.servers import LiveServer, serve_in_process, token_of, two_processes

# Names no other text on a board contains, so a hit is a leak.
KARI, OLA, AISHA, ZED = "Kari Qzv", "Ola Qzw", "Aisha Qzx", "Zed Qzy"


async def facilitate(by: Client, action: str, **body: object) -> dict[str, Any]:
    return await by.request({"type": "facilitate", "action": action, **body})


def everything(client: Client) -> str:
    """Every message this socket received so far (read or still queued), as JSON text."""
    while not client.inbox.empty():
        client.seen.append(client.inbox.get_nowait())
    return orjson.dumps(client.seen).decode()  # the welcome too: `expect` keeps it


def without_own_name(client: Client, name: str, *, welcome: bool = True) -> str:
    """The received text less the one place a socket's own name belongs: its welcome's
    `you` (when the welcome is among what is searched)."""
    text = everything(client)
    return text.replace(orjson.dumps(name).decode(), '"(own)"', 1) if welcome else text


async def connect(server: LiveServer, board: dict[str, Any], role: str, name: str) -> Client:
    return await Client.connect(server.url, board["id"], token_of(board["links"][role]), name=name)


async def busy(*clients: Client) -> None:
    """Everyone moves their cursor and edits a note's text (presence with `editing`)."""
    for i, client in enumerate(clients):
        await client.send(
            {"type": "presence", "cursor": {"x": i, "y": i}, "editing": "n1", "selection": ["n1"]}
        )
    await asyncio.sleep(0.3)  # presence is coalesced every 40 ms, then relayed


async def leave(*clients: Client) -> None:
    """Close the sockets and let the server note the leaves before it stops (a leave
    still being written when the server's engine closes can hang the test's loop)."""
    for client in clients:
        await client.close()
    await asyncio.sleep(0.5)


def peers_seen(client: Client) -> list[dict[str, Any]]:
    everything(client)
    found = list(client.welcome.get("peers", []))
    for m in client.seen:
        if m.get("type") == "peer_joined":
            found.append(m["peer"])
        elif m.get("type") == "peers":
            found.extend(m["peers"])
    return found


async def test_m7_names_never_reach_a_participant_socket(db_server: LiveServer) -> None:
    board = await db_server.create_board("M7")
    kari = await connect(db_server, board, "facilitator", KARI)
    ola = await connect(db_server, board, "participant", OLA)  # here before the switch
    on = await facilitate(kari, "anonymous", on=True)
    assert on["type"] == "session" and on["session"]["anonymous"] is True
    relisted = await ola.expect("peers")  # the list again, as Ola may now see it
    assert relisted["peers"] and all("name" not in p for p in relisted["peers"])
    assert (await ola.expect("session"))["session"]["anonymous"] is True
    ola.seen.clear()  # what Ola got before the switch was allowed to carry names

    aisha = await connect(db_server, board, "participant", AISHA)
    viewer = await connect(db_server, board, "viewer", ZED)
    await kari.ops([{"op": "create", "object": {"id": "n1", "kind": "note", "x": 0, "y": 0}}])
    await busy(kari, ola, aisha, viewer)
    await facilitate(kari, "follow_start")
    await facilitate(kari, "summon", view={"x": 0, "y": 0, "zoom": 1})
    await busy(kari, ola, aisha)

    for client, own in ((ola, OLA), (aisha, AISHA), (viewer, ZED)):
        # Ola's welcome came before the switch: only what came after it counts.
        text = without_own_name(client, own, welcome=client is not ola)
        for name in (KARI, OLA, AISHA, ZED):
            assert name not in text, (own, name)
    # Everyone is still a person with a number: the page shows "Deltaker N".
    seats = {p["client"]: p["seat"] for p in peers_seen(aisha)}
    assert seats[kari.me] and seats[ola.me] and len(set(seats.values())) == len(seats)
    assert aisha.welcome["you"]["seat"] not in seats.values()
    presence = [m for m in aisha.seen if m.get("type") == "presence"]
    assert presence and all("name" not in m and m["seat"] >= 1 for m in presence)
    # The facilitator keeps names and seat numbers (to revert and remove the right one).
    named = {p["client"]: p for p in peers_seen(kari)}
    assert named[aisha.me]["name"] == AISHA
    assert named[aisha.me]["seat"] == aisha.welcome["you"]["seat"]
    assert named[ola.me]["seat"] == seats[ola.me]
    assert any(m.get("type") == "presence" and m.get("name") == OLA for m in kari.seen)

    # Off again: everyone gets the list with names.
    await facilitate(kari, "anonymous", on=False)
    back = await aisha.expect("peers")
    assert {p["client"]: p.get("name") for p in back["peers"]}[ola.me] == OLA
    await leave(kari, ola, aisha, viewer)


async def test_m7_across_two_processes_names_stay_on_the_server(db_settings: Settings) -> None:
    limits = dataclasses.replace(db_settings.limits, peer_heartbeat_sec=0.2)
    settings = dataclasses.replace(db_settings, limits=limits)
    async with two_processes(settings) as (one, two):
        board = await one.create_board("M7 two")
        kari = await connect(one, board, "facilitator", KARI)
        ola = await connect(one, board, "participant", OLA)
        await facilitate(kari, "anonymous", on=True)
        await asyncio.sleep(0.2)  # the session reaches process two
        aisha = await connect(two, board, "participant", AISHA)
        zed = await connect(two, board, "participant", ZED)
        await kari.ops([{"op": "create", "object": {"id": "n1", "kind": "note", "x": 0, "y": 0}}])
        await busy(kari, ola, aisha, zed)
        await facilitate(kari, "follow_start")
        await facilitate(kari, "summon", view={"x": 0, "y": 0, "zoom": 1})
        await asyncio.sleep(0.7)  # heartbeats: each process reconciles the other's people
        for client, own in ((aisha, AISHA), (zed, ZED)):
            text = without_own_name(client, own)
            for name in (KARI, OLA, AISHA, ZED):
                assert name not in text, (own, name)
        seen_by_aisha = {p["client"] for p in peers_seen(aisha)}
        assert {kari.me, ola.me, zed.me} <= seen_by_aisha
        assert any(m.get("type") == "presence" and m["client"] == ola.me for m in aisha.seen)
        # A facilitator on the other process gets the names that crossed the bus.
        second = await connect(two, board, "facilitator", "Kari again")
        assert {p["name"] for p in second.welcome["peers"]} >= {KARI, OLA, AISHA, ZED}
        await busy(ola)
        everything(second)
        assert any(m.get("name") == OLA for m in second.seen if m.get("type") == "presence")
        await leave(kari, ola, aisha, zed, second)


async def test_m7_survives_a_restart(db_settings: Settings) -> None:
    async with serve_in_process(db_settings) as server:
        board = await server.create_board("M7 restart")
        kari = await connect(server, board, "facilitator", KARI)
        await facilitate(kari, "anonymous", on=True)
        await leave(kari)
    async with serve_in_process(db_settings) as server:
        kari = await connect(server, board, "facilitator", KARI)
        ola = await connect(server, board, "participant", OLA)
        assert ola.welcome["session"]["anonymous"] is True
        assert KARI not in everything(ola)
        assert [p.get("name") for p in ola.welcome["peers"]] == [None]
        await leave(kari, ola)


async def test_m7_refuses_bad_input_and_changes_nothing(live_server: LiveServer) -> None:
    board = await live_server.create_board("M7 bad")
    kari = await connect(live_server, board, "facilitator", KARI)
    ola = await connect(live_server, board, "participant", OLA)
    for body in ({}, {"on": "yes"}, {"on": 1}, {"on": None}):
        reply = await facilitate(kari, "anonymous", **body)
        assert reply["type"] == "error" and reply["code"] == "bad_message", body
    refused = await facilitate(ola, "anonymous", on=True)
    assert refused["type"] == "error" and refused["code"] == "forbidden"
    late = await connect(live_server, board, "participant", AISHA)
    assert late.welcome["session"]["anonymous"] is False
    assert {p["name"] for p in late.welcome["peers"]} == {KARI, OLA}
    await leave(kari, ola, late)


async def test_m7_exports_and_activity_carry_no_names(db_server: LiveServer) -> None:
    board = await db_server.create_board("M7 export")
    kari = await connect(db_server, board, "facilitator", KARI)
    ola = await connect(db_server, board, "participant", OLA)
    note = {"id": "n1", "kind": "note", "x": 0, "y": 0, "text": "an idea"}
    await ola.ops([{"op": "create", "object": note}])
    base = f"{db_server.url}/api/boards/{board['id']}"
    headers = {"authorization": f"Bearer {token_of(board['links']['facilitator'])}"}
    async with httpx.AsyncClient(base_url=base, headers=headers) as http:
        named = await http.get("/export.csv", params={"names": "1"})
        assert OLA in named.content.decode("utf-8-sig")  # the facilitator's choice, mode off
        await facilitate(kari, "anonymous", on=True)
        aisha = await connect(db_server, board, "participant", AISHA)
        await aisha.ops([{"op": "create", "object": {**note, "id": "n2"}}])
        csv_text = (await http.get("/export.csv", params={"names": "1"})).content.decode(
            "utf-8-sig"
        )
        rows = list(csv.DictReader(io.StringIO(csv_text, newline="")))
        assert {r["id"] for r in rows} == {"n1", "n2"} and {r["author"] for r in rows} == {""}
        report = await http.get("/report.pdf", params={"names": "1", "lang": "en"})
        assert report.status_code == 200
        pages = pypdf.PdfReader(io.BytesIO(report.content)).pages
        text = " ".join(p.extract_text() for p in pages)
        assert "an idea" in text and OLA not in text and AISHA not in text
        activity = (await http.get("/activity")).json()
    joins = {e["client"]: e for e in activity["events"] if e["kind"] == "join"}
    assert joins[ola.me]["name"] == OLA  # joined before the switch
    assert joins[aisha.me]["name"] == "" and joins[aisha.me]["seat"] >= 1  # after it
    assert AISHA not in orjson.dumps(activity).decode()
    assert all(e["seat"] >= 1 for e in activity["edits"] if e["client"] != "_server")
    await leave(kari, ola, aisha)
