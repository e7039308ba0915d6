"""The HTTP API: boards, roles, links, assets, health, headers and the Origin check."""

from __future__ import annotations

import io

import httpx
import pytest
import websockets
from PIL import Image

from tests.server.test_sync_rules import note, two_clients
from tests.support.client import Client
from tests.support.servers import LiveServer, token_of


def auth(board: dict, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_of(board['links'][role])}"}


async def test_create_board_gives_three_unguessable_links(db_server: LiveServer) -> None:
    async with httpx.AsyncClient(base_url=db_server.url) as http:
        response = await http.post("/api/boards", json={"title": "  Interessentkart  "})
        assert response.status_code == 201
        board = response.json()
        assert board["title"] == "Interessentkart"
        assert set(board["links"]) == {"facilitator", "participant", "viewer"}
        tokens = {token_of(link) for link in board["links"].values()}
        assert len(tokens) == 3 and all(len(t) >= 43 for t in tokens)  # 256 bits
        for link in board["links"].values():
            assert link.startswith(f"{db_server.url}/b/{board['id']}#t=")
        got = await http.get(f"/api/boards/{board['id']}", headers=auth(board, "viewer"))
        assert got.status_code == 200
        assert got.json() == {
            "id": board["id"],
            "title": "Interessentkart",
            "seq": 0,
            "settings": {"locale": "nb"},
            "objects": [],
        }


async def test_get_returns_objects_as_a_list(live_server: LiveServer) -> None:
    board, a, _ = await two_clients(live_server)
    await a.ops([note("n1", text="hei")])
    async with httpx.AsyncClient(base_url=live_server.url) as http:
        body = (
            await http.get(f"/api/boards/{board['id']}", headers=auth(board, "participant"))
        ).json()
    assert body["seq"] == 1 and [o["text"] for o in body["objects"]] == ["hei"]


@pytest.mark.parametrize("title", [None, "", "   ", 5, "x" * 201])
async def test_bad_titles_are_refused(live_server: LiveServer, title: object) -> None:
    async with httpx.AsyncClient(base_url=live_server.url) as http:
        response = await http.post("/api/boards", json={"title": title})
    assert response.status_code in (400, 413)
    assert response.json()["error"] in ("bad_message", "too_large")


async def test_not_json_is_refused(live_server: LiveServer) -> None:
    async with httpx.AsyncClient(base_url=live_server.url) as http:
        response = await http.post("/api/boards", content=b"{nope")
        assert response.status_code == 400 and response.json()["error"] == "bad_message"
        big = await http.post("/api/boards", content=b"x" * 100_000)
        assert big.status_code == 413


async def test_no_token_401_wrong_token_or_board_404_same_body(live_server: LiveServer) -> None:
    board = await live_server.create_board()
    async with httpx.AsyncClient(base_url=live_server.url) as http:
        none = await http.get(f"/api/boards/{board['id']}")
        assert none.status_code == 401 and none.json()["error"] == "unauthorized"
        wrong = await http.get(
            f"/api/boards/{board['id']}", headers={"Authorization": "Bearer nope"}
        )
        unknown = await http.get("/api/boards/nothing-here", headers=auth(board, "facilitator"))
        assert wrong.status_code == unknown.status_code == 404
        assert wrong.json() == unknown.json()
        # Tokens never work from a query string.
        query = await http.get(
            f"/api/boards/{board['id']}?token={token_of(board['links']['viewer'])}"
        )
        assert query.status_code == 401


async def test_roles_are_enforced(live_server: LiveServer) -> None:
    board = await live_server.create_board()
    path = f"/api/boards/{board['id']}"
    async with httpx.AsyncClient(base_url=live_server.url) as http:
        for role in ("participant", "viewer"):
            assert (
                await http.patch(path, json={"title": "x"}, headers=auth(board, role))
            ).status_code == 403
            assert (await http.delete(path, headers=auth(board, role))).status_code == 403
            rotate = await http.post(f"{path}/links/viewer/rotate", headers=auth(board, role))
            assert rotate.status_code == 403 and rotate.json()["error"] == "forbidden"
        got = await http.get(path, headers=auth(board, "viewer"))
        assert got.json()["title"] == "Test board"


