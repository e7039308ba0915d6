"""S7: after a scripted session (every role joins, edits, wrong and rotated links, HTTP
calls, an export), no link token appears in the server's logs."""

from __future__ import annotations

import logging
from pathlib import Path

import httpx
import pytest

from server.config import Settings
from tests.reliability.crash import FAST_ENV
from tests.support.client import Client
from tests.support.servers import ServerProcess, free_port, serve_in_process, token_of


async def scripted_session(url: str) -> list[str]:
    """Run a small workshop against `url`; return every token that was used."""
    async with httpx.AsyncClient(base_url=url) as http:
        board = (await http.post("/api/boards", json={"title": "Logs"})).json()
        tokens = {role: token_of(link) for role, link in board["links"].items()}
        admin = {"Authorization": f"Bearer {tokens['facilitator']}"}
        clients = [
            await Client.connect(url, board["id"], token, name=role)
            for role, token in tokens.items()
        ]
        await clients[1].ops(
            [{"op": "create", "object": {"id": "n1", "kind": "note", "x": 0, "y": 0}}]
        )
        await clients[2].ops([{"op": "delete", "id": "n1"}])  # viewer: forbidden
        await http.get(f"/api/boards/{board['id']}", headers=admin)
        await http.patch(f"/api/boards/{board['id']}", json={"title": "Nytt"}, headers=admin)
        await http.get(f"/api/boards/{board['id']}/export.svg", headers=admin)
        rotated = await http.post(
            f"/api/boards/{board['id']}/links/participant/rotate", headers=admin
        )
        fresh = token_of(rotated.json()["link"])
        await clients[1].wait_closed()
        stale = await Client.connect(url, board["id"], tokens["participant"], expect_welcome=False)
        await stale.wait_closed()
        await http.get(
            f"/api/boards/{board['id']}",
            headers={"Authorization": f"Bearer {tokens['participant']}"},
        )
        wrong = await Client.connect(url, board["id"], fresh + "x", expect_welcome=False)
        await wrong.wait_closed()
        for client in clients:
            await client.close()
    return [*tokens.values(), fresh]


async def test_s7_no_token_in_the_logs_of_a_server_process(tmp_path: Path) -> None:
    env = {**FAST_ENV, "SAMSKAP_DATA_DIR": str(tmp_path), "SAMSKAP_LOG_LEVEL": "info"}
    server = ServerProcess(env, free_port())
    await server.start()
    try:
        tokens = await scripted_session(server.url)
    finally:
        server.stop()
    assert server.proc is not None and server.proc.stderr is not None
    logs = server.proc.stderr.read().decode()
    assert "GET /api/boards" in logs  # the access log is there and was read
    for token in tokens:
        assert token not in logs


@pytest.mark.parametrize("level", [logging.INFO, logging.DEBUG])
async def test_s7_no_token_in_captured_logs(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, level: int
) -> None:
    caplog.set_level(level)
    async with serve_in_process(Settings(data_dir=tmp_path)) as server:
        tokens = await scripted_session(server.url)
    text = "\n".join(record.getMessage() for record in caplog.records) + caplog.text
    for token in tokens:
        assert token not in text
