"""Versions and restore (rules V1-V6): on both databases, across two processes."""

from __future__ import annotations

import dataclasses
import secrets
from typing import Any

import httpx

from server.config import Settings
from server.domain.restore import DAY_MS, HOUR_MS, Stamp, thinned
from tests.support.client import Client
from tests.support.servers import LiveServer, serve_in_process, token_of, two_processes


def note(object_id: str, **fields: object) -> dict[str, Any]:
    return {"op": "create", "object": {"id": object_id, "kind": "note", "x": 0, "y": 0, **fields}}


async def applied(client: Client, ops: list[dict[str, Any]]) -> int:
    ack = await client.ops(ops)
    assert ack["type"] == "ack" and ack["applied"], ack
    return int(ack["seq"])


def api(server: LiveServer, board: dict[str, Any], role: str = "facilitator") -> httpx.AsyncClient:
    headers = {"authorization": f"Bearer {token_of(board['links'][role])}"}
    return httpx.AsyncClient(base_url=f"{server.url}/api/boards/{board['id']}", headers=headers)


async def test_v1_v2_save_list_preview_and_bad_input(live_server: LiveServer) -> None:
    board = await live_server.create_board("V1")
    kari = await Client.connect(
        live_server.url, board["id"], token_of(board["links"]["facilitator"]), name="Kari"
    )
    seq = await applied(kari, [note(f"n{i}", text=f"idea {i}", x=i * 220) for i in range(5)])
    async with api(live_server, board) as http:
        made = await http.post("/versions", json={"label": "Før pausen", "name": "Kari"})
        assert made.status_code == 201, made.text
        version = made.json()
        assert version["seq"] == seq and version["kind"] == "manual"
        assert version["label"] == "Før pausen" and version["by"] == "Kari"
        assert version["objects"] == 5
        for bad in ({"label": 5}, {"label": "x" * 121}, {"other": 1}, [1]):
            refused = await http.post("/versions", json=bad)
            assert refused.status_code == 400 and refused.json()["error"] == "bad_message"
        listed = (await http.get("/versions")).json()["versions"]
        assert [v["id"] for v in listed] == [version["id"]]
        assert set(listed[0]) >= {"id", "seq", "at", "label", "by", "kind"}
        picture = await http.get(f"/versions/{version['id']}/preview.png")
        assert picture.status_code == 200 and picture.content.startswith(b"\x89PNG")
        assert (await http.get("/versions/nope/preview.png")).status_code == 404
        assert (await http.post("/versions/nope/restore")).status_code == 404
    async with api(live_server, board, "participant") as http:
        assert (await http.get("/versions")).status_code == 403
        assert (await http.post("/versions", json={})).status_code == 403
        assert (await http.post(f"/versions/{version['id']}/restore")).status_code == 403
    async with api(live_server, board) as http:
        assert len((await http.get("/versions")).json()["versions"]) == 1  # nothing more saved


async def test_v3_v4_restore_before_a_mass_delete_on_two_processes(db_settings: Settings) -> None:
    async with two_processes(db_settings) as (one, two):
        board = await one.create_board("V3")
        participant = token_of(board["links"]["participant"])
        kari = await Client.connect(
            one.url, board["id"], token_of(board["links"]["facilitator"]), name="Kari"
        )
        ola = await Client.connect(one.url, board["id"], participant, name="Ola")
        aisha = await Client.connect(two.url, board["id"], participant, name="Aisha")
        await applied(kari, [note(f"n{i}", text=f"idea {i}", x=i * 220) for i in range(40)])
        await kari.request({"type": "facilitate", "action": "private_on"})
        await applied(ola, [note("secret", text="Ola's own")])
        await kari.request({"type": "facilitate", "action": "permissions", "add": True})
        async with api(one, board) as http:
            version = (await http.post("/versions", json={"label": "before the break"})).json()
        at_version = {k: dict(v) for k, v in kari.objects.items()}
        assert "secret" in ola.objects and "secret" not in at_version

        # The break: a mass delete, edits and new things.
        await applied(aisha, [{"op": "delete", "id": f"n{i}"} for i in range(30)])
        await applied(aisha, [{"op": "update", "id": "n35", "set": {"text": "changed"}}])
        await kari.request({"type": "facilitate", "action": "reveal"})  # secret goes public
        last = await applied(aisha, [note("after", text="made after")])
        for client in (kari, ola, aisha):
            await client.wait_seq(last)

        async with api(two, board) as http:
            response = await http.post(f"/versions/{version['id']}/restore", json={"name": "Kari"})
        assert response.status_code == 200, response.text
        restored = response.json()
        assert restored["seq"] == last + 1  # one batch
        assert restored["restored"] == 30 and restored["deleted"] == 1
        for client in (kari, ola, aisha):
            await client.wait_seq(last + 1)
        assert kari.objects == at_version and aisha.objects == at_version
        secret = ola.objects.pop("secret")  # his note is private to him again
        assert ola.objects == at_version
        assert (secret["private"], secret["owner"], secret["text"]) == (True, ola.me, "Ola's own")
        fresh = await Client.connect(two.url, board["id"], participant, name="New")
        assert fresh.objects == at_version and fresh.welcome["seq"] == last + 1

        # The restore is undone by restoring the version saved before it.
        async with api(one, board) as http:
            listed = (await http.get("/versions")).json()["versions"]
            kinds = [v["kind"] for v in listed]
            assert "before_restore" in kinds and "auto" in kinds  # auto: before reveal
            before = next(v for v in listed if v["id"] == restored["before"])
            assert before["kind"] == "before_restore" and before["seq"] == last
            undo = (await http.post(f"/versions/{before['id']}/restore")).json()
        assert undo["seq"] == last + 2
        await aisha.wait_seq(last + 2)
        assert "after" in aisha.objects and "n0" not in aisha.objects
        assert aisha.objects["secret"]["text"] == "Ola's own"  # revealed at that moment
        version_ids = {v["id"] for v in listed}

    # V4: versions survive a restart.
    async with serve_in_process(db_settings) as again, api(again, board) as http:
        assert {v["id"] for v in (await http.get("/versions")).json()["versions"]} >= version_ids


