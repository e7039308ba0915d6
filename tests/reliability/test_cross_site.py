"""Issue 13: cross-site requests refused, the library decides who creates boards.

Over the real server. A state-changing request needs a documented body type and an
accepted `Origin` (or `Sec-Fetch-Site: same-origin`); a script without either is
authorised by its token or the staff code. `SAMSKAP_CREATE=code` asks for the staff
code (or an address in `SAMSKAP_CREATE_NETWORKS`) to create or import; links work as
before. Per-address limits count an IPv6 /64 as one address.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from server.config import Limits, Settings, from_env
from server.http.security import in_networks, limit_key
from tests.exports.helpers import board_count
from tests.support.client import Client
from tests.support.servers import LiveServer, serve_in_process, token_of

EVIL = "http://samskap.example.evil"
BACKUP = json.dumps(
    {"format": "samskap-board", "version": 1, "title": "B", "settings": {}, "objects": []}
).encode()


def auth(board: dict[str, Any], role: str = "facilitator") -> dict[str, str]:
    return {"Authorization": f"Bearer {token_of(board['links'][role])}"}


def same_origin(server: LiveServer) -> dict[str, str]:
    return {"Origin": server.url}


async def test_cross_site_requests_are_refused_and_change_nothing(db_server: LiveServer) -> None:
    board = await db_server.create_board("Tavle")
    json_type = {"Content-Type": "application/json"}
    async with httpx.AsyncClient(base_url=db_server.url) as http:
        count = await board_count(db_server)
        refused = [
            # another site's page, with the JSON the API wants
            await http.post("/api/boards", json={"title": "x"}, headers={"Origin": EVIL}),
            await http.post("/api/boards", json={"title": "x"}, headers={"Origin": "null"}),
            # a cross-site form (no preflight) or a "simple" fetch
            await http.post(
                "/api/boards",
                content=b"title=x",
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            ),
            await http.post(
                "/api/boards",
                content=b'{"title": "x"}',
                headers={"Content-Type": "text/plain", "Origin": db_server.url},
            ),
            # a browser that sends only Sec-Fetch-Site
            await http.post(
                "/api/boards", json={"title": "x"}, headers={"Sec-Fetch-Site": "cross-site"}
            ),
            # a same-origin fetch without a body type (a Blob without type)
            await http.post("/api/boards/import", content=BACKUP, headers=same_origin(db_server)),
            await http.post(
                "/api/boards/import",
                content=BACKUP,
                headers={"Origin": EVIL, "Content-Type": "application/octet-stream"},
            ),
            await http.patch(
                f"/api/boards/{board['id']}",
                json={"title": "Kapret"},
                headers={**auth(board), "Origin": EVIL},
            ),
            await http.delete(
                f"/api/boards/{board['id']}", headers={**auth(board), "Origin": EVIL}
            ),
            await http.post(
                f"/api/boards/{board['id']}/links/participant/rotate",
                headers={**auth(board), "Sec-Fetch-Site": "same-site"},
            ),
        ]
        for reply in refused:
            assert reply.status_code == 403, (reply.request.url, reply.text)
            assert reply.json()["error"] == "forbidden"
        assert await board_count(db_server) == count
        got = await http.get(f"/api/boards/{board['id']}", headers=auth(board))
        assert got.json()["title"] == "Tavle"

        # The page itself (same origin, or Sec-Fetch-Site: same-origin) and scripts work.
        allowed = [
            await http.post("/api/boards", json={"title": "x"}, headers=same_origin(db_server)),
            await http.post(
                "/api/boards", json={"title": "x"}, headers={"Sec-Fetch-Site": "same-origin"}
            ),
            await http.post("/api/boards", json={"title": "x"}),  # a script
            await http.post(
                "/api/boards/import",
                content=BACKUP,
                headers={**same_origin(db_server), "Content-Type": "application/octet-stream"},
            ),
            await http.post("/api/boards/import", content=BACKUP, headers=json_type),
        ]
        assert [r.status_code for r in allowed] == [201] * 5, [r.text for r in allowed]
        renamed = await http.patch(
            f"/api/boards/{board['id']}", json={"title": "Nytt"}, headers=auth(board)
        )
        assert renamed.status_code == 200


@pytest.fixture
async def code_server(db_settings: Settings) -> Any:
    settings = replace(db_settings, create="code", create_code="sesam-42")
    async with serve_in_process(settings) as server:
        yield server


async def test_create_code_guards_creating_and_importing(code_server: LiveServer) -> None:
    async with httpx.AsyncClient(base_url=code_server.url) as http:
        count = await board_count(code_server)
        for headers in ({}, {"X-Samskap-Create-Code": "feil"}):
            made = await http.post("/api/boards", json={"title": "x"}, headers=headers)
            imported = await http.post(
                "/api/boards/import",
                content=BACKUP,
                headers={**headers, "Content-Type": "application/json"},
            )
            for reply in (made, imported):
                assert reply.status_code == 403, reply.text
                assert reply.json()["error"] == "create_code"
        assert "staff code" in made.json()["message"]
        assert await board_count(code_server) == count

        code = {"X-Samskap-Create-Code": "sesam-42"}
        made = await http.post("/api/boards", json={"title": "Med kode"}, headers=code)
        assert made.status_code == 201, made.text
        imported = await http.post(
            "/api/boards/import",
            content=BACKUP,
            headers={**code, "Content-Type": "application/json"},
        )
        assert imported.status_code == 201, imported.text
        board = made.json()
        # Participants never need the code: their link is all they need.
        kari = await Client.connect(
            code_server.url, board["id"], token_of(board["links"]["participant"])
        )
        assert (
            await kari.ops(
                [{"op": "create", "object": {"id": "n", "kind": "note", "x": 0, "y": 0}}]
            )
        )["type"] == "ack"
        await kari.close()
        got = await http.get(f"/api/boards/{board['id']}", headers=auth(board, "participant"))
        assert got.status_code == 200 and len(got.json()["objects"]) == 1


async def test_create_networks_need_no_code(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path, create="code", create_code="x", create_networks=("127.0.0.0/8",)
    )
    async with serve_in_process(settings) as server, httpx.AsyncClient(base_url=server.url) as http:
        assert (await http.post("/api/boards", json={"title": "x"})).status_code == 201
        page = await http.get("/")
        assert 'id="code-field"' not in page.text  # the staff network is never asked


def test_create_code_setting_must_say_how() -> None:
    with pytest.raises(ValueError, match="SAMSKAP_CREATE_CODE"):
        Settings(create="code")
    with pytest.raises(ValueError, match="open or code"):
        Settings(create="closed")


def test_ipv6_limits_count_a_64_as_one_address() -> None:
    assert limit_key("2001:db8:1:2::1") == limit_key("2001:db8:1:2:ffff::9") == "2001:db8:1:2::/64"
    assert limit_key("2001:db8:1:3::1") != limit_key("2001:db8:1:2::1")
    assert limit_key("192.0.2.7") == "192.0.2.7"
    assert limit_key("::ffff:192.0.2.7") == "192.0.2.7"
    assert in_networks("10.1.2.3", ("10.0.0.0/8",)) and not in_networks("11.0.0.1", ("10.0.0.0/8",))
    assert in_networks("2001:db8::5", ("2001:db8::/32",))
    assert not in_networks("not an address", ("0.0.0.0/0",))


async def test_ipv6_addresses_of_one_64_share_the_boards_limit(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path, trusted_proxies=("127.0.0.1",), limits=Limits(boards_per_minute=3)
    )
    async with serve_in_process(settings) as server, httpx.AsyncClient(base_url=server.url) as http:
        answers = [
            (
                await http.post(
                    "/api/boards",
                    json={"title": "x"},
                    headers={"X-Forwarded-For": f"2001:db8:7:7::{i:x}"},
                )
            ).status_code
            for i in range(1, 6)
        ]
        assert answers == [201, 201, 201, 429, 429]
        other = await http.post(
            "/api/boards", json={"title": "x"}, headers={"X-Forwarded-For": "2001:db8:7:8::1"}
        )
        assert other.status_code == 201  # the next /64 is someone else


async def test_guessing_the_create_code_is_rate_limited(tmp_path: Path) -> None:
    limits = Limits(boards_per_minute=3)
    settings = Settings(data_dir=tmp_path, create="code", create_code="sesam-42", limits=limits)
    async with (
        serve_in_process(settings) as server,
        httpx.AsyncClient(base_url=server.url) as http,
    ):
        codes = [
            (
                await http.post(
                    "/api/boards", json={"title": "x"}, headers={"X-Samskap-Create-Code": f"g{i}"}
                )
            ).status_code
            for i in range(5)
        ]
        assert codes[:3] == [403, 403, 403] and codes[3:] == [429, 429]
        right = await http.post(
            "/api/boards", json={"title": "x"}, headers={"X-Samskap-Create-Code": "sesam-42"}
        )
        assert right.status_code == 429  # even the right code waits: guesses are slow


def test_the_new_settings_come_from_the_environment() -> None:
    settings = from_env(
        {
            "SAMSKAP_CREATE": "code",
            "SAMSKAP_CREATE_CODE": "sesam",
            "SAMSKAP_CREATE_NETWORKS": "10.0.0.0/8, 192.168.1.0/24",
            "SAMSKAP_METRICS_NETWORKS": "10.1.0.0/16",
            "SAMSKAP_METRICS_TOKEN": "m",
            "SAMSKAP_MIN_FREE_BYTES": "7",
            "SAMSKAP_LIMIT_BOARD_BYTES": "5",
            "SAMSKAP_LIMIT_BOARDS_PER_DAY": "6",
            "SAMSKAP_LIMIT_IMPORT_BYTES_PER_DAY": "8",
            "SAMSKAP_LIMIT_IMPORT_PIXELS": "9",
            "SAMSKAP_LIMIT_EXPORT_BYTES": "10",
            "SAMSKAP_LIMIT_EXPORT_SECONDS": "1.5",
        }
    )
    assert (settings.create, settings.create_code) == ("code", "sesam")
    assert settings.create_networks == ("10.0.0.0/8", "192.168.1.0/24")
    assert (settings.metrics_networks, settings.metrics_token) == (("10.1.0.0/16",), "m")
    assert settings.min_free_bytes == 7
    limits = settings.limits
    assert (limits.board_bytes, limits.boards_per_day, limits.import_bytes_per_day) == (5, 6, 8)
    assert (limits.import_pixels, limits.export_bytes, limits.export_seconds) == (9, 10, 1.5)
    defaults = from_env({})
    assert defaults.create == "open" and defaults.min_free_bytes == 1024**3
    assert defaults.metrics_networks == ("127.0.0.0/8", "::1/128")
