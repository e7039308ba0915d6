"""Issue 13: the disk never fills. Quotas per board, per address and day, a disk floor.

Over the real server on SQLite and PostgreSQL. Each limit is hit with its documented
error and nothing half-written; a backup import's images go through the upload
cleaner (EXIF and bytes after the image are gone when served back).
"""

from __future__ import annotations

import base64
import dataclasses
import io
import json
import time
from typing import Any

import httpx
from PIL import Image

from server.config import Limits, Settings
from tests.exports.helpers import board_count
from tests.exports.test_export_bounds import noise_png, upload
from tests.support.client import Client
from tests.support.servers import serve_in_process, token_of

JSON = {"Content-Type": "application/json"}


def backup(title: str = "B", assets: dict[str, Any] | None = None) -> bytes:
    objects = [
        {"id": f"i{n}", "kind": "image", "x": 0, "y": 0, "asset": a}
        for n, a in enumerate(assets or {})
    ]
    doc = {"format": "samskap-board", "version": 1, "title": title, "settings": {}}
    return json.dumps({**doc, "objects": objects, "assets": assets or {}}).encode()


def participant(board: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_of(board['links']['participant'])}"}


async def asset_ids(http: httpx.AsyncClient, board: dict[str, Any]) -> int:
    got = await http.get(f"/api/boards/{board['id']}", headers=participant(board))
    return len(got.json()["objects"])


async def test_a_board_holds_at_most_its_bytes(db_settings: Settings) -> None:
    limits = dataclasses.replace(Limits(), board_bytes=1_500_000)
    async with serve_in_process(dataclasses.replace(db_settings, limits=limits)) as server:
        board = await server.create_board("Full")
        other = await server.create_board("Andre")
        async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
            first = await upload(http, board, noise_png(5))
            refused = await http.post(
                f"/api/boards/{board['id']}/assets",
                content=noise_png(6),
                headers={**participant(board), "Content-Type": "image/png"},
            )
            assert refused.status_code == 413, refused.text
            assert refused.json()["error"] == "too_large"
            assert "this board is full" in refused.json()["message"]
            # Copying a picture in counts the same; the other board takes its first one.
            await upload(http, other, noise_png(7))
            copied = await http.post(
                f"/api/boards/{board['id']}/assets/copy",
                json={
                    "board": other["id"],
                    "token": token_of(other["links"]["viewer"]),
                    "asset": "x",
                },
                headers=participant(board),
            )
            assert copied.status_code == 404  # unknown asset: checked before the quota
            big = backup(
                "Stor",
                {
                    "a": {"mime": "image/png", "data": base64.b64encode(noise_png(8)).decode()},
                    "b": {"mime": "image/png", "data": base64.b64encode(noise_png(9)).decode()},
                },
            )
            count = await board_count(server)
            imported = await http.post("/api/boards/import", content=big, headers=JSON)
            assert imported.status_code == 413, imported.text
            assert await board_count(server) == count
            picture = await http.get(
                f"/api/boards/{board['id']}/assets/{first}", headers=participant(board)
            )
            assert picture.status_code == 200


async def test_per_address_per_day_boards_and_imported_bytes(db_settings: Settings) -> None:
    limits = dataclasses.replace(
        Limits(), boards_per_day=3, import_bytes_per_day=2_000, boards_per_minute=100
    )
    async with (
        serve_in_process(dataclasses.replace(db_settings, limits=limits)) as server,
        httpx.AsyncClient(base_url=server.url) as http,
    ):
        made = [(await http.post("/api/boards", json={"title": "x"})).status_code for _ in range(2)]
        assert made == [201, 201]
        small = await http.post("/api/boards/import", content=backup(), headers=JSON)
        assert small.status_code == 201  # an import is a new board too: the third
        count = await board_count(server)
        for reply in (
            await http.post("/api/boards", json={"title": "x"}),
            await http.post("/api/boards/import", content=backup(), headers=JSON),
        ):
            assert reply.status_code == 429, reply.text
            assert "today's limit of boards" in reply.json()["message"]
        assert await board_count(server) == count

    limits = dataclasses.replace(Limits(), import_bytes_per_day=1_000)
    async with (
        serve_in_process(dataclasses.replace(db_settings, limits=limits)) as server,
        httpx.AsyncClient(base_url=server.url) as http,
    ):
        big = backup("x" * 1_000)
        count = await board_count(server)
        refused = await http.post("/api/boards/import", content=big, headers=JSON)
        assert refused.status_code == 429
        assert "today's limit of imported bytes" in refused.json()["message"]
        assert await board_count(server) == count


