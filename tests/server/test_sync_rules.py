"""Sync rules from docs/protocol.md, over real WebSockets, on SQLite and PostgreSQL.

Test names carry the rule ids (S1, S2, ...).
"""

from __future__ import annotations

import asyncio

import httpx
import pytest

from server.storage.engine import create_engine
from server.storage.store import SqlBoardStore
from tests.support.client import Client
from tests.support.servers import LiveServer, token_of


def note(object_id: str, **fields: object) -> dict[str, object]:
    return {"op": "create", "object": {"id": object_id, "kind": "note", "x": 0, "y": 0, **fields}}


async def two_clients(server: LiveServer) -> tuple[dict, Client, Client]:
    board = await server.create_board()
    token = token_of(board["links"]["participant"])
    a = await Client.connect(server.url, board["id"], token, name="Kari")
    b = await Client.connect(server.url, board["id"], token, name="Ola")
    return board, a, b


async def fresh_read(server: LiveServer, board_id: str) -> dict[str, dict]:
    """The board as a new process would load it from the database."""
    settings = server.settings
    engine = create_engine(settings.database_url, schema=settings.database_schema)
    store = SqlBoardStore(engine)
    try:
        snapshot = await store.snapshot(board_id)
        assert snapshot is not None
        return {o["id"]: o for o in snapshot.objects}
    finally:
        await store.close()


async def test_s6_create_update_delete_reach_the_other_client(db_server: LiveServer) -> None:
    _, a, b = await two_clients(db_server)
    ack = await a.ops([note("n1", text="Hei")])
    assert ack["type"] == "ack" and ack["seq"] == 1 and ack["skipped"] == []
    seen = await b.expect("ops")
    assert seen["by"] == a.me and seen["seq"] == 1
    assert seen["ops"][0]["object"]["text"] == "Hei"
    await a.ops([{"op": "update", "id": "n1", "set": {"x": 40, "text": "Hallo"}}])
    seen = await b.expect("ops")
    assert seen["ops"] == [{"op": "update", "id": "n1", "set": {"x": 40, "text": "Hallo"}}]
    await a.ops([{"op": "delete", "id": "n1"}])
    seen = await b.expect("ops")
    assert seen["ops"] == [{"op": "delete", "id": "n1"}] and seen["seq"] == 3
    # The sender never gets its own batch echoed back.
    assert not [m for m in a.seen if m.get("type") == "ops"]


async def test_s6_acked_batch_is_in_the_database(db_server: LiveServer) -> None:
    board, a, _ = await two_clients(db_server)
    await a.ops([note("kept", text="æøå 🙂")])
    stored = await fresh_read(db_server, board["id"])
    assert stored["kept"]["text"] == "æøå 🙂"


async def test_s5_broadcast_is_the_effective_change(db_server: LiveServer) -> None:
    _, a, b = await two_clients(db_server)
    await a.ops([note("n1", color="#FFAA00")])
    created = (await b.expect("ops"))["ops"][0]["object"]
    assert created["color"] == "#ffaa00" and created["w"] == 200 and created["locked"] is False
    # Only fields that changed travel; an update that changes nothing takes no seq.
    await a.ops([{"op": "update", "id": "n1", "set": {"x": 0, "y": 9}}])
    assert (await b.expect("ops"))["ops"] == [{"op": "update", "id": "n1", "set": {"y": 9}}]
    ack = await a.ops([{"op": "update", "id": "n1", "set": {"y": 9}}])
    assert ack["seq"] == 2 and ack["applied"] is False


async def test_s4_ops_on_missing_objects_are_skipped(db_server: LiveServer) -> None:
    _, a, b = await two_clients(db_server)
    ack = await a.ops(
        [
            note("n1"),
            {"op": "update", "id": "ghost", "set": {"x": 1}},
            {"op": "delete", "id": "nope"},
        ]
    )
    assert ack["skipped"] == [1, 2] and ack["seq"] == 1
    assert len((await b.expect("ops"))["ops"]) == 1
    # All skipped: no seq taken, nothing broadcast, the ack carries the current seq.
    ack = await a.ops([{"op": "delete", "id": "ghost"}])
    assert ack == {**ack, "seq": 1, "skipped": [0], "applied": False}
    await a.ops([note("n2")])
    assert (await b.expect("ops"))["seq"] == 2


