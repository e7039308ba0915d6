"""Versions of a 5,000-object board: bytes of 100 versions, and how long a restore takes.

A board of 5,000 notes (texts of 20-80 characters, a tenth of them also on other
fields) gets 100 versions, 50 notes changed between two; then the worst restores:
after every note was deleted (5,000 brought back), and after half were deleted and
the other half changed. The restore is the service's whole path: a `before_restore`
version, reading the version and the records, planning, one server batch committed
through a room (in-memory bus), as `POST …/versions/{v}/restore` does. The bytes are
also given as the board's quota counts them (`board_bytes`, versions included, V6).

    python bench/versions.py [--objects 5000] [--versions 100]
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson
from _common import PG_URL, pg_schema, raise_priority, table, write_results
from sqlalchemy import func, select

from server.config import Settings
from server.pubsub.memory import MemoryBroker
from server.services.hub import Hub
from server.services.versions import VersionService
from server.storage.engine import create_engine, migrate
from server.storage.store import SqlBoardStore
from server.storage.tables import versions

COLUMNS = ("database", "measure", "objects", "value", "unit")


def notes(count: int) -> list[dict[str, Any]]:
    words = ("idé", "bibliotek", "frivillig", "samskaping", "kurs", "møte")
    words += ("lån", "bok", "barn", "eldre", "digital", "hjelp")
    out = []
    for i in range(count):
        # Words repeat across notes as on a real board; a random word per note keeps
        # zlib from the better-than-real ratio of fully repeated text.
        text = " ".join(words[(i * 7 + k) % len(words)] for k in range(3 + i % 8))
        text += " " + secrets.token_urlsafe(6)
        out.append(
            {
                "id": f"n{i}",
                "kind": "note",
                "x": (i % 100) * 220,
                "y": (i // 100) * 220,
                "w": 200,
                "h": 200,
                "text": text,
                "color": "#fff59d" if i % 10 else "#a5d6a7",
            }
        )
    return out


async def change(hub: Hub, board: str, ops: list[Any]) -> None:
    from server.domain.ops import parse_ops

    for i in range(0, len(ops), 2000):
        await hub.server_batch(board, parse_ops(ops[i : i + 2000]), "bench")


async def run_database(name: str, url: str, schema: str | None, args: Any) -> list[dict]:
    engine = create_engine(url, schema=schema)
    await migrate(engine)
    store = SqlBoardStore(engine)
    hub = Hub(store, MemoryBroker(), Settings().limits)
    service = VersionService(store, hub)
    rows: list[dict[str, Any]] = []

    def row(measure: str, value: float, unit: str) -> None:
        rows.append(
            {
                "database": name,
                "measure": measure,
                "objects": args.objects,
                "value": value,
                "unit": unit,
            }
        )
        print(table([rows[-1]], COLUMNS), flush=True)

    try:
        board = secrets.token_urlsafe(12)
        await store.create_board(board, "Bench", {}, {"participant": "x"}, notes(args.objects))
        started = time.perf_counter()
        first = await service.save(board, "manual", "start")
        row("save one version", (time.perf_counter() - started) * 1000, "ms")
        for v in range(args.versions - 1):
            ops = [
                {
                    "op": "update",
                    "id": f"n{(v * 50 + k) % args.objects}",
                    "set": {"text": f"v{v} {secrets.token_hex(6)}"},
                }
                for k in range(50)
            ]
            await change(hub, board, ops)
            await service.save(board, "manual", f"v{v}")
        async with engine.connect() as conn:
            stored = (
                await conn.execute(
                    select(func.sum(versions.c.size), func.sum(func.length(versions.c.data))).where(
                        versions.c.board_id == board
                    )
                )
            ).one()
        raw = len(orjson.dumps((await store.snapshot(board)).objects))  # type: ignore[union-attr]
        row("uncompressed JSON of one version", float(raw), "bytes")
        row(f"bytes of {args.versions} versions (data)", float(stored[1]), "bytes")
        row("bytes per version", float(stored[1]) / args.versions, "bytes")
        # Versions count toward SAMSKAP_LIMIT_BOARD_BYTES (rule V6): the board's figure.
        total = await store.board_bytes(board)
        row("board_bytes with the versions", float(total), "bytes")
        row("versions' share of board_bytes", 100.0 * float(stored[1]) / total, "%")

        await change(hub, board, [{"op": "delete", "id": f"n{i}"} for i in range(args.objects)])
        started = time.perf_counter()
        reply = await service.restore(board, first.id, "bench")
        row("restore after all deleted", (time.perf_counter() - started) * 1000, "ms")
        assert reply["restored"] == args.objects, reply

        half = args.objects // 2
        ops = [{"op": "delete", "id": f"n{i}"} for i in range(half)]
        ops += [
            {"op": "update", "id": f"n{i}", "set": {"x": i, "text": "changed"}}
            for i in range(half, args.objects)
        ]
        await change(hub, board, ops)
        started = time.perf_counter()
        reply = await service.restore(board, first.id, "bench")
        row(
            "restore after half deleted, half changed", (time.perf_counter() - started) * 1000, "ms"
        )
        assert reply["restored"] == half and reply["changed"] == args.objects - half, reply
    finally:
        await hub.close()
        await store.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--objects", type=int, default=5000)
    parser.add_argument("--versions", type=int, default=100)
    args = parser.parse_args()
    raise_priority()
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="samskap-versions-") as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        rows += asyncio.run(run_database("sqlite", url, None, args))
    with pg_schema() as pg:
        rows += asyncio.run(run_database("postgresql", PG_URL, pg.schema, args))
    print()
    print(table(rows, COLUMNS))
    payload = {"objects": args.objects, "versions": args.versions, "rows": rows}
    print(f"\nwrote {write_results('versions', payload)}")


if __name__ == "__main__":
    main()
