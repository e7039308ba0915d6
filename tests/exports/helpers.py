"""A known workshop board put on a live server over real WebSockets, and HTTP helpers."""

from __future__ import annotations

import io
from typing import Any

import httpx
from PIL import Image
from sqlalchemy import func, select

from server.storage.engine import create_engine
from server.storage.tables import boards
from tests.support.client import Client
from tests.support.servers import LiveServer, token_of

PADDING = 20
# Everything drawn spans x 0..1300 and y -30..600 (the frame's title sits above it).
PNG_SIZE = (1300 + 2 * PADDING, 630 + 2 * PADDING)
NOTES = {
    "n1": {"x": 40, "y": 40, "color": "#ff0000", "text": "Blåbærsyltetøy på Ål og Å"},
    "n2": {"x": 300, "y": 40, "color": "#00ff00", "text": "<script>alert(1)</script>"},
    "n3": {"x": 40, "y": 300, "color": "#0000ff", "text": 'Lån & lær "sammen" <b>nå</b>'},
    "n4": {"x": 600, "y": 300, "color": "#ffa500", "text": "=SUM(A1:A2) ÆØÅ"},
    "n5": {"x": 1100, "y": 0, "color": "#ff00ff", "text": "Utenfor rammen"},
}
FRAME = {"id": "f1", "kind": "frame", "x": 0, "y": 0, "w": 1000, "h": 600, "title": "Idémyldring"}


def create(obj: dict[str, Any]) -> dict[str, Any]:
    return {"op": "create", "object": obj}


async def known_board(server: LiveServer, title: str = "Samskaping på Ål bibliotek") -> dict:
    """The board every export test starts from; two authors, one image, a connector."""
    board = await server.create_board(title)
    token = token_of(board["links"]["participant"])
    kari = await Client.connect(server.url, board["id"], token, name="Kari Nordmann")
    ola = await Client.connect(server.url, board["id"], token, name="Ola Ås")
    png = io.BytesIO()
    Image.new("RGB", (40, 30), "#336699").save(png, "PNG")
    async with httpx.AsyncClient(base_url=server.url) as http:
        reply = await http.post(
            f"/api/boards/{board['id']}/assets",
            content=png.getvalue(),
            headers={"authorization": f"Bearer {token}"},
        )
        reply.raise_for_status()
        asset = reply.json()["asset"]
    ack = await kari.ops(
        [
            create({**FRAME, "z": -1}),
            *(create({"id": i, "kind": "note", **NOTES[i]}) for i in ("n1", "n2", "n5")),
            create(
                {
                    "id": "c1",
                    "kind": "connector",
                    "x": 0,
                    "y": 0,
                    "from": {"id": "n1"},
                    "to": {"id": "n2"},
                }
            ),
        ]
    )
    assert ack["type"] == "ack", ack
    ack = await ola.ops(
        [
            *(create({"id": i, "kind": "note", **NOTES[i]}) for i in ("n3", "n4")),
            create({"id": "t1", "kind": "text", "x": 40, "y": 520, "text": "Tekst: ærlig"}),
            create(
                {
                    "id": "img",
                    "kind": "image",
                    "x": 800,
                    "y": 40,
                    "w": 80,
                    "h": 60,
                    "asset": asset,
                    "alt": "logo",
                }
            ),
        ]
    )
    assert ack["type"] == "ack", ack
    await kari.close()
    await ola.close()
    return board


def auth(board: dict, role: str = "viewer") -> dict[str, str]:
    return {"authorization": f"Bearer {token_of(board['links'][role])}"}


async def get(server: LiveServer, path: str, **kwargs: Any) -> httpx.Response:
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
        return await http.get(path, **kwargs)


async def post(server: LiveServer, path: str, **kwargs: Any) -> httpx.Response:
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
        return await http.post(path, **kwargs)


async def board_count(server: LiveServer) -> int:
    """Boards in the database, read directly: a refused import must leave it unchanged."""
    settings = server.settings
    engine = create_engine(settings.database_url, schema=settings.database_schema)
    try:
        async with engine.connect() as conn:
            return int((await conn.execute(select(func.count()).select_from(boards))).scalar_one())
    finally:
        await engine.dispose()