async def test_s3_ids_are_never_reused(db_server: LiveServer) -> None:
    _, a, _ = await two_clients(db_server)
    await a.ops([note("n1")])
    assert (await a.ops([note("n1", text="again")]))["skipped"] == [0]
    await a.ops([{"op": "delete", "id": "n1"}])
    assert (await a.ops([note("n1", text="reborn")]))["skipped"] == [0]


async def test_s1_one_bad_op_rejects_the_whole_batch(db_server: LiveServer) -> None:
    board, a, b = await two_clients(db_server)
    reply = await a.ops([note("good"), {"op": "update", "id": "good", "set": {"x": "far"}}])
    assert reply["type"] == "error" and reply["code"] == "invalid_op"
    assert "op 1" in reply["message"]
    # The connection keeps working and nothing was stored or broadcast.
    assert (await a.ops([note("other")]))["seq"] == 1
    assert (await b.expect("ops"))["ops"][0]["object"]["id"] == "other"
    assert set(await fresh_read(db_server, board["id"])) == {"other"}


async def test_s1_field_of_another_kind_is_refused_on_apply(db_server: LiveServer) -> None:
    _, a, _ = await two_clients(db_server)
    await a.ops([note("n1")])
    reply = await a.ops(
        [
            {"op": "update", "id": "n1", "set": {"x": 5}},
            {"op": "update", "id": "n1", "set": {"points": [[0, 0]]}},
        ]
    )
    assert reply["code"] == "invalid_op"
    assert (await a.ops([{"op": "update", "id": "n1", "set": {"x": 5}}]))["seq"] == 2


async def test_s2_concurrent_updates_merge_per_field(db_server: LiveServer) -> None:
    _, a, b = await two_clients(db_server)
    await a.ops([note("n1", text="start")])
    await b.expect("ops")
    await asyncio.gather(
        a.ops([{"op": "update", "id": "n1", "set": {"x": 100}}]),
        b.ops([{"op": "update", "id": "n1", "set": {"text": "from b"}}]),
    )
    await a.wait_seq(3)
    await b.wait_seq(3)
    assert a.objects["n1"]["x"] == b.objects["n1"]["x"] == 100
    assert a.objects["n1"]["text"] == b.objects["n1"]["text"] == "from b"


async def test_s11_resent_batch_is_acked_again_and_not_applied_twice(db_server: LiveServer) -> None:
    board, a, b = await two_clients(db_server)
    first = await a.ops([note("n1")], batch="resend-me")
    await a.ops([note("n2")])
    await b.wait_seq(2)
    again = await a.ops([note("n1")], batch="resend-me")
    assert again["seq"] == first["seq"] == 1 and again["applied"] is True
    # Also after a reconnect, with newer batches in between.
    await a.close()
    c = await Client.connect(db_server.url, board["id"], token_of(board["links"]["participant"]))
    assert (await c.ops([{"op": "delete", "id": "n1"}], batch="resend-me"))["seq"] == 1
    assert set(await fresh_read(db_server, board["id"])) == {"n1", "n2"}
    with pytest.raises(TimeoutError):
        await b.expect("ops", timeout=0.3)


async def test_s7_catch_up_after_a_disconnect(db_server: LiveServer) -> None:
    board, a, b = await two_clients(db_server)
    await a.ops([note("n1")])
    await b.wait_seq(1)
    kept, since = dict(b.objects), b.seq
    await b.close()
    await a.ops([note("n2"), {"op": "update", "id": "n1", "set": {"text": "while away"}}])
    await a.ops([{"op": "delete", "id": "n1"}])
    token = token_of(board["links"]["participant"])
    back = await Client.connect(db_server.url, board["id"], token, since=since, objects=kept)
    assert [m["seq"] for m in back.welcome["catchup"]] == [2, 3]
    assert "objects" not in back.welcome
    assert back.objects == await fresh_read(db_server, board["id"])
    current = await Client.connect(db_server.url, board["id"], token, since=3)
    assert current.welcome["catchup"] == []


async def test_s7_since_ahead_of_the_board_gives_full_objects(db_server: LiveServer) -> None:
    board, a, _ = await two_clients(db_server)
    await a.ops([note("n1")])
    token = token_of(board["links"]["participant"])
    ahead = await Client.connect(db_server.url, board["id"], token, since=99)
    assert "catchup" not in ahead.welcome and [o["id"] for o in ahead.welcome["objects"]] == ["n1"]


