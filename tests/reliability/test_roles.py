"""S6: every operation and endpoint tried with every role. What a role may not do is
refused, and the database is byte-for-byte the same afterwards (table-driven)."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from server.config import Settings
from tests.reliability.test_malformed import dump
from tests.support.client import Client
from tests.support.servers import LiveServer, serve_in_process, token_of

ROLES = ("facilitator", "participant", "viewer", "rotated", "none")
WS_REFUSALS = {"forbidden", "unauthorized"}


def note(object_id: str, **extra: Any) -> dict[str, Any]:
    obj = {"id": object_id, "kind": "note", "x": 0, "y": 0, **extra}
    return {"op": "create", "object": obj}


# operation -> (roles allowed, the batch for `role`)
WS_OPS: dict[str, tuple[set[str], Callable[[str], list[dict[str, Any]]]]] = {
    "create": ({"facilitator", "participant"}, lambda r: [note(f"new-{r}")]),
    "update": (
        {"facilitator", "participant"},
        lambda r: [{"op": "update", "id": "open", "set": {"x": 7}}],
    ),
    "delete": ({"facilitator", "participant"}, lambda r: [{"op": "delete", "id": f"gone-{r}"}]),
    "create locked": ({"facilitator"}, lambda r: [note(f"lk-{r}", locked=True)]),
    "lock": (
        {"facilitator"},
        lambda r: [{"op": "update", "id": f"tolock-{r}", "set": {"locked": True}}],
    ),
    "edit locked": ({"facilitator"}, lambda r: [{"op": "update", "id": "locked", "set": {"x": 9}}]),
    "delete locked": ({"facilitator"}, lambda r: [{"op": "delete", "id": f"locked-{r}"}]),
}

# endpoint -> (roles allowed, method, path, body)
HTTP: dict[str, tuple[set[str], str, str, Any]] = {
    "read": ({"facilitator", "participant", "viewer"}, "GET", "", None),
    "export svg": ({"facilitator", "participant", "viewer"}, "GET", "/export.svg", None),
    "export csv": ({"facilitator", "participant", "viewer"}, "GET", "/export.csv", None),
    "rename": ({"facilitator"}, "PATCH", "", {"title": "Renamed"}),
    "settings": ({"facilitator"}, "PATCH", "", {"settings": {"locale": "en"}}),
    "rotate": ({"facilitator"}, "POST", "/links/viewer/rotate", None),
    "delete board": ({"facilitator"}, "DELETE", "", None),
    "breakouts": ({"facilitator"}, "POST", "/breakouts", {"count": 1}),
    "list breakouts": ({"facilitator"}, "GET", "/breakouts", None),
    "upload": ({"facilitator", "participant"}, "POST", "/assets", "png"),
}
HTTP_REFUSAL = {"participant": 403, "viewer": 403, "rotated": 404, "none": 401}


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (2, 2)).save(out, "PNG")
    return out.getvalue()


class Board:
    def __init__(self, server: LiveServer, created: dict[str, Any]) -> None:
        self.server = server
        self.id = created["id"]
        self.tokens = {role: token_of(created["links"][role]) for role in ROLES[:3]}
        self.db = Path(str(server.settings.database_url).split("///", 1)[1])


async def setup_board(server: LiveServer) -> tuple[Board, Client]:
    board = Board(server, await server.create_board("Roles"))
    old = board.tokens["facilitator"]
    async with httpx.AsyncClient(base_url=server.url) as http:
        rotated = await http.post(
            f"/api/boards/{board.id}/links/facilitator/rotate",
            headers={"Authorization": f"Bearer {old}"},
        )
        assert rotated.status_code == 200
    board.tokens["facilitator"] = token_of(rotated.json()["link"])
    board.tokens["rotated"] = old  # a facilitator link that was replaced
    board.tokens["none"] = ""
    admin = await Client.connect(server.url, board.id, board.tokens["facilitator"])
    setup = [note("open"), note("locked", locked=True)]
    for role in ROLES:
        setup += [note(f"gone-{role}"), note(f"tolock-{role}"), note(f"locked-{role}", locked=True)]
    assert (await admin.ops(setup))["type"] == "ack"
    return board, admin


@pytest.fixture
async def server(tmp_path: Path) -> Any:
    async with serve_in_process(Settings(data_dir=tmp_path)) as live:
        yield live


@pytest.mark.parametrize("role", ROLES)
async def test_s6_s12_s16_websocket_operations_by_role(server: LiveServer, role: str) -> None:
    board, admin = await setup_board(server)
    token = board.tokens[role]
    if role in ("rotated", "none"):
        for name in WS_OPS:  # they never get in, so they cannot try anything
            before = dump(board.db)
            client = await Client.connect(server.url, board.id, token or "x", expect_welcome=False)
            assert (await client.expect("error"))["code"] == "unauthorized", name
            assert await client.wait_closed() == 4001
            assert dump(board.db) == before
        return
    client = await Client.connect(server.url, board.id, token)
    for name, (allowed, ops) in WS_OPS.items():
        if role in allowed:
            reply = await client.ops(ops(role))
            assert reply["type"] == "ack" and reply["applied"], (role, name, reply)
            continue
        before = dump(board.db)
        reply = await client.ops(ops(role))
        assert reply["type"] == "error" and reply["code"] in WS_REFUSALS, (role, name, reply)
        assert dump(board.db) == before, f"{role}: refused {name} changed the database"
    facilitate = {"type": "facilitate", "action": "timer_start", "seconds": 60}
    if role != "facilitator":
        before = dump(board.db)
        await client.send(facilitate)
        assert (await client.expect("error"))["code"] == "forbidden"
        assert dump(board.db) == before
    await client.close()
    await admin.close()


@pytest.mark.parametrize("role", ROLES)
async def test_s6_http_endpoints_by_role(server: LiveServer, role: str) -> None:
    board, admin = await setup_board(server)
    token = board.tokens[role]
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        for name, (allowed, method, path, body) in HTTP.items():
            url = f"/api/boards/{board.id}{path}"
            content = png() if body == "png" else None
            json = None if body == "png" else body
            if role in allowed:
                if name == "delete board":
                    continue  # tried last, below
                response = await http.request(
                    method, url, headers=headers, json=json, content=content
                )
                assert response.status_code < 300, (role, name, response.status_code, response.text)
                continue
            before = dump(board.db)
            response = await http.request(method, url, headers=headers, json=json, content=content)
            assert response.status_code == HTTP_REFUSAL[role], (role, name, response.text)
            assert dump(board.db) == before, f"{role}: refused {name} changed the database"
        if role == "facilitator":
            deleted = await http.delete(f"/api/boards/{board.id}", headers=headers)
            assert deleted.status_code == 204
            assert await admin.wait_closed() == 4004
    await admin.close()
