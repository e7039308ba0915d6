"""S7: after a scripted session (every role joins, edits, wrong and rotated links, HTTP
calls, an export), no link token appears in the server's logs."""

from __future__ import annotations

import json
import logging
import sqlite3
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


async def test_the_sqlite_writer_process_logs_into_the_server_s_log(tmp_path: Path) -> None:
    """A commit on SQLite runs in the writer process; what it logs (here: a damaged
    stored object, its board refused) comes out of the server process, in its JSON
    format, with the traceback."""
    database = tmp_path / "samskap.db"
    env = {
        **FAST_ENV,
        "SAMSKAP_DATA_DIR": str(tmp_path),
        "SAMSKAP_DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        "SAMSKAP_LOG_FORMAT": "json",
    }
    server = ServerProcess(env, free_port())
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=server.url) as http:
            board = (await http.post("/api/boards", json={"title": "Logg"})).json()
        client = await Client.connect(
            server.url, board["id"], token_of(board["links"]["participant"])
        )
        note = {"id": "n1", "kind": "note", "x": 0, "y": 0}
        assert (await client.ops([{"op": "create", "object": note}]))["type"] == "ack"
        with sqlite3.connect(database) as db:  # a disk error or an old bug, after the join
            db.execute("UPDATE objects SET data = '{not json' WHERE id = 'n1'")
        reply = await client.ops([{"op": "update", "id": "n1", "set": {"x": 5}}])
        assert reply.get("code") == "unavailable"
        await client.close()
    finally:
        server.stop()
    assert server.proc is not None and server.proc.stderr is not None
    stderr = server.proc.stderr.read().decode().splitlines()
    # (Python's resource tracker warns in plain text at exit: docs/operations.md.)
    lines = [json.loads(line) for line in stderr if line.startswith("{")]
    [failure] = [line for line in lines if line["logger"] == "samskap.commit"]
    assert failure["level"] == "error" and board["id"] in failure["message"]
    assert failure["error"].startswith("Traceback (most recent call last)")
