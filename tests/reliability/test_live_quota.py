"""Issue 13: live edits count toward the board's bytes and stop at the disk's hard floor.

The shipped page engine under Node (`tests/support/livepage.py`) on a real socket to
the real server, on SQLite and PostgreSQL, with small limits set through settings.
A refused batch is dropped by the page (its view falls back), says why in words, and
leaves the database as it was.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from server.config import Limits, Settings
from tests.support.jsengine import NodePages, node_available
from tests.support.livepage import LivePage
from tests.support.servers import serve_in_process, token_of

pytestmark = pytest.mark.skipif(not node_available(), reason="node is not installed")


@pytest.fixture
def pages() -> Iterator[NodePages]:
    node = NodePages()
    try:
        yield node
    finally:
        node.close()


def note(n: int, chars: int = 4_000) -> dict[str, Any]:
    text = f"Innspill {n} ".ljust(chars, "x")
    return {"op": "create", "object": {"id": f"n{n}", "kind": "note", "x": n, "y": 0, "text": text}}


async def board_state(url: str, board: dict[str, Any]) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token_of(board['links']['facilitator'])}"}
    async with httpx.AsyncClient(base_url=url) as http:
        got = await http.get(f"/api/boards/{board['id']}", headers=headers)
        got.raise_for_status()
        return got.json()  # type: ignore[no-any-return]


async def test_live_edits_stop_at_the_boards_bytes(db_settings: Settings, pages: NodePages) -> None:
    limits = dataclasses.replace(Limits(), board_bytes=60_000)
    async with serve_in_process(dataclasses.replace(db_settings, limits=limits)) as server:
        board = await server.create_board("Liten")
        page = LivePage(
            pages, "kari", server.url, board["id"], token_of(board["links"]["participant"])
        )
        await page.open()
        acked = 0
        for n in range(20):
            await page.edit([note(n)])
            state = await page.settled()
            if state["refused"]:
                break
            acked += 1
        # About 8 KB a note (its row and its log entry): the 60 KB board takes 7.
        assert 5 <= acked <= 7, acked
        refusal = state["refused"][-1]
        assert refusal["code"] == "too_large"
        assert "this board is full" in refusal["message"]
        assert f"n{acked}" not in {o["id"] for o in state["objects"]}  # the view fell back
        before = await board_state(server.url, board)
        assert before["seq"] == acked and len(before["objects"]) == acked
        # Another big note is refused again; nothing changes in the database.
        await page.edit([note(99)])
        state = await page.settled()
        assert [r["code"] for r in state["refused"]] == ["too_large", "too_large"]
        assert await board_state(server.url, board) == before
        # Deletes always go through: that is how a full board is tidied.
        await page.edit([{"op": "delete", "id": "n0"}])
        state = await page.settled()
        assert len(state["refused"]) == 2 and state["seq"] == acked + 1
        after = await board_state(server.url, board)
        assert "n0" not in {o["id"] for o in after["objects"]}
        await page.close()


async def test_the_hard_disk_floor_stops_edits_and_the_soft_one_does_not(
    db_settings: Settings, pages: NodePages
) -> None:
    # Below SAMSKAP_MIN_FREE_BYTES but above the hard floor: existing boards stay editable.
    soft = dataclasses.replace(db_settings, min_free_bytes=1 << 62, hard_free_bytes=0)
    async with serve_in_process(soft) as server, httpx.AsyncClient(base_url=server.url) as http:
        refused = await http.post("/api/boards", json={"title": "Ny"})
        assert refused.status_code == 507 and refused.json()["error"] == "storage_full"
    async with serve_in_process(db_settings) as server:
        board = await server.create_board("Fra før")
    async with serve_in_process(soft) as server:
        page = LivePage(
            pages, "ola", server.url, board["id"], token_of(board["links"]["participant"])
        )
        await page.open()
        await page.edit([note(1, 100)])
        state = await page.settled()
        assert not state["refused"] and state["seq"] == 1
        await page.close()
    # Below the hard floor (SAMSKAP_HARD_FREE_BYTES): even a small edit is refused.
    hard = dataclasses.replace(db_settings, hard_free_bytes=1 << 62)
    async with serve_in_process(hard) as server:
        before = await board_state(server.url, board)
        page = LivePage(
            pages, "kari", server.url, board["id"], token_of(board["links"]["participant"])
        )
        await page.open()
        await page.edit([note(2, 10)])
        state = await page.settled()
        assert [r["code"] for r in state["refused"]] == ["storage_full"]
        assert "disk is full" in state["refused"][0]["message"]
        assert {o["id"] for o in state["objects"]} == {"n1"}  # the view fell back
        assert await board_state(server.url, board) == before
        await page.close()
