"""Moderation (rules M1-M6): undo one person, remove them for good, new link keeping seats.

The vandal is a protocol client on the participant link; Ola edits his own notes at
the same time. Both databases, and two processes on one bus for the closes.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from server.config import Settings
from server.domain.errors import CloseCode
from tests.support.client import Client
from tests.support.servers import LiveServer, token_of, two_processes


def note(object_id: str, **fields: object) -> dict[str, Any]:
    return {"op": "create", "object": {"id": object_id, "kind": "note", "x": 0, "y": 0, **fields}}


def stroke(object_id: str) -> dict[str, Any]:
    points = [[0, 0], [50, 80], [120, 10]]
    obj = {"id": object_id, "kind": "path", "x": 0, "y": 0, "points": points}
    return {"op": "create", "object": obj}


def update(object_id: str, **fields: object) -> dict[str, Any]:
    return {"op": "update", "id": object_id, "set": fields}


async def facilitate(by: Client, action: str, **body: object) -> dict[str, Any]:
    return await by.request({"type": "facilitate", "action": action, **body})


async def applied(client: Client, ops: list[dict[str, Any]]) -> int:
    ack = await client.ops(ops)
    assert ack["type"] == "ack" and ack["applied"], ack
    return int(ack["seq"])


async def people(server: LiveServer, board: dict[str, Any]) -> tuple[Client, Client, Client]:
    facilitator = await Client.connect(
        server.url, board["id"], token_of(board["links"]["facilitator"]), name="Kari"
    )
    participant = token_of(board["links"]["participant"])
    ola = await Client.connect(server.url, board["id"], participant, name="Ola")
    vandal = await Client.connect(server.url, board["id"], participant, name="x")
    return facilitator, ola, vandal


async def vandalise(facilitator: Client, ola: Client, vandal: Client) -> int:
    """The scenario of step 8; returns the seq after the vandal's last batch."""
    await applied(facilitator, [note(f"n{i}", text=f"idea {i}", x=i * 10) for i in range(40)])
    await applied(ola, [note(f"ola{i}", text=f"Ola {i}") for i in range(3)])
    await applied(vandal, [update("n0", x=999, text="haha"), update("ola0", color="#000000")])
    await applied(ola, [update("ola1", text="Ola edits")])  # interleaved with the vandal
    await applied(vandal, [update("ola1", text="vandal"), update("ola2", text="vandal")])
    await applied(ola, [update("ola0", color="#a5d6a7"), update("ola1", text="Ola again")])
    await applied(vandal, [{"op": "delete", "id": f"n{i}"} for i in range(40)])
    seq = await applied(vandal, [stroke(f"scribble{i}") for i in range(10)])
    await applied(ola, [note("ola3", text="new by Ola")])
    return seq + 1


async def test_m1_revert_undoes_the_vandal_and_keeps_olas_changes(db_server: LiveServer) -> None:
    board = await db_server.create_board("M1")
    facilitator, ola, vandal = await people(db_server, board)
    seq = await vandalise(facilitator, ola, vandal)
    await facilitator.wait_seq(seq)

    reply = await facilitate(facilitator, "revert", client=vandal.me)
    assert reply["type"] == "reverted" and reply["client"] == vandal.me
    assert reply["seq"] == seq + 1  # one server batch
    assert {k: reply[k] for k in ("removed", "restored", "reset", "unknown")} == {
        "removed": 10,  # the scribbles
        "restored": 40,  # the deleted notes, with n0's own fields set back
        "reset": 1,  # ola2: nobody touched it after the vandal
        "unknown": 0,
    }
    assert reply["kept"] == 2  # ola0.color and ola1.text: Ola changed them later

    for client in (facilitator, ola, vandal):
        await client.wait_seq(seq + 1)
    batch = next(m for m in ola.seen if m.get("type") == "ops" and m["seq"] == seq + 1)
    assert batch["by"] == "_server"
    fresh = await Client.connect(
        db_server.url, board["id"], token_of(board["links"]["viewer"]), name="check"
    )
    stored = fresh.objects  # the database's board, as a new page gets it
    for client in (facilitator, ola, vandal):
        assert client.objects == stored
    assert not any(i.startswith("scribble") for i in stored)
    for i in range(40):
        assert stored[f"n{i}"]["text"] == f"idea {i}" and stored[f"n{i}"]["x"] == i * 10
    assert stored["ola0"]["color"] == "#a5d6a7"
    assert stored["ola1"]["text"] == "Ola again"
    assert stored["ola2"]["text"] == "Ola 2"
    assert stored["ola3"]["text"] == "new by Ola"


async def test_m1_revert_twice_changes_nothing_more(live_server: LiveServer) -> None:
    board = await live_server.create_board("M1 again")
    facilitator, ola, vandal = await people(live_server, board)
    seq = await vandalise(facilitator, ola, vandal)
    await facilitator.wait_seq(seq)
    await facilitate(facilitator, "revert", client=vandal.me)
    again = await facilitate(facilitator, "revert", client=vandal.me)
    assert again["seq"] is None
    assert (again["removed"], again["restored"], again["reset"]) == (0, 0, 0)