async def test_patch_renames_live(live_server: LiveServer) -> None:
    board, a, _ = await two_clients(live_server)
    async with httpx.AsyncClient(base_url=live_server.url) as http:
        response = await http.patch(
            f"/api/boards/{board['id']}",
            json={"title": "Nytt navn"},
            headers=auth(board, "facilitator"),
        )
        assert response.status_code == 200 and response.json()["title"] == "Nytt navn"
        bad = await http.patch(
            f"/api/boards/{board['id']}", json={"colour": 1}, headers=auth(board, "facilitator")
        )
        assert bad.status_code == 400
    assert (await a.expect("board"))["board"]["title"] == "Nytt navn"


async def test_delete_closes_sockets_and_forgets_the_board(db_server: LiveServer) -> None:
    board, a, _ = await two_clients(db_server)
    await a.ops([note("n1")])
    async with httpx.AsyncClient(base_url=db_server.url) as http:
        response = await http.delete(
            f"/api/boards/{board['id']}", headers=auth(board, "facilitator")
        )
        assert response.status_code == 204
        assert await a.wait_closed(2) == 4004
        gone = await http.get(f"/api/boards/{board['id']}", headers=auth(board, "facilitator"))
        assert gone.status_code == 404
    again = await Client.connect(
        db_server.url, board["id"], token_of(board["links"]["facilitator"]), expect_welcome=False
    )
    assert (await again.expect("error"))["code"] == "unauthorized"


async def test_rotate_gives_a_new_link(live_server: LiveServer) -> None:
    board = await live_server.create_board()
    async with httpx.AsyncClient(base_url=live_server.url) as http:
        response = await http.post(
            f"/api/boards/{board['id']}/links/viewer/rotate", headers=auth(board, "facilitator")
        )
        assert response.status_code == 200
        new = response.json()
        assert new["role"] == "viewer" and new["link"] != board["links"]["viewer"]
        old = await http.get(f"/api/boards/{board['id']}", headers=auth(board, "viewer"))
        assert old.status_code == 404
        fresh = await http.get(
            f"/api/boards/{board['id']}",
            headers={"Authorization": f"Bearer {token_of(new['link'])}"},
        )
        assert fresh.status_code == 200
        unknown = await http.post(
            f"/api/boards/{board['id']}/links/king/rotate", headers=auth(board, "facilitator")
        )
        assert unknown.status_code == 404


async def test_health_and_readiness(live_server: LiveServer) -> None:
    async with httpx.AsyncClient(base_url=live_server.url) as http:
        health = await http.get("/healthz")
        assert health.status_code == 200 and health.json() == {
            "status": "ok",
            "database": "ok",
            "redis": "off",
        }
        assert (await http.get("/readyz")).status_code == 200
        metrics = await http.get("/metrics")
        assert "samskap_connections" in metrics.text


async def test_security_headers_on_every_route(live_server: LiveServer) -> None:
    async with httpx.AsyncClient(base_url=live_server.url) as http:
        for path in ("/healthz", "/api/boards/x", "/nothing"):
            headers = (await http.get(path)).headers
            assert "default-src 'self'" in headers["content-security-policy"]
            assert "frame-ancestors 'none'" in headers["content-security-policy"]
            assert headers["x-content-type-options"] == "nosniff"
            assert headers["referrer-policy"] == "no-referrer"


@pytest.mark.parametrize(
    "origin",
    [
        "https://evil.example",
        "null",
        "http://127.0.0.1.evil.example",
        "http://localhost.evil.example:80",
    ],
)
async def test_foreign_origins_are_refused(live_server: LiveServer, origin: str) -> None:
    board = await live_server.create_board()
    url = live_server.url.replace("http", "ws") + f"/ws/boards/{board['id']}"
    with pytest.raises(websockets.InvalidStatus) as refused:
        await websockets.connect(url, additional_headers={"Origin": origin})
    assert refused.value.response.status_code == 403


