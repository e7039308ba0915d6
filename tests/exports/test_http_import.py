"""Imports over the real server: backup round trip, Excalidraw fixtures, and bad input."""

from __future__ import annotations

import base64
import dataclasses
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from server.config import Limits, Settings
from tests.exports.helpers import auth, board_count, get, known_board, post
from tests.formats.images import bomb_png, png_bytes, png_header_only
from tests.support.servers import LiveServer, serve_in_process, token_of

DATA = Path(__file__).parent.parent / "data" / "excalidraw"
FIXTURES = sorted(DATA.glob("*.excalidraw"))


async def _import(server: LiveServer, data: bytes, **params: str) -> Any:
    return await post(server, "/api/boards/import", content=data, params=params)


async def test_json_export_import_export_is_equal(db_server: LiveServer) -> None:
    board = await known_board(db_server)
    first = await get(db_server, f"/api/boards/{board['id']}/export.json", headers=auth(board))
    assert first.status_code == 200
    assert first.headers["content-type"] == "application/json"
    before = await board_count(db_server)
    reply = await _import(db_server, first.content)
    assert reply.status_code == 201, reply.text
    created = reply.json()
    assert await board_count(db_server) == before + 1
    assert created["title"] == "Samskaping på Ål bibliotek" and created["id"] != board["id"]
    assert set(created["links"]) == {"facilitator", "participant", "viewer"}
    assert created["report"]["imported"] == {
        "frame": 1,
        "note": 5,
        "connector": 1,
        "text": 1,
        "image": 1,
    }
    assert created["report"]["assets"] == 1
    again = await get(
        db_server, f"/api/boards/{created['id']}/export.json", headers=auth(created, "viewer")
    )
    assert again.status_code == 200
    assert again.content == first.content
    # The imported image really is served from the new board.
    doc = json.loads(again.content)
    [asset_id] = doc["assets"]
    image = await get(
        db_server, f"/api/boards/{created['id']}/assets/{asset_id}", headers=auth(created)
    )
    assert image.status_code == 200
    assert image.content == base64.b64decode(doc["assets"][asset_id]["data"])


async def test_import_title_can_be_chosen(live_server: LiveServer) -> None:
    board = await known_board(live_server)
    backup = await get(live_server, f"/api/boards/{board['id']}/export.json", headers=auth(board))
    reply = await _import(live_server, backup.content, title="  Kopi  for   gruppe 2 ")
    assert reply.status_code == 201 and reply.json()["title"] == "Kopi for gruppe 2"


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name[:2])
async def test_every_excalidraw_fixture_imports_and_matches_its_report(
    live_server: LiveServer, path: Path
) -> None:
    reply = await _import(live_server, path.read_bytes())
    assert reply.status_code == 201, reply.text
    created = reply.json()
    report = created["report"]
    scene = json.loads(path.read_bytes())
    live = [el for el in scene["elements"] if not el.get("isDeleted")]
    assert report["elements"] == dict(Counter(el["type"] for el in live))
    assert report["deleted"] == len(scene["elements"]) - len(live)
    accounted = (
        sum(report["imported"].values())
        + report["merged"].get("text", 0)
        + sum(report["skipped"].values())
    )
    assert accounted == len(live)
    stored = await get(live_server, f"/api/boards/{created['id']}", headers=auth(created))
    objects = stored.json()["objects"]
    assert dict(Counter(obj["kind"] for obj in objects)) == {
        kind: n for kind, n in report["imported"].items() if n
    }
    for asset in {obj["asset"] for obj in objects if obj["kind"] == "image"}:
        got = await get(
            live_server, f"/api/boards/{created['id']}/assets/{asset}", headers=auth(created)
        )
        assert got.status_code == 200 and got.headers["content-type"].startswith("image/")
    # And the imported board exports.
    picture = await get(
        live_server, f"/api/boards/{created['id']}/export.svg?scale=0.5", headers=auth(created)
    )
    assert picture.status_code == 200, picture.text


def _backup(asset: bytes) -> bytes:
    doc = {
        "format": "samskap-board",
        "version": 1,
        "title": "Bilde",
        "settings": {},
        "objects": [{"id": "i1", "kind": "image", "x": 0, "y": 0, "asset": "a1"}],
        "assets": {"a1": {"mime": "image/png", "data": base64.b64encode(asset).decode()}},
    }
    return json.dumps(doc).encode()


def _excalidraw(asset: bytes) -> bytes:
    url = "data:image/png;base64," + base64.b64encode(asset).decode()
    element = {
        "id": "img",
        "type": "image",
        "x": 0,
        "y": 0,
        "width": 100,
        "height": 50,
        "angle": 0,
        "fileId": "f1",
        "status": "saved",
    }
    files = {"f1": {"mimeType": "image/png", "id": "f1", "dataURL": url}}
    return json.dumps({"type": "excalidraw", "elements": [element], "files": files}).encode()