async def test_m2_revert_since_a_seq_or_a_time(live_server: LiveServer) -> None:
    board = await live_server.create_board("M2")
    facilitator, _ola, vandal = await people(live_server, board)
    early = await applied(vandal, [note("early", text="fine")])
    await applied(vandal, [note("late", text="bad"), update("early", text="bad")])
    reply = await facilitate(facilitator, "revert", client=vandal.me, since=early)
    assert (reply["removed"], reply["reset"]) == (1, 1)
    await facilitator.wait_seq(reply["seq"])
    assert "late" not in facilitator.objects
    assert facilitator.objects["early"]["text"] == "fine"
    # A time after everything: nothing to undo.
    later = await facilitate(facilitator, "revert", client=vandal.me, since="2999-01-01T00:00:00Z")
    assert later["seq"] is None and later["removed"] == 0


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"client": 5},
        {"client": ""},
        {"client": "x", "since": -1},
        {"client": "x", "since": "yesterday"},
        {"client": "x", "since": True},
    ],
)
async def test_m2_revert_refuses_bad_input_and_changes_nothing(
    live_server: LiveServer, body: dict[str, Any]
) -> None:
    board = await live_server.create_board("M2 bad")
    facilitator, _ola, vandal = await people(live_server, board)
    seq = await applied(vandal, [note("v", text="v")])
    if body.get("client") == "x":
        body = {**body, "client": vandal.me}
    reply = await facilitate(facilitator, "revert", **body)
    assert reply["type"] == "error" and reply["code"] == "bad_message"
    fresh = await Client.connect(live_server.url, board["id"], token_of(board["links"]["viewer"]))
    assert fresh.welcome["seq"] == seq and "v" in fresh.objects


async def test_m4_only_the_facilitator_moderates(live_server: LiveServer) -> None:
    board = await live_server.create_board("M4")
    _facilitator, ola, vandal = await people(live_server, board)
    for action in ("revert", "remove"):
        reply = await facilitate(vandal, action, client=ola.me)
        assert reply["type"] == "error" and reply["code"] == "forbidden"


async def test_m5_m6_remove_with_rotate_across_two_processes(db_settings: Settings) -> None:
    async with two_processes(db_settings) as (one, two):
        board = await one.create_board("M5")
        participant = token_of(board["links"]["participant"])
        facilitator = await Client.connect(
            one.url, board["id"], token_of(board["links"]["facilitator"]), name="Kari"
        )
        ola = await Client.connect(one.url, board["id"], participant, name="Ola")
        aisha = await Client.connect(two.url, board["id"], participant, name="Aisha")
        vandal = await Client.connect(two.url, board["id"], participant, name="x")
        await applied(vandal, [stroke("scribble")])
        for person in (ola, aisha):  # their seats own something (S18 keeps such seats)
            note = {"id": f"n-{person.me}", "kind": "note", "x": 0, "y": 0}
            await applied(person, [{"op": "create", "object": note}])

        reply = await facilitate(facilitator, "remove", client=vandal.me, rotate=True)
        assert reply["type"] == "removed" and reply["client"] == vandal.me
        new_token = reply["link"]["token"]
        assert reply["link"]["link"].endswith(f"/b/{board['id']}#t={new_token}")

        assert await vandal.wait_closed() == CloseCode.REMOVED
        for person in (ola, aisha):  # still here, told the new link
            told = await person.expect("link")
            assert told == {"type": "link", "role": "participant", "token": new_token}
            assert (await person.request({"type": "ping"}))["type"] == "pong"
            # ... and still edits: the socket holds the new link now (S13's re-check).
            moved = {"op": "update", "id": f"n-{person.me}", "set": {"x": 5}}
            await applied(person, [moved])
        assert not any(m.get("type") == "link" for m in vandal.seen)

        # The vandal's seat is refused on both processes, and the old link is dead.
        for server in (one, two):
            back = await Client.connect(
                server.url, board["id"], new_token, resume=vandal.resume, expect_welcome=False
            )
            error = await back.expect("error")
            assert error["code"] == "removed"
            assert await back.wait_closed() == CloseCode.REMOVED
            old = await Client.connect(server.url, board["id"], participant, expect_welcome=False)
            assert (await old.expect("error"))["code"] == "unauthorized"
            assert await old.wait_closed() == CloseCode.UNAUTHORIZED

        # Ola and Aisha keep their seats across a reconnect with the new link.
        for person, server in ((ola, one), (aisha, two)):
            await person.close()
            again = await Client.connect(
                server.url, board["id"], new_token, resume=person.resume, name=person.me
            )
            assert again.me == person.me
        newcomer = await Client.connect(two.url, board["id"], new_token, name="Ny")
        assert newcomer.me not in (ola.me, aisha.me, vandal.me)


