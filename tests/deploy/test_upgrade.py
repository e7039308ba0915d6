"""Upgrades: a database at every earlier migration, with realistic data, upgraded to head.

The data is a real installation made by this version (a template board edited by three
people, an image, dot votes, the batch log), cut down to the tables and columns that
existed at the earlier revision and loaded there; `samskap restore`'s path then runs
every later migration on it. After that the board must open on its old links exactly as
it was, an old batch resent must not be applied twice, and editing must go on.
New migrations are covered without changing this file.
"""

from __future__ import annotations

import gzip
import io
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from PIL import Image
from sqlalchemy import MetaData

from server.config import Settings
from server.storage import backup as backups
from server.storage.engine import MIGRATIONS, create_engine
from tests.support.client import Client
from tests.support.servers import serve_in_process, token_of


def _revisions() -> list[str]:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    scripts = ScriptDirectory.from_config(config)
    return [s.revision for s in reversed(list(scripts.walk_revisions()))]


EARLIER = _revisions()[:-1]


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 10), (10, 120, 60)).save(buffer, "PNG")
    return buffer.getvalue()


async def _installation(folder: Path) -> tuple[Path, dict[str, Any]]:
    """A used installation at head, and its backup: (backup file, what to expect)."""
    settings = Settings(data_dir=folder)
    async with serve_in_process(settings) as server:
        board = await server.create_board("Interessentkart", template="power-interest-grid")
        links = board["links"]
        boss = await Client.connect(
            server.url, board["id"], token_of(links["facilitator"]), name="Kari"
        )
        ola = await Client.connect(server.url, board["id"], token_of(links["participant"]))
        notes = [
            {"op": "create", "object": {"id": f"n{i}", "kind": "note", "x": i * 30, "y": 5}}
            for i in range(5)
        ]
        first = await ola.ops(notes, "batch-first")
        await ola.ops([{"op": "update", "id": "n1", "set": {"text": "Frivillige"}}])
        await ola.ops([{"op": "delete", "id": "n4"}])
        async with httpx.AsyncClient(base_url=server.url) as http:
            asset = await http.post(
                f"/api/boards/{board['id']}/assets",
                content=_png(),
                headers={
                    "Authorization": "Bearer " + token_of(links["participant"]),
                    "Content-Type": "image/png",
                },
            )
            assert asset.status_code == 201
        await boss.send({"type": "facilitate", "action": "voting_open", "votes": 3, "per_note": 2})
        await boss.expect("session")
        for target in ("n0", "n0", "n1"):
            await ola.send({"type": "vote", "id": target})
            assert (await ola.next_of(("votes", "error")))["type"] == "votes"
        await boss.close()
        await ola.close()
        fresh = await Client.connect(server.url, board["id"], token_of(links["viewer"]))
        expected = {
            "board": board,
            "seq": fresh.seq,
            "objects": fresh.objects,
            "first": ("batch-first", first["seq"], notes),
            "asset": asset.json()["asset"],
        }
        await fresh.close()
    engine = create_engine(settings.database_url)
    path = folder / "head.samskap-backup"
    try:
        summary = await backups.backup(engine, path)
    finally:
        await engine.dispose()
    assert summary.rows["votes"] == 2 and summary.rows["assets"] == 1
    expected["rows"] = summary.rows
    return path, expected


def _project(source: Path, target: Path, revision: str, schema: MetaData) -> dict[str, int]:
    """The backup cut down to `schema` (the tables and columns of `revision`)."""
    rows: dict[str, int] = {}
    keep: list[int] | None = None
    with gzip.open(source, "rb") as f, gzip.open(target, "wb") as out:
        for line in f:
            record = orjson.loads(line)
            if isinstance(record, dict) and record.get("format"):
                record["revision"] = revision
            elif isinstance(record, dict) and "table" in record:
                table = schema.tables.get(record["table"])
                if table is None:
                    keep = None
                    continue
                names = set(table.columns.keys())
                keep = [i for i, c in enumerate(record["columns"]) if c in names]
                record["columns"] = [record["columns"][i] for i in keep]
                rows[record["table"]] = 0
            elif isinstance(record, list):
                if keep is None:
                    continue
                record = [record[i] for i in keep]
                rows[list(rows)[-1]] += 1
            elif record.get("end"):
                record["rows"] = rows
            out.write(orjson.dumps(record) + b"\n")
    return rows


@pytest.fixture(scope="module")
def installation(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    import asyncio

    folder = tmp_path_factory.mktemp("installation")
    return asyncio.run(_installation(folder))


@pytest.mark.skipif(not EARLIER, reason="only one migration: nothing to upgrade from")
@pytest.mark.parametrize("revision", EARLIER)
async def test_upgrade_from_every_earlier_revision_keeps_every_board(
    revision: str, installation: tuple[Path, dict[str, Any]], db_settings: Settings, tmp_path: Path
) -> None:
    source, expected = installation
    engine = create_engine(db_settings.database_url, schema=db_settings.database_schema)
    try:
        # The schema at `revision`, to know its tables and columns.
        async with engine.begin() as conn:
            await conn.run_sync(_upgrade_to, revision)
            schema = MetaData()
            await conn.run_sync(schema.reflect)
            await conn.run_sync(_drop_all)
        projected = tmp_path / f"at-{revision}.samskap-backup"
        rows = _project(source, projected, revision, schema)
        assert rows["boards"] == 1 and rows["objects"] > 20
        # Load at `revision`, then every later migration runs on the data.
        summary = await backups.restore(engine, projected)
        assert summary.revision == revision
    finally:
        await engine.dispose()

    board = expected["board"]
    links = board["links"]
    async with serve_in_process(db_settings) as server:
        client = await Client.connect(server.url, board["id"], token_of(links["participant"]))
        assert client.seq == expected["seq"]
        assert client.objects == expected["objects"]
        # The log came along: an old batch resent is answered, not applied again.
        batch, seq, ops = expected["first"]
        again = await client.ops(ops, batch)
        assert again["type"] == "ack" and again["seq"] == seq, again
        reply = await client.ops([{"op": "update", "id": "n0", "set": {"text": "etter"}}])
        assert reply["type"] == "ack" and reply["seq"] == expected["seq"] + 1, reply
        await client.close()
        async with httpx.AsyncClient(base_url=server.url) as http:
            got = await http.get(
                f"/api/boards/{board['id']}/assets/{expected['asset']}",
                headers={"Authorization": "Bearer " + token_of(links["viewer"])},
            )
            assert got.status_code == 200
            assert got.headers["x-samskap-version"]


def _upgrade_to(connection: Any, revision: str) -> None:
    from alembic import command

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


def _drop_all(connection: Any) -> None:
    """Back to an empty database (restore wants one), schema included."""
    reflected = MetaData()
    reflected.reflect(connection)
    reflected.drop_all(connection)


async def test_an_older_version_refuses_a_database_a_newer_one_upgraded(tmp_path: Path) -> None:
    import sqlite3

    from tests.deploy.test_backup import samskap
    from tests.support.servers import free_port

    env = {"SAMSKAP_DATA_DIR": str(tmp_path)}
    assert (await samskap(env, "migrate"))[0] == 0
    with sqlite3.connect(tmp_path / "samskap.db") as db:
        db.execute("UPDATE alembic_version SET version_num = '9999'")
    code, _, err = await samskap(env, "migrate")
    assert code == 1
    assert "schema revision 9999, which this Samskap does not know" in err, err
    code, _, err = await samskap(env, "serve", "--port", str(free_port()))
    assert code != 0
    assert "which this Samskap does not know" in err, err[-2000:]