BAD_FILES = {
    "corrupt-json": (b'{"format": "samskap-board", "version": 1, "objects": [', "broken JSON"),
    "corrupt-excalidraw": (FIXTURES[5].read_bytes()[:-400], "broken JSON"),
    "not-a-board": (b'{"hello": "world"}', "neither a Samskap backup"),
    "not-json": (b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "not a valid"),
    "bad-object": (
        json.dumps(
            {
                "format": "samskap-board",
                "version": 1,
                "title": "x",
                "settings": {},
                "objects": [{"id": "n1", "kind": "note", "x": "left", "y": 0}],
            }
        ).encode(),
        "objects[0].x",
    ),
    "huge-image-backup": (_backup(png_header_only(100_000, 100_000)), "too large"),
    "huge-image-excalidraw": (_excalidraw(png_header_only(100_000, 100_000)), "too large"),
    "bomb-backup": (_backup(bomb_png(12_000, 12_000)), "decompression bomb"),
    "bomb-excalidraw": (_excalidraw(bomb_png(12_000, 12_000)), "too large"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
async def test_bad_files_get_a_clear_error_and_create_nothing(
    db_server: LiveServer, name: str
) -> None:
    data, expected = BAD_FILES[name]
    before = await board_count(db_server)
    reply = await _import(db_server, data)
    assert reply.status_code == 400, reply.text
    body = reply.json()
    assert body["error"] == "bad_message"
    assert expected in body["message"], body["message"]
    assert await board_count(db_server) == before


async def test_empty_body_and_unknown_option_are_refused(live_server: LiveServer) -> None:
    empty = await _import(live_server, b"")
    assert empty.status_code == 400 and "request body" in empty.json()["message"]
    unknown = await _import(live_server, png_bytes(), format="png")
    assert unknown.status_code == 400 and "unknown option 'format'" in unknown.json()["message"]
    assert await board_count(live_server) == 0


async def test_too_large_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    limits = dataclasses.replace(Limits(), import_bytes=2_000)
    settings = Settings(data_dir=tmp_path, port=0, limits=limits)
    async with serve_in_process(settings) as server:
        small = (DATA / "01-excalidraw-manually-created.excalidraw").read_bytes()
        assert (await _import(server, small)).status_code == 201
        before = await board_count(server)
        big = (DATA / "06-pilotgo-mysql-design-zh.excalidraw").read_bytes()
        reply = await _import(server, big)
        assert reply.status_code == 413
        assert reply.json() == {
            "error": "too_large",
            "message": "the body is larger than 2000 bytes",
        }

        async def chunks():  # no Content-Length: the limit holds while streaming too
            for start in range(0, len(big), 1_000):
                yield big[start : start + 1_000]

        streamed = await post(server, "/api/boards/import", content=chunks())
        assert streamed.status_code == 413
        assert await board_count(server) == before


async def test_imports_are_rate_limited(tmp_path: Path) -> None:
    limits = dataclasses.replace(Limits(), uploads_per_minute=2)
    async with serve_in_process(Settings(data_dir=tmp_path, port=0, limits=limits)) as server:
        small = (DATA / "01-excalidraw-manually-created.excalidraw").read_bytes()
        codes = [(await _import(server, small)).status_code for _ in range(3)]
        assert codes == [201, 201, 429]
        assert await board_count(server) == 2


async def test_bad_export_options(live_server: LiveServer) -> None:
    board = await known_board(live_server)
    base = f"/api/boards/{board['id']}"
    cases = {
        "/export.png?frame=nope": "unknown frame id 'nope'",
        "/export.svg?frame=n1": "unknown frame id 'n1'",  # a note is not a frame
        "/export.png?frame=../../x": "unknown frame id",
        "/export.png?scale=0": "scale must be",
        "/export.png?scale=abc": "scale must be a number",
        "/export.pdf?scale=nan": "scale must be",
        "/export.png?scale=100": "scale must be",
        "/export.png?scale=20&frame=f1": "scale must be",
        "/export.png?background=yes": "background must be 0 or 1",
        "/export.png?padding=-1": "padding must be",
        "/export.png?size=2": "unknown option 'size'",
        "/export.gif": "unknown format 'gif'",
        "/export.csv?frame=f1": "unknown option 'frame': the options here are names",
        "/report.pdf?names=yes": "names must be 0 or 1",
        "/report.pdf?lang=de": "lang must be one of nb, nn, en",
    }
    for path, expected in cases.items():
        reply = await get(live_server, base + path, headers=auth(board, "facilitator"))
        assert reply.status_code == 400, (path, reply.text)
        assert reply.json()["error"] == "bad_message"
        assert expected in reply.json()["message"], (path, reply.json())


async def test_exports_need_a_valid_link(live_server: LiveServer) -> None:
    board = await known_board(live_server)
    other = await live_server.create_board("Another board")
    for fmt in ("png", "svg", "pdf", "csv", "json", "canvas"):
        path = f"/api/boards/{board['id']}/export.{fmt}"
        missing = await get(live_server, path)
        assert missing.status_code == 401 and missing.json()["error"] == "unauthorized"
        wrong = await get(live_server, path, headers={"authorization": "Bearer nope"})
        assert wrong.status_code == 404 and wrong.json()["error"] == "not_found"
        elsewhere = await get(live_server, path, headers=auth(other, "facilitator"))
        assert elsewhere.status_code == 404
    nowhere = await get(
        live_server,
        "/api/boards/no-such-board/export.png",
        headers={"authorization": f"Bearer {token_of(board['links']['viewer'])}"},
    )
    assert nowhere.status_code == 404
    report = await get(live_server, f"/api/boards/{board['id']}/report.pdf")
    assert report.status_code == 401
