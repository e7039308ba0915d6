"""Tidy reveal and hidden-note counts (issue 19; rules F5, F6) over the real protocol,
and the pure placement in server/domain/reveal.py."""

from __future__ import annotations

import asyncio
from typing import Any

from server.domain.reveal import tidy_positions
from tests.server.test_facilitation import facilitate
from tests.support.client import Client
from tests.support.servers import LiveServer, token_of

ZONE = {"id": "tray", "kind": "shape", "x": 0, "y": 0, "w": 900, "h": 1800, "locked": True}


def box(o: dict[str, Any]) -> tuple[float, float, float, float]:
    return o["x"], o["y"], o["x"] + o["w"], o["y"] + o["h"]


def overlaps(a: dict[str, Any], b: dict[str, Any]) -> bool:
    ax0, ay0, ax1, ay1 = box(a)
    bx0, by0, bx1, by1 = box(b)
    return ax0 < bx1 and bx0 < ax1 and ay0 < by1 and by0 < ay1


def piled(owners: list[str], per: int) -> list[dict[str, Any]]:
    """Everyone clicked the same spot in the tray."""
    return [
        {
            "id": f"{o}-{i}",
            "kind": "note",
            "x": 100 + i,
            "y": 120,
            "w": 200,
            "h": 200,
            "owner": o,
            "private": True,
        }
        for o in owners
        for i in range(per)
    ]


def test_F5_tidy_positions_one_column_per_author_inside_the_zone() -> None:
    notes = piled(["a", "b", "c"], 3)
    example = {"id": "ex", "kind": "note", "x": 20, "y": 70, "w": 200, "h": 200}
    places = tidy_positions(notes, [ZONE, example, *notes])
    moved = [{**n, "x": places[n["id"]][0], "y": places[n["id"]][1]} for n in notes]
    for i, a in enumerate(moved):
        assert not overlaps(a, example), a
        for b in moved[i + 1 :]:
            assert not overlaps(a, b), (a, b)
        assert a["x"] >= 0 and a["x"] + a["w"] <= ZONE["w"], a  # in the zone's width
    # Each author's notes together in one column, and all inside the zone.
    xs = {o: {m["x"] for m in moved if m["owner"] == o} for o in "abc"}
    assert all(len(v) == 1 for v in xs.values()), xs
    assert all(m["y"] + m["h"] <= ZONE["h"] for m in moved), moved


def test_F5_tidy_positions_keep_each_zone() -> None:
    other = {**ZONE, "id": "other", "x": 2000}
    notes = [
        *piled(["a"], 2),
        {"id": "b-0", "kind": "note", "x": 2100, "y": 300, "w": 200, "h": 200, "owner": "b"},
    ]
    places = tidy_positions(notes, [ZONE, other, *notes])
    assert all(0 <= places[f"a-{i}"][0] < 900 for i in range(2))
    assert 2000 <= places["b-0"][0] < 2900


async def test_F5_reveal_is_one_batch_with_no_note_hidden(live_server: LiveServer) -> None:
    board = await live_server.create_board("Reveal", template="power-interest-grid", locale="en")
    link = token_of(board["links"]["participant"])
    boss = await Client.connect(
        live_server.url, board["id"], token_of(board["links"]["facilitator"]), name="Kari"
    )
    tray = next(o for o in boss.objects.values() if o.get("text") == "Unsorted")
    await facilitate(boss, "private_on")
    people = [
        await Client.connect(live_server.url, board["id"], link, name=f"P{i}") for i in range(8)
    ]
    for i, p in enumerate(people):
        ops = [
            {
                "op": "create",
                "object": {
                    "id": f"p{i}-n{j}",
                    "kind": "note",
                    "x": tray["x"] + 40,
                    "y": tray["y"] + 100,
                    "w": 200,
                    "h": 200,
                    "text": f"{i}/{j}",
                },
            }
            for j in range(3)
        ]
        assert (await p.ops(ops))["type"] == "ack"
    watcher = await Client.connect(live_server.url, board["id"], link, name="Watcher")
    public = [o for o in watcher.objects.values() if o["kind"] == "note"]
    await facilitate(boss, "reveal")
    batch = await watcher.expect("ops", where=lambda m: bool(m["ops"]))
    # ONE server batch carries every revealed note, already placed.
    assert batch["by"] == "_server" and len(batch["ops"]) == 24
    revealed = [op["object"] for op in batch["ops"]]
    for i, a in enumerate(revealed):
        for b in revealed[i + 1 :] + public:
            assert not overlaps(a, b), (a["id"], b["id"])
    assert (
        sum(1 for a in revealed if tray["x"] <= a["x"] + a["w"] / 2 <= tray["x"] + tray["w"]) >= 12
    )


async def test_F6_hidden_counts_reach_the_facilitator_only(live_server: LiveServer) -> None:
    board = await live_server.create_board("Counts")
    link = token_of(board["links"]["participant"])
    boss = await Client.connect(
        live_server.url, board["id"], token_of(board["links"]["facilitator"]), name="Kari"
    )
    ola = await Client.connect(live_server.url, board["id"], link, name="Ola")
    aisha = await Client.connect(live_server.url, board["id"], link, name="Aisha")
    await facilitate(boss, "private_on")
    assert (await boss.expect("private_count")) == {
        "type": "private_count",
        "notes": 0,
        "people": 0,
    }
    await ola.ops(
        [
            {
                "op": "create",
                "object": {"id": "o1", "kind": "note", "x": 0, "y": 0, "text": "hemmelig"},
            }
        ]
    )
    await ola.ops([{"op": "create", "object": {"id": "o2", "kind": "note", "x": 0, "y": 0}}])
    await aisha.ops([{"op": "create", "object": {"id": "a1", "kind": "note", "x": 0, "y": 0}}])
    count = await boss.expect("private_count", where=lambda m: m["notes"] == 3)
    assert count == {"type": "private_count", "notes": 3, "people": 2}  # counts, no contents
    # A facilitator who joins now is told at once.
    late = await Client.connect(
        live_server.url, board["id"], token_of(board["links"]["facilitator"]), name="Per"
    )
    assert (await late.expect("private_count"))["notes"] == 3
    await asyncio.sleep(0.5)
    for participant in (ola, aisha):
        assert not [m for m in participant.seen if m.get("type") == "private_count"]
        while not participant.inbox.empty():
            assert (await participant.next())["type"] != "private_count"
