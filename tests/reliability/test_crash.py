"""R3: SIGKILL the server while clients edit; nothing acknowledged is lost or doubled.

Small size here (5 clients x 60 batches, 2 kills) on SQLite and on PostgreSQL; the full
size (20 x 500, 5 kills) is `tests/soak/crash_nightly.py`.
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import httpx
import psutil
import pytest

from tests.reliability.crash import FAST_ENV, crash_run
from tests.support.client import Client
from tests.support.processes import ended
from tests.support.servers import ServerProcess, free_port, token_of
from tests.support.services import postgres_schema


@pytest.mark.slow
async def test_r3_sigkill_loses_nothing_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'crash.db'}"
    env = {"SAMSKAP_DATA_DIR": str(tmp_path), "SAMSKAP_DATABASE_URL": url}
    figures = await crash_run(env, (url, None), clients=5, batches=60, kills=2)
    assert figures.missing == 0 and figures.duplicated == 0
    assert figures.final_seq == 5 * 60


@pytest.mark.slow
@pytest.mark.postgres
async def test_r3_sigkill_loses_nothing_on_postgres(tmp_path: Path) -> None:
    async with postgres_schema() as (url, schema):
        env = {
            "SAMSKAP_DATA_DIR": str(tmp_path),
            "SAMSKAP_DATABASE_URL": url,
            "SAMSKAP_DATABASE_SCHEMA": schema,
        }
        figures = await crash_run(env, (url, schema), clients=5, batches=60, kills=2)
        assert figures.missing == 0 and figures.duplicated == 0
        assert figures.final_seq == 5 * 60


async def test_the_sqlite_writer_process_ends_with_its_server(tmp_path: Path) -> None:
    """The SQLite writer process (server/storage/writer_process.py) never outlives the
    server: SIGKILL to the server ends it (its socket closes), and so does a graceful
    stop, after the commits in flight; nor do its other children after a SIGKILL. An
    edit acknowledged before the kill is there after the restart."""
    database = tmp_path / "board.db"
    env = {
        **FAST_ENV,
        "SAMSKAP_DATA_DIR": str(tmp_path),
        "SAMSKAP_DATABASE_URL": f"sqlite+aiosqlite:///{database}",
    }
    server = ServerProcess(env, free_port())
    await server.start()
    try:
        writer = await _writer_of(server, database)
        async with httpx.AsyncClient() as http:
            board = (await http.post(server.url + "/api/boards", json={"title": "W"})).json()
        token = token_of(board["links"]["participant"])
        client = await Client.connect(server.url, board["id"], token)
        note = {"id": "n1", "kind": "note", "x": 1, "y": 2, "text": "før"}
        ack = await client.ops([{"op": "create", "object": note}])
        assert ack["type"] == "ack"
        await client.close()

        assert server.proc is not None
        children = psutil.Process(server.proc.pid).children(recursive=True)
        server.kill()
        assert await ended(writer.pid), "the writer outlived its server's SIGKILL"
        # The export workers (a watchdog of their own: their job queue's pipe does not
        # close) and multiprocessing's resource tracker end too.
        assert len(children) >= 3, [c.name() for c in children]
        for child in children:
            assert await ended(child.pid, 10.0), f"{child.pid} outlived its server's SIGKILL"

        await server.start()
        writer = await _writer_of(server, database)
        client = await Client.connect(server.url, board["id"], token)
        assert [o["text"] for o in client.objects.values()] == ["før"]
        await client.close()
        assert server.proc is not None
        server.proc.terminate()
        assert server.proc.wait(10) in (0, -15)  # uvicorn ends by the signal it handled
        assert await ended(writer.pid), "the writer outlived its server's graceful stop"
    finally:
        server.stop()


async def _writer_of(server: ServerProcess, database: Path) -> psutil.Process:
    """The server's child process that holds the database file open for writing."""
    assert server.proc is not None
    parent = psutil.Process(server.proc.pid)
    for _ in range(200):
        for child in parent.children():
            with contextlib.suppress(psutil.Error):
                if any(Path(f.path) == database for f in child.open_files()):
                    return child
        await asyncio.sleep(0.05)
    raise AssertionError("no child process of the server has the database open")
