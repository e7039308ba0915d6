"""Big boards can be opened: a welcome or catch-up larger than the outbox's byte bound.

The outbox is bounded in bytes (S9) so a stalled reader cannot hold a gigabyte; but a
board may legitimately be bigger than that bound (SAMSKAP_LIMIT_BOARD_BYTES is far
above SAMSKAP_LIMIT_OUTBOX_BYTES). A reply the socket asked for (its welcome, its
`sync`) is queued whatever its size, and the bound counts what queues behind it.
Also: the welcome's and the catch-up's objects are the stored JSON, unchanged, and a
private note still reaches only its owner through the cached snapshot.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from server.config import Limits, Settings
from server.services.session import Session
from tests.support.client import Client
from tests.support.servers import serve_in_process, token_of


def notes(start: int, count: int, chars: int = 4_000) -> list[dict[str, object]]:
    return [
        {
            "op": "create",
            "object": {"id": f"n{n}", "kind": "note", "x": n, "y": 0, "text": "å" * chars},
        }
        for n in range(start, start + count)
    ]


async def test_s9_a_reply_bigger_than_the_byte_bound_is_sent_and_the_bound_still_holds() -> None:
    limits = dataclasses.replace(Limits(), outbox_bytes=10_000)
    session = Session("c1", "Kari", "participant", "127.0.0.1", limits, "#1e88e5")
    session.start("w" * 30_000, 0)  # the welcome of a big board
    session.send("a" * 4_000)
    session.send("b" * 4_000)  # behind the welcome: 8,000 of 10,000
    assert not session.closed.done()
    assert session.take() == "w" * 30_000
    session.send("c" * 1_000)
    assert not session.closed.done()
    session.send("d" * 2_000)  # 4,000 + 4,000 + 1,000 + 2,000 > 10,000
    assert session.closed.done() and session.closed.result()[0] == 4008


async def test_a_board_bigger_than_the_outbox_bound_opens_and_syncs(tmp_path: Path) -> None:
    limits = dataclasses.replace(Limits(), outbox_bytes=100_000)
    async with serve_in_process(Settings(data_dir=tmp_path, limits=limits)) as server:
        board = await server.create_board("Stor")
        links = board["links"]
        boss = await Client.connect(server.url, board["id"], token_of(links["facilitator"]))
        kari = await Client.connect(server.url, board["id"], token_of(links["participant"]))
        for start in range(0, 60, 20):  # 60 notes of 4,000 å: 480 KB of JSON
            assert (await kari.ops(notes(start, 20)))["type"] == "ack"
        reply = await boss.request({"type": "facilitate", "action": "private_on"})
        assert reply["type"] == "session", reply
        assert (await kari.ops(notes(100, 1, 10)))["type"] == "ack"  # private: Kari's own
        viewer = token_of(links["viewer"])
        ola = await Client.connect(server.url, board["id"], viewer, name="Ola")
        assert len(ola.objects) == 60 and ola.objects["n7"]["text"] == "å" * 4_000
        assert "n100" not in ola.objects
        synced = await ola.request({"type": "sync", "since": 0}, timeout=10)
        assert synced["type"] == "catchup" and [b["seq"] for b in synced["catchup"]] == [1, 2, 3, 4]
        assert synced["catchup"][3]["ops"] == []  # Kari's private note is not in Ola's copy
        per = await Client.connect(server.url, board["id"], viewer, name="Per")
        assert per.objects == ola.objects  # the cached snapshot: the same board
        again = await Client.connect(
            server.url, board["id"], token_of(links["participant"]), resume=kari.resume
        )
        assert again.objects["n100"]["private"] is True and len(again.objects) == 61
        for client in (boss, kari, ola, per, again):
            await client.close()
