"""Issue 13: exports are bounded by what they show, not by how many objects show it.

Over the real server on SQLite and PostgreSQL: one 1.1 MB upload shown by 30 image
objects gives an SVG and a PDF under 3 MB (it was 43 MB of SVG); an export estimated
above SAMSKAP_LIMIT_EXPORT_BYTES is refused with 413 before it is rendered, in words,
and the next (smaller) export of the same board works.
"""

from __future__ import annotations

import dataclasses
import io
import random
import time
import xml.etree.ElementTree as ET
from typing import Any

import httpx
from PIL import Image

from server.config import Limits, Settings
from tests.support.client import Client
from tests.support.servers import LiveServer, serve_in_process, token_of


def noise_png(seed: int, side: int = 600) -> bytes:
    """About 1.1 MB that no encoder can shrink (random pixels)."""
    rng = random.Random(seed)
    image = Image.frombytes("RGB", (side, side), rng.randbytes(side * side * 3))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


async def upload(http: httpx.AsyncClient, board: dict[str, Any], data: bytes) -> str:
    token = token_of(board["links"]["participant"])
    reply = await http.post(
        f"/api/boards/{board['id']}/assets",
        content=data,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "image/png"},
    )
    assert reply.status_code == 201, reply.text
    return str(reply.json()["asset"])


def image(object_id: str, asset: str, x: float) -> dict[str, Any]:
    obj = {"id": object_id, "kind": "image", "x": x, "y": 0, "w": 120, "h": 120, "asset": asset}
    return {"op": "create", "object": obj}


async def test_thirty_images_of_one_upload_embed_it_once(db_server: LiveServer) -> None:
    board = await db_server.create_board("Bilder")
    viewer = {"Authorization": f"Bearer {token_of(board['links']['viewer'])}"}
    async with httpx.AsyncClient(base_url=db_server.url, timeout=60) as http:
        picture = noise_png(1)
        assert len(picture) > 1_000_000
        asset = await upload(http, board, picture)
        kari = await Client.connect(
            db_server.url, board["id"], token_of(board["links"]["participant"])
        )
        ack = await kari.ops([image(f"i{n}", asset, n * 130) for n in range(30)])
        assert ack["type"] == "ack"
        await kari.close()
        sizes = {}
        for fmt in ("svg", "pdf"):
            reply = await http.get(f"/api/boards/{board['id']}/export.{fmt}", headers=viewer)
            assert reply.status_code == 200, reply.text
            sizes[fmt] = len(reply.content)
            assert sizes[fmt] < 3_000_000, sizes
        svg = (await http.get(f"/api/boards/{board['id']}/export.svg", headers=viewer)).text
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    assert len(root.findall(f".//{ns}symbol/{ns}image")) == 1
    assert len(root.findall(f".//{ns}use")) == 30
    assert svg.count("data:image/") == 1


async def test_an_export_over_the_limit_is_refused_and_the_next_works(
    db_settings: Settings,
) -> None:
    limits = dataclasses.replace(Limits(), export_bytes=2_500_000)
    async with serve_in_process(dataclasses.replace(db_settings, limits=limits)) as server:
        board = await server.create_board("Stor")
        viewer = {"Authorization": f"Bearer {token_of(board['links']['viewer'])}"}
        async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
            first = await upload(http, board, noise_png(2))
            second = await upload(http, board, noise_png(3))
            kari = await Client.connect(
                server.url, board["id"], token_of(board["links"]["participant"])
            )
            frame = {"id": "f", "kind": "frame", "x": -50, "y": -50, "w": 300, "h": 300}
            ops = [{"op": "create", "object": frame}, image("a", first, 0)]
            ops.append(image("b", second, 2000))
            assert (await kari.ops(ops))["type"] == "ack"
            await kari.close()
            path = f"/api/boards/{board['id']}/export"
            refused = await http.get(path + ".svg", headers=viewer)
            assert refused.status_code == 413, refused.text
            body = refused.json()
            assert body["error"] == "too_large"
            assert "over this server's limit of 2.5 MB: export one frame" in body["message"]
            png = await http.get(path + ".png", params={"scale": "8"}, headers=viewer)
            assert png.status_code == 413  # 8x the pixels: refused before it is drawn
            # The next export works: one frame (one picture), the PDF, the notes.
            for fmt, params in (("svg", {"frame": "f"}), ("pdf", {"frame": "f"}), ("csv", {})):
                reply = await http.get(f"{path}.{fmt}", params=params, headers=viewer)
                assert reply.status_code == 200, (fmt, reply.text)


async def test_a_runaway_render_is_killed_and_the_next_export_works(
    db_settings: Settings,
) -> None:
    """A PNG that takes about a minute to draw (20 freehand strokes of 5,000 points on a
    56 Mpx frame) is stopped at the 5 s budget; the worker process is replaced and
    the next exports work (the CSV of that board, another board's SVG)."""
    limits = dataclasses.replace(Limits(), export_seconds=5.0, export_bytes=10**9)
    async with serve_in_process(dataclasses.replace(db_settings, limits=limits)) as server:
        board = await server.create_board("Tung")
        small = await server.create_board("Lett")
        viewer = {"Authorization": f"Bearer {token_of(board['links']['viewer'])}"}
        kari = await Client.connect(
            server.url, board["id"], token_of(board["links"]["participant"])
        )
        frame = {"id": "f", "kind": "frame", "x": 0, "y": 0, "w": 7400, "h": 7400}
        assert (await kari.ops([{"op": "create", "object": frame}]))["type"] == "ack"
        for part in range(4):
            strokes = [
                {
                    "op": "create",
                    "object": {
                        "id": f"p{i}",
                        "kind": "path",
                        "x": i * 7,
                        "y": 0,
                        "points": [[j * 1.4, (j * 37 * i) % 7300] for j in range(5000)],
                    },
                }
                for i in range(part * 5, part * 5 + 5)
            ]
            assert (await kari.ops(strokes))["type"] == "ack"
        await kari.close()
        path = f"/api/boards/{board['id']}/export"
        async with httpx.AsyncClient(base_url=server.url, timeout=120) as http:
            started = time.monotonic()
            slow = await http.get(path + ".png", params={"padding": "0"}, headers=viewer)
            took = time.monotonic() - started
            assert slow.status_code == 413, slow.text
            assert "took longer than 5 s and was stopped" in slow.json()["message"]
            assert took < 40  # stopped, not drawn for a minute
            csv = await http.get(path + ".csv", headers=viewer)
            assert csv.status_code == 200, csv.text
            other = {"Authorization": f"Bearer {token_of(small['links']['viewer'])}"}
            svg = await http.get(f"/api/boards/{small['id']}/export.svg", headers=other)
            assert svg.status_code == 200, svg.text