async def test_v5_versions_before_reveal_template_and_step(live_server: LiveServer) -> None:
    board = await live_server.create_board("V5")
    kari = await Client.connect(
        live_server.url, board["id"], token_of(board["links"]["facilitator"]), name="Kari"
    )
    await applied(kari, [note("a")])
    await kari.request({"type": "facilitate", "action": "reveal"})
    reply = await kari.request(
        {"type": "facilitate", "action": "insert_template", "template": "brainstorming"}
    )
    assert reply["type"] == "session", reply
    await kari.request({"type": "facilitate", "action": "agenda_step", "step": 0})
    async with api(live_server, board) as http:
        listed = (await http.get("/versions")).json()["versions"]
    assert [(v["kind"], v["label"]) for v in reversed(listed)] == [
        ("auto", "reveal"),
        ("auto", "insert_template"),
        ("step", "step 0"),
    ]
    assert all(v["by"] == "Kari" for v in listed)
    for bad in (
        {"action": "insert_template", "template": "nope"},
        {"action": "agenda_step", "step": 99},
    ):
        reply = await kari.request({"type": "facilitate", **bad})
        assert reply["type"] == "error"
    async with api(live_server, board) as http:
        assert len((await http.get("/versions")).json()["versions"]) == 3  # none more


async def test_v5_automatic_version_every_ten_minutes_only_when_due(
    live_server: LiveServer,
) -> None:
    board = await live_server.create_board("V5 auto")
    store = live_server.app.state.store
    first = await store.save_version(board["id"], "auto", "", "", unless_since=0)
    assert first is not None
    # A version newer than the window, or one at the same seq, means none is due.
    assert await store.save_version(board["id"], "auto", "", "", unless_since=first.at) is None
    assert await store.save_version(board["id"], "auto", "", "", unless_since=first.at + 1) is None


def test_v6_retention_keeps_manual_and_the_last_day_then_thins_by_hour_and_day() -> None:
    now = 100 * DAY_MS
    stamps = [Stamp(f"m{i}", "manual", now - i * DAY_MS) for i in range(60)]
    stamps += [Stamp(f"r{i}", "auto", now - i * 10 * 60_000) for i in range(144)]  # 24 h
    stamps += [Stamp(f"h{i}", "auto", now - 2 * DAY_MS - i * 10 * 60_000) for i in range(12)]
    stamps += [Stamp(f"d{i}", "before_restore", now - 40 * DAY_MS - i * HOUR_MS) for i in range(5)]
    dropped = set(thinned(stamps, now))
    assert not any(i.startswith(("m", "r")) for i in dropped)  # manual, and the last 24 h
    # 12 versions 10 minutes apart from an hour's start back: three clock hours, one each.
    assert len({f"h{i}" for i in range(12)} - dropped) == 3
    assert len({f"d{i}" for i in range(5)} - dropped) <= 2  # one a day (5 h may span two)


async def test_v6_versions_count_toward_the_board_bytes(db_settings: Settings) -> None:
    """Each version adds its stored bytes to the board's (SAMSKAP_LIMIT_BOARD_BYTES); a
    full board refuses a version by hand (413), and a restore still saves the version
    that undoes it."""
    texts = [secrets.token_urlsafe(60) for _ in range(200)]  # zlib cannot shrink these
    async with serve_in_process(db_settings) as server:
        board = await server.create_board("V6 bytes")
        kari = await Client.connect(
            server.url, board["id"], token_of(board["links"]["facilitator"]), name="Kari"
        )
        await applied(kari, [note(f"n{i}", text=t, x=i * 220) for i, t in enumerate(texts)])
        store = server.app.state.store
        before = await store.board_bytes(board["id"])
        async with api(server, board) as http:
            made = (await http.post("/versions", json={"label": "one"})).json()
        after = await store.board_bytes(board["id"])
        assert made["bytes"] > 10_000 and after == before + made["bytes"]
        await kari.close()
    limit = after + made["bytes"] // 2  # room for half a version more
    limits = dataclasses.replace(db_settings.limits, board_bytes=limit)
    full = dataclasses.replace(db_settings, limits=limits)
    async with serve_in_process(full) as server, api(server, board) as http:
        refused = await http.post("/versions", json={"label": "two"})
        assert refused.status_code == 413 and refused.json()["error"] == "too_large"
        assert len((await http.get("/versions")).json()["versions"]) == 1
        restored = await http.post(f"/versions/{made['id']}/restore", json={})
        assert restored.status_code == 200, restored.text
        kinds = [v["kind"] for v in (await http.get("/versions")).json()["versions"]]
        assert sorted(kinds) == ["before_restore", "manual"]