async def test_disk_floor_refuses_new_things_and_keeps_boards_editable(
    db_settings: Settings,
) -> None:
    async with serve_in_process(db_settings) as server:
        board = await server.create_board("Før")
    full = dataclasses.replace(db_settings, min_free_bytes=1 << 62)  # never enough disk
    async with serve_in_process(full) as server:
        async with httpx.AsyncClient(base_url=server.url) as http:
            count = await board_count(server)
            for reply in (
                await http.post("/api/boards", json={"title": "x"}),
                await http.post("/api/boards/import", content=backup(), headers=JSON),
                await http.post(
                    f"/api/boards/{board['id']}/assets",
                    content=noise_png(1, 20),
                    headers={**participant(board), "Content-Type": "image/png"},
                ),
            ):
                assert reply.status_code == 507, reply.text
                assert reply.json()["error"] == "storage_full"
                assert "disk is nearly full" in reply.json()["message"]
            assert await board_count(server) == count
        kari = await Client.connect(
            server.url, board["id"], token_of(board["links"]["participant"])
        )
        ack = await kari.ops(
            [{"op": "create", "object": {"id": "n", "kind": "note", "x": 0, "y": 0}}]
        )
        assert ack["type"] == "ack"  # small edits to existing boards go on
        await kari.close()


def jpeg_with_exif_and_trailer() -> bytes:
    image = Image.new("RGB", (64, 48), "#336699")
    exif = Image.Exif()
    exif[0x010F] = "Spionkamera"  # Make
    exif[0x8825] = {2: (59.0, 54.0, 0.0)}  # GPS latitude
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue() + b"HIDDEN-TRAILER" * 10


async def test_backup_images_are_cleaned_like_uploads(db_settings: Settings) -> None:
    dirty = jpeg_with_exif_and_trailer()
    with Image.open(io.BytesIO(dirty)) as check:
        assert check.getexif()  # the test file really has EXIF
    assets = {"a": {"mime": "image/jpeg", "data": base64.b64encode(dirty).decode()}}
    async with (
        serve_in_process(db_settings) as server,
        httpx.AsyncClient(base_url=server.url) as http,
    ):
        reply = await http.post("/api/boards/import", content=backup("Bilde", assets), headers=JSON)
        assert reply.status_code == 201, reply.text
        created = reply.json()
        served = await http.get(
            f"/api/boards/{created['id']}/assets/a", headers=participant(created)
        )
    assert served.status_code == 200
    clean = served.content
    assert b"HIDDEN-TRAILER" not in clean and b"Spionkamera" not in clean
    assert clean.endswith(b"\xff\xd9")  # nothing after the JPEG's end marker
    with Image.open(io.BytesIO(clean)) as image:
        assert not image.getexif() and image.size == (64, 48)


async def test_purge_judges_idleness_by_the_last_edit(db_settings: Settings) -> None:
    """A board opened 30 days ago and kept open, edited today, is not idle."""
    from sqlalchemy import update

    from server.storage.engine import create_engine
    from server.storage.store import SqlBoardStore
    from server.storage.tables import boards

    async with serve_in_process(db_settings) as server:
        busy = await server.create_board("I bruk")
        idle = await server.create_board("Glemt")
        month_ago = int((time.time() - 30 * 86400) * 1000)
        engine = create_engine(db_settings.database_url, schema=db_settings.database_schema)
        store = SqlBoardStore(engine)
        try:
            async with engine.begin() as conn:
                await conn.execute(update(boards).values(opened_at=month_ago, updated_at=month_ago))
            kari = await Client.connect(
                server.url, busy["id"], token_of(busy["links"]["participant"])
            )
            async with engine.begin() as conn:  # the room opened a month ago, still open
                await conn.execute(update(boards).values(opened_at=month_ago))
            ack = await kari.ops(
                [{"op": "create", "object": {"id": "n", "kind": "note", "x": 0, "y": 0}}]
            )
            assert ack["type"] == "ack"
            await kari.close()
            cutoff = int((time.time() - 7 * 86400) * 1000)
            assert await store.boards_idle_since(cutoff) == [idle["id"]]
        finally:
            await store.close()