async def test_s12_viewer_cannot_edit(db_server: LiveServer) -> None:
    board, a, _ = await two_clients(db_server)
    viewer = await Client.connect(db_server.url, board["id"], token_of(board["links"]["viewer"]))
    assert viewer.welcome["you"]["role"] == "viewer"
    reply = await viewer.ops([note("v1")])
    assert reply["code"] == "forbidden"
    assert await fresh_read(db_server, board["id"]) == {}
    await a.ops([note("n1")])
    assert (await viewer.expect("ops"))["seq"] == 1  # viewers still see everything live


async def test_s13_rotation_locks_the_old_link_out(db_server: LiveServer) -> None:
    board, a, b = await two_clients(db_server)
    facilitator = token_of(board["links"]["facilitator"])
    async with httpx.AsyncClient(base_url=db_server.url) as http:
        loop = asyncio.get_running_loop()
        start = loop.time()
        response = await http.post(
            f"/api/boards/{board['id']}/links/participant/rotate",
            headers={"Authorization": f"Bearer {facilitator}"},
        )
        assert response.status_code == 200 and response.json()["role"] == "participant"
        assert await a.wait_closed(1.0) == 4001
        assert await b.wait_closed(1.0) == 4001
        assert loop.time() - start < 1.0
    old = await Client.connect(
        db_server.url, board["id"], token_of(board["links"]["participant"]), expect_welcome=False
    )
    error = await old.expect("error")
    assert error["code"] == "unauthorized" and await old.wait_closed() == 4001
    new = await Client.connect(db_server.url, board["id"], token_of(response.json()["link"]))
    assert new.welcome["you"]["role"] == "participant"


async def test_s16_participants_cannot_change_locked_objects(db_server: LiveServer) -> None:
    board, a, _ = await two_clients(db_server)
    boss = await Client.connect(db_server.url, board["id"], token_of(board["links"]["facilitator"]))
    assert (await a.ops([note("n0", locked=True)]))["code"] == "forbidden"
    await boss.ops([note("bg", locked=True)])
    await a.wait_seq(1)
    for op in ({"op": "update", "id": "bg", "set": {"x": 3}}, {"op": "delete", "id": "bg"}):
        assert (await a.ops([op]))["code"] == "forbidden"
    assert (await boss.ops([{"op": "update", "id": "bg", "set": {"x": 3}}]))["seq"] == 2


async def test_s8_batches_sent_together_commit_together(db_server: LiveServer) -> None:
    _, a, b = await two_clients(db_server)
    for i in range(50):
        await a.send({"type": "ops", "batch": f"g{i}", "ops": [note(f"n{i}")]})
    acks = [await a.expect("ack") for _ in range(50)]
    assert [m["seq"] for m in acks] == list(range(1, 51))
    await b.wait_seq(50)
    assert len(b.objects) == 50


async def test_presence_is_relayed_with_name_and_colour(db_server: LiveServer) -> None:
    _, a, b = await two_clients(db_server)
    await a.send({"type": "presence", "cursor": {"x": 1, "y": 2}, "selection": [], "editing": None})
    seen = await b.expect("presence")
    assert seen["client"] == a.me and seen["name"] == "Kari" and seen["cursor"] == {"x": 1, "y": 2}
    assert seen["color"].startswith("#")
    await a.send({"type": "ping"})
    assert (await a.expect("pong"))["type"] == "pong"


async def test_peers_join_and_leave(live_server: LiveServer) -> None:
    _, a, b = await two_clients(live_server)
    assert [p["name"] for p in b.welcome["peers"]] == ["Kari"]
    await b.close()
    left = await a.expect("peer_left")
    assert left["client"] == b.me
    c = await Client.connect(live_server.url, _["id"], token_of(_["links"]["viewer"]), name="Per")
    joined = await a.expect("peer_joined")
    you = dict(c.welcome["you"])
    assert you.pop("resume") and joined["peer"] == you  # the secret stays with its socket


async def test_s15_a_client_fills_a_gap_without_reconnecting(db_server: LiveServer) -> None:
    _, a, b = await two_clients(db_server)
    for i in range(3):
        await a.ops([note(f"n{i}")])
    await b.wait_seq(3)
    await b.send({"type": "sync", "since": 1})
    reply = await b.expect("catchup")
    assert reply["seq"] == 3 and [m["seq"] for m in reply["catchup"]] == [2, 3]
    assert reply["catchup"][0]["ops"][0]["object"]["id"] == "n1"
    await b.send({"type": "sync", "since": 99})
    full = await b.expect("catchup")
    assert "catchup" not in full and {o["id"] for o in full["objects"]} == {"n0", "n1", "n2"}
    await b.send({"type": "sync", "since": -1})
    assert (await b.expect("error"))["code"] == "bad_message"