async def test_m5_remove_refuses_bad_input_and_changes_nothing(live_server: LiveServer) -> None:
    board = await live_server.create_board("M5 bad")
    facilitator, ola, _vandal = await people(live_server, board)
    for body, code in (
        ({"client": "nobody"}, "not_found"),
        ({"client": facilitator.me}, "bad_message"),
        ({"client": ola.me, "rotate": "yes"}, "bad_message"),
        ({}, "bad_message"),
    ):
        reply = await facilitate(facilitator, "remove", **body)
        assert reply["type"] == "error" and reply["code"] == code, body
    assert (await ola.request({"type": "ping"}))["type"] == "pong"
    # The participant link still works: nothing was rotated.
    again = await Client.connect(
        live_server.url, board["id"], token_of(board["links"]["participant"])
    )
    assert again.me


async def test_m6_http_rotate_keeping_seats(live_server: LiveServer) -> None:
    board = await live_server.create_board("M6")
    facilitator, ola, vandal = await people(live_server, board)
    headers = {"authorization": f"Bearer {token_of(board['links']['facilitator'])}"}
    path = f"/api/boards/{board['id']}/links/participant/rotate"
    async with httpx.AsyncClient(base_url=live_server.url, headers=headers) as http:
        bad = await http.post(path, json={"keep_seats": "yes"})
        assert bad.status_code == 400
        refused = await http.post(
            f"/api/boards/{board['id']}/links/facilitator/rotate", json={"keep_seats": True}
        )
        assert refused.status_code == 400
        response = await http.post(path, json={"keep_seats": True})
        assert response.status_code == 200
    new_token = token_of(response.json()["link"])
    for person in (ola, vandal):
        assert (await person.expect("link"))["token"] == new_token
        assert (await person.request({"type": "ping"}))["type"] == "pong"
    assert not any(m.get("type") == "link" for m in facilitator.seen)
    again = await Client.connect(
        live_server.url, board["id"], new_token, resume=ola.resume, name="Ola"
    )
    assert again.me == ola.me


async def test_a1_a2_activity_counts_the_vandal_and_never_shows_private_text(
    db_server: LiveServer,
) -> None:
    board = await db_server.create_board("A1")
    facilitator, ola, vandal = await people(db_server, board)
    seq = await vandalise(facilitator, ola, vandal)
    await facilitate(facilitator, "private_on")
    await applied(ola, [note("secret", text="Ola's private XYZZY")])
    await facilitator.wait_seq(seq + 1)
    await facilitate(facilitator, "revert", client=vandal.me)
    removed = await facilitate(facilitator, "remove", client=vandal.me, rotate=True)
    headers = {"authorization": f"Bearer {token_of(board['links']['facilitator'])}"}
    async with httpx.AsyncClient(
        base_url=f"{db_server.url}/api/boards/{board['id']}", headers=headers
    ) as http:
        assert (await http.get("/export.csv")).status_code == 200
        response = await http.get("/activity")
        assert response.status_code == 200
        assert "XYZZY" not in response.text  # no private note's text, ever
        assert removed["link"]["token"] not in response.text  # nor a link token
        found = response.json()
        assert (await http.get("/activity", params={"since": "soon"})).status_code == 400
        assert (await http.get("/activity", params={"other": "1"})).status_code == 400
        later = await http.get("/activity", params={"since": "2999-01-01T00:00:00Z"})
        assert later.json() == {"events": [], "edits": []}
    async with httpx.AsyncClient(
        base_url=f"{db_server.url}/api/boards/{board['id']}",
        headers={"authorization": f"Bearer {token_of(board['links']['viewer'])}"},
    ) as http:
        assert (await http.get("/activity")).status_code == 403

    events = found["events"]
    joins = {(e["client"], e["name"]) for e in events if e["kind"] == "join"}
    assert {(ola.me, "Ola"), (vandal.me, "x"), (facilitator.me, "Kari")} <= joins
    actions = [e for e in events if e["kind"] == "facilitate"]
    assert [e["action"] for e in actions] == ["private_on", "revert", "remove"]
    assert actions[1]["client"] == vandal.me and actions[1]["restored"] == 40
    assert any(e["kind"] == "export" and e["format"] == "csv" for e in events)
    assert any(e["kind"] == "leave" and e["client"] == vandal.me for e in events)

    def total(client: str, key: str) -> int:
        return sum(e[key] for e in found["edits"] if e["client"] == client)

    assert total(vandal.me, "deleted") == 40 and total(vandal.me, "created") == 10
    assert total(vandal.me, "changed") == 4
    assert total(ola.me, "created") == 5 and total("_server", "created") == 40  # with his secret


def test_m3_only_a_server_batch_brings_a_tombstoned_id_back() -> None:
    from server.domain.ops import Create, Policy, Record, apply_ops

    gone = {"n1": Record({"id": "n1", "kind": "note", "text": "old"}, deleted=True)}
    again = [Create({"id": "n1", "kind": "note", "text": "back"})]
    client = apply_ops(again, gone, 0, Policy(client="c1"))
    assert client.skipped == [0] and not client.effective  # S3 still holds for clients
    server = apply_ops(again, gone, 0, Policy(client="_server", may_lock=True, server=True))
    assert server.changed["n1"] == Record({"id": "n1", "kind": "note", "text": "back"})
    assert server.live_delta == 1
    live = {"n1": Record({"id": "n1", "kind": "note", "text": "here"})}
    assert apply_ops(again, live, 1, Policy(client="_server", server=True)).skipped == [0]
