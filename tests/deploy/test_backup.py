"""`samskap backup` while people edit, `samskap restore` SQLite → PostgreSQL → SQLite.

Every board comes back as it was in the backup's snapshot (objects, seq, assets, links),
old links open it, a batch resent with an old id is not applied twice, and editing goes on.
"""

from __future__ import annotations

import asyncio
import io
import os
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from server.storage.backup import head_revision
from tests.support.client import Client, new_id
from tests.support.servers import ServerProcess, free_port, token_of
from tests.support.services import postgres_schema

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]
FAST = {"SAMSKAP_LIMIT_BATCHES_PER_SEC": "1000", "SAMSKAP_LIMIT_BATCH_BURST": "1000"}


async def samskap(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "server",
        *args,
        env={**os.environ, **env},
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 120)
    return proc.returncode or 0, out.decode(), err.decode()


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 40, 90)).save(buffer, "PNG")
    return buffer.getvalue()


async def state(url: str, board: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """(seq, objects) as a fresh participant sees the board on opening its old link."""
    client = await Client.connect(url, board["id"], token_of(board["links"]["participant"]))
    try:
        return client.seq, client.objects
    finally:
        await client.close()


async def edit_until(client: Client, me: int, stop: asyncio.Event, acked: list[Any]) -> None:
    n = 0
    while not stop.is_set():
        n += 1
        ops: list[dict[str, Any]] = [
            {"op": "create", "object": {"id": f"c{me}n{n}", "kind": "note", "x": n, "y": me}}
        ]
        if n > 1:
            ops.append({"op": "update", "id": f"c{me}n{n - 1}", "set": {"text": f"t{n}"}})
        batch = new_id("b")
        reply = await client.ops(ops, batch)
        assert reply["type"] == "ack", reply
        acked.append((batch, reply["seq"], ops))


def replay(
    start: tuple[int, dict[str, Any]], catchup: list[dict[str, Any]], upto: int
) -> dict[str, Any]:
    """The board at `upto`, rebuilt from `start` and the log the way a client applies it."""
    board = Client.__new__(Client)
    board.seq, board.objects = start[0], {k: dict(v) for k, v in start[1].items()}
    board._buffer = {}
    for batch in catchup:
        if start[0] < batch["seq"] <= upto:
            board.apply(batch)
    return board.objects


async def test_backup_while_editing_then_restore_sqlite_postgres_sqlite(tmp_path: Path) -> None:
    # --- A busy installation on SQLite ---------------------------------------------------
    env_a = {"SAMSKAP_DATA_DIR": str(tmp_path / "a"), **FAST, "SAMSKAP_LOG_LEVEL": "warning"}
    server_a = ServerProcess(env_a, free_port())
    await server_a.start()
    try:
        async with httpx.AsyncClient(base_url=server_a.url) as http:
            boards = []
            for title, template in (("Interessentkart", "power-interest-grid"), ("Tom", None)):
                body = {"title": title, **({"template": template} if template else {})}
                boards.append((await http.post("/api/boards", json=body)).raise_for_status().json())
            image = await http.post(
                f"/api/boards/{boards[0]['id']}/assets",
                content=png(),
                headers={
                    "Authorization": "Bearer " + token_of(boards[0]["links"]["participant"]),
                    "Content-Type": "image/png",
                },
            )
            assert image.status_code == 201
        initial = {b["id"]: await state(server_a.url, b) for b in boards}
        clients = [
            await Client.connect(server_a.url, b["id"], token_of(b["links"]["participant"]))
            for b in boards
            for _ in range(2)
        ]
        stop = asyncio.Event()
        acked: list[list[Any]] = [[] for _ in clients]
        editors = [
            asyncio.create_task(edit_until(c, i, stop, acked[i])) for i, c in enumerate(clients)
        ]
        await asyncio.sleep(1.0)
        backup_a = tmp_path / "a.samskap-backup"
        code, out, err = await samskap(env_a, "backup", str(backup_a))
        await asyncio.sleep(0.5)
        stop.set()
        await asyncio.gather(*editors)
        assert code == 0, err
        assert "backup written" in out and "boards" in out, out
        assert all(len(a) > 5 for a in acked), [len(a) for a in acked]
        # What the log says each board was; the backup must hold one of these moments.
        full = {}
        for b in boards:
            c = await Client.connect(
                server_a.url, b["id"], token_of(b["links"]["participant"]), since=0
            )
            full[b["id"]] = c.welcome["catchup"]
            await c.close()
        for c in clients:
            await c.close()
    finally:
        server_a.stop()

    async def check_restored(url: str) -> dict[str, int]:
        """Every board as the log says it was at the restored seq; edits were going on."""
        seqs = {}
        for b in boards:
            seq, objects = await state(url, b)
            last = full[b["id"]][-1]["seq"]
            assert 0 < seq < last  # taken mid-editing, not before or after
            assert objects == replay(initial[b["id"]], full[b["id"]], seq)
            seqs[b["id"]] = seq
        return seqs

    # --- Restore into an empty PostgreSQL schema ------------------------------------------
    async with postgres_schema() as (pg_url, schema):
        env_b = {
            "SAMSKAP_DATABASE_URL": pg_url,
            "SAMSKAP_DATABASE_SCHEMA": schema,
            "SAMSKAP_DATA_DIR": str(tmp_path / "b"),
            **FAST,
            "SAMSKAP_LOG_LEVEL": "warning",
        }
        code, out, err = await samskap(env_b, "restore", str(backup_a))
        assert code == 0, err
        assert "restored" in out and f"revision {head_revision()}" in out, out
        # A second restore into the now full database is refused, changing nothing.
        code, _, err = await samskap(env_b, "restore", str(backup_a))
        assert code == 1 and "not empty" in err, err

        server_b = ServerProcess(env_b, free_port())
        await server_b.start()
        try:
            seqs = await check_restored(server_b.url)
            # The batch-id window came along: an old batch resent is not applied twice.
            owner = clients[0]
            old_batch, old_seq, old_ops = next(a for a in acked[0] if a[1] <= seqs[boards[0]["id"]])
            again = await Client.connect(
                server_b.url, boards[0]["id"], token_of(boards[0]["links"]["participant"])
            )
            before = again.seq
            reply = await again.ops(old_ops, old_batch)
            assert reply["type"] == "ack" and reply["seq"] == old_seq, reply
            assert (await state(server_b.url, boards[0]))[0] == before
            del owner
            # The image asset answers on its old URL with the old viewer link.
            async with httpx.AsyncClient(base_url=server_b.url) as http:
                got = await http.get(
                    f"/api/boards/{boards[0]['id']}/assets/{image.json()['asset']}",
                    headers={"Authorization": "Bearer " + token_of(boards[0]["links"]["viewer"])},
                )
                assert got.status_code == 200 and got.content[:4] in (
                    b"\x89PNG",
                    b"\xff\xd8\xff\xe0",
                )
            # Editing continues on the restored installation.
            reply = await again.ops(
                [{"op": "create", "object": {"id": "after-pg", "kind": "note", "x": 1, "y": 1}}]
            )
            assert reply["type"] == "ack" and reply["seq"] == before + 1, reply
            await again.close()
            expected = {b["id"]: await state(server_b.url, b) for b in boards}
            backup_b = tmp_path / "b.samskap-backup"
            code, out, err = await samskap(env_b, "backup", str(backup_b))
            assert code == 0 and "postgresql" in out, (out, err)
        finally:
            server_b.stop()

    # --- And back to a new SQLite file ---------------------------------------------------
    env_c = {"SAMSKAP_DATA_DIR": str(tmp_path / "c"), **FAST, "SAMSKAP_LOG_LEVEL": "warning"}
    code, out, err = await samskap(env_c, "restore", str(backup_b))
    assert code == 0, err
    server_c = ServerProcess(env_c, free_port())
    await server_c.start()
    try:
        for b in boards:
            assert await state(server_c.url, b) == expected[b["id"]]
        board = boards[0]
        client = await Client.connect(
            server_c.url, board["id"], token_of(board["links"]["facilitator"])
        )
        assert "after-pg" in client.objects
        reply = await client.ops(
            [{"op": "update", "id": "after-pg", "set": {"text": "still editing"}}]
        )
        assert reply["type"] == "ack" and reply["seq"] == expected[board["id"]][0] + 1
        await client.close()
    finally:
        server_c.stop()


async def test_restore_refuses_a_cut_file_and_changes_nothing(tmp_path: Path) -> None:
    env = {"SAMSKAP_DATA_DIR": str(tmp_path / "a")}
    code, _, err = await samskap(env, "migrate")
    assert code == 0, err
    backup = tmp_path / "x.samskap-backup"
    code, _, err = await samskap(env, "backup", str(backup))
    assert code == 0, err
    cut = tmp_path / "cut.samskap-backup"
    cut.write_bytes(backup.read_bytes()[:-20])
    target = {"SAMSKAP_DATA_DIR": str(tmp_path / "b")}
    code, _, err = await samskap(target, "restore", str(cut))
    assert code == 1 and "samskap restore:" in err, err
    code, _, err = await samskap(target, "restore", str(tmp_path / "missing"))
    assert code == 1 and "does not exist" in err