async def test_own_origin_and_no_origin_are_allowed(live_server: LiveServer) -> None:
    board = await live_server.create_board()
    token = token_of(board["links"]["participant"])
    own = await Client.connect(live_server.url, board["id"], token, origin=live_server.url)
    assert own.welcome["type"] == "welcome"
    bare = await Client.connect(live_server.url, board["id"], token)
    assert bare.welcome["type"] == "welcome"


def png_with_gps() -> bytes:
    image = Image.new("RGB", (40, 30), "#ff0000")
    exif = Image.Exif()
    exif[0x8825] = {2: (59.0, 54.0, 0.0)}  # GPSInfo
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


async def test_upload_reencodes_and_strips_metadata(live_server: LiveServer) -> None:
    board = await live_server.create_board()
    async with httpx.AsyncClient(base_url=live_server.url) as http:
        response = await http.post(
            f"/api/boards/{board['id']}/assets",
            content=png_with_gps(),
            headers={**auth(board, "participant"), "Content-Type": "image/jpeg"},
        )
        assert response.status_code == 201
        asset = response.json()
        assert asset["mime"] == "image/jpeg" and (asset["w"], asset["h"]) == (40, 30)
        got = await http.get(
            f"/api/boards/{board['id']}/assets/{asset['asset']}", headers=auth(board, "viewer")
        )
        assert got.headers["content-type"] == "image/jpeg"
        assert got.headers["x-content-type-options"] == "nosniff"
        assert "sandbox" in got.headers["content-security-policy"]
        assert not Image.open(io.BytesIO(got.content)).getexif().get(0x8825)
        viewer = await http.post(
            f"/api/boards/{board['id']}/assets",
            content=png_with_gps(),
            headers=auth(board, "viewer"),
        )
        assert viewer.status_code == 403


@pytest.mark.parametrize(
    "payload",
    [
        b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
        b"GIF89a broken",
        b"",
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 50,
    ],
)
async def test_bad_uploads_are_refused(live_server: LiveServer, payload: bytes) -> None:
    board = await live_server.create_board()
    async with httpx.AsyncClient(base_url=live_server.url) as http:
        response = await http.post(
            f"/api/boards/{board['id']}/assets", content=payload, headers=auth(board, "participant")
        )
    assert response.status_code == 400 and response.json()["error"] == "bad_message"


async def test_decompression_bomb_is_refused(live_server: LiveServer) -> None:
    buffer = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(buffer, format="PNG")  # 400 Mpx, a few KB
    board = await live_server.create_board()
    async with httpx.AsyncClient(base_url=live_server.url) as http:
        response = await http.post(
            f"/api/boards/{board['id']}/assets",
            content=buffer.getvalue(),
            headers=auth(board, "participant"),
        )
    assert response.status_code == 400 and "pixels" in response.json()["message"]


async def test_websocket_compression_is_not_negotiated(live_server: LiveServer) -> None:
    board = await live_server.create_board()
    url = live_server.url.replace("http", "ws") + f"/ws/boards/{board['id']}"
    async with websockets.connect(url, compression="deflate") as ws:
        assert "sec-websocket-extensions" not in ws.response.headers


async def test_hsts_over_https_and_trusted_hosts(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from server.config import Settings
    from tests.support.servers import serve_in_process

    settings = Settings(
        data_dir=tmp_path, public_url="https://tavle.bibliotek.no", trusted_hosts=("127.0.0.1",)
    )
    async with serve_in_process(settings) as server:
        local = f"http://127.0.0.1:{server.settings.port}"  # the public URL is not this machine
        async with httpx.AsyncClient(base_url=local) as http:
            ok = await http.get("/healthz")
            assert ok.status_code == 200
            assert ok.headers["strict-transport-security"].startswith("max-age=")
            bad_host = await http.get("/healthz", headers={"Host": "evil.example"})
            assert bad_host.status_code == 400
