"""S3 and S4: floods apply nothing beyond the limit and do not slow other boards; per-address
limits hold across reconnects and spoofed X-Forwarded-For; connection caps hold."""

from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import orjson
import websockets

from server.config import Limits, Settings
from tests.support.client import Client
from tests.support.servers import serve_in_process, token_of

SPOOF = {"X-Forwarded-For": "203.0.113.7"}


def note(object_id: str) -> dict[str, Any]:
    return {"op": "create", "object": {"id": object_id, "kind": "note", "x": 0, "y": 0}}


async def refused_join(url: str, board: str, token: str, headers: dict[str, str]) -> int | None:
    """Open a socket and join; return the close code the server answers with."""
    ws_url = url.replace("http", "ws", 1) + f"/ws/boards/{board}"
    ws = await websockets.connect(ws_url, additional_headers=headers)
    try:
        await ws.send(orjson.dumps({"type": "join", "token": token}).decode())
        reply = await asyncio.wait_for(ws.recv(), 5)
        assert '"rate_limited"' in str(reply), reply
    except websockets.ConnectionClosed:
        pass  # refused before the join was read
    await asyncio.wait_for(ws.wait_closed(), 5)
    return ws.close_code


async def test_s3_flood_at_ten_times_the_limit(tmp_path: Path) -> None:
    limits = replace(Limits(), batches_per_sec=5, batch_burst=10, flood_strikes=100_000)
    async with serve_in_process(Settings(data_dir=tmp_path, limits=limits)) as server:
        flooded, quiet = await server.create_board("flood"), await server.create_board("quiet")
        attacker = await Client.connect(
            server.url, flooded["id"], token_of(flooded["links"]["participant"])
        )
        bystander = await Client.connect(
            server.url, quiet["id"], token_of(quiet["links"]["participant"])
        )
        baseline = []
        for i in range(5):
            started = time.perf_counter()
            await bystander.ops([note(f"before{i}")])
            baseline.append(time.perf_counter() - started)

        started = time.monotonic()
        frames = 500  # 10x the rate over ~10 s of budget, sent at once

        async def flood() -> None:
            for i in range(frames):
                await attacker.send({"type": "ops", "batch": f"f{i}", "ops": [note(f"f{i}")]})

        sender = asyncio.create_task(flood())
        during = []
        for i in range(5):
            t0 = time.perf_counter()
            reply = await bystander.ops([note(f"during{i}")])
            assert reply["type"] == "ack"
            during.append(time.perf_counter() - t0)
        await sender
        replies: list[dict[str, Any]] = []
        while len(replies) < frames:
            message = await attacker.next(timeout=10)
            if message.get("batch", "").startswith("f"):
                replies.append(message)
        elapsed = time.monotonic() - started
        acked = sum(1 for r in replies if r["type"] == "ack")
        limited = sum(1 for r in replies if r.get("code") == "rate_limited")
        assert acked + limited == frames
        assert acked <= 10 + 5 * elapsed + 1, (acked, elapsed)
        async with httpx.AsyncClient(base_url=server.url) as http:
            stored = (
                await http.get(
                    f"/api/boards/{flooded['id']}",
                    headers={"Authorization": f"Bearer {token_of(flooded['links']['viewer'])}"},
                )
            ).json()
        assert len(stored["objects"]) == acked  # nothing beyond the acknowledged ones
        # The other board did not notice.
        assert statistics.median(during) < max(0.1, 10 * statistics.median(baseline)), (
            baseline,
            during,
        )
        await attacker.close()
        await bystander.close()


async def test_s3_s4_per_address_limits_survive_reconnects_and_spoofed_headers(
    tmp_path: Path,
) -> None:
    limits = replace(Limits(), joins_per_minute=4, connections_per_address=3, boards_per_minute=3)
    async with serve_in_process(Settings(data_dir=tmp_path, limits=limits)) as server:
        async with httpx.AsyncClient(base_url=server.url) as http:
            boards = []
            for _ in range(3):
                response = await http.post("/api/boards", json={"title": "x"}, headers=SPOOF)
                assert response.status_code == 201
                boards.append(response.json())
            for spoof in ("198.51.100.1", "10.9.9.9, 192.0.2.1"):
                response = await http.post(
                    "/api/boards", json={"title": "x"}, headers={"X-Forwarded-For": spoof}
                )
                assert response.status_code == 429
        board = boards[0]
        token = token_of(board["links"]["participant"])
        # Connections per address: three at once, the fourth is refused (4029).
        open_ = [await Client.connect(server.url, board["id"], token) for _ in range(3)]
        assert await refused_join(server.url, board["id"], token, SPOOF) == 4029
        for client in open_:
            await client.close()
        # Joins per minute: 3 used + 1 more; reconnecting does not buy more.
        last = await Client.connect(server.url, board["id"], token)
        await last.close()
        assert await refused_join(server.url, board["id"], token, SPOOF) == 4029
        assert await refused_join(server.url, board["id"], token, {}) == 4029


async def test_s4_connections_per_board(tmp_path: Path) -> None:
    limits = replace(Limits(), connections_per_board=3)
    async with serve_in_process(Settings(data_dir=tmp_path, limits=limits)) as server:
        board = await server.create_board()
        token = token_of(board["links"]["participant"])
        clients = [await Client.connect(server.url, board["id"], token) for _ in range(3)]
        assert await refused_join(server.url, board["id"], token, {}) == 4029
        other = await server.create_board()  # other boards are not affected
        fine = await Client.connect(server.url, other["id"], token_of(other["links"]["viewer"]))
        await clients[0].close()
        await asyncio.wait_for(_until_room_has(server, board["id"], 2), 5)
        again = await Client.connect(server.url, board["id"], token)
        for client in [*clients[1:], fine, again]:
            await client.close()


async def _until_room_has(server: Any, board_id: str, count: int) -> None:
    hub = server.app.state.hub
    while (room := hub.rooms.get(board_id)) is None or len(room.sessions) != count:
        await asyncio.sleep(0.01)


async def test_s3_reconnecting_does_not_reset_the_ops_limit(tmp_path: Path) -> None:
    """The per-address budget (all sockets of one address together) survives reconnects."""
    limits = replace(Limits(), address_batches_per_sec=10, flood_strikes=100_000)
    async with serve_in_process(Settings(data_dir=tmp_path, limits=limits)) as server:
        board = await server.create_board()
        token = token_of(board["links"]["participant"])
        started = time.monotonic()
        acked = 0
        for round_ in range(6):
            client = await Client.connect(server.url, board["id"], token)
            for i in range(20):
                reply = await client.ops([note(f"r{round_}x{i}")])
                acked += reply["type"] == "ack"
            await client.close()
        # One burst of 10 plus 10/s refill however slow the machine; a budget that a
        # reconnect reset would give 10 more per round (50 more over six rounds).
        assert acked <= 10 + 10 * (time.monotonic() - started) + 1, acked
