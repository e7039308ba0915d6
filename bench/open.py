"""Opening a board: time from connect until the welcome is received and parsed.

Boards of 1k, 10k and 50k notes are written straight into the database, then a
real `samskap serve` process serves them. `first` is a join that opens the room;
`warm` is the median of 5 joins while another client keeps the room open. The
catch-up row joins with `since` after 1,000 batches it missed.

    python bench/open.py [--database sqlite|postgresql|both]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import websockets
from _common import (
    PG_URL,
    Server,
    pending_batch,
    pg_schema,
    raise_priority,
    start_samskap,
    table,
    write_results,
)

from server.services.access import hash_token
from server.storage.engine import create_engine, migrate
from server.storage.store import SqlBoardStore

SIZES = (1_000, 10_000, 50_000)
CATCHUP = 1_000
TOKEN = "bench-open-token-0123456789abcdef"
COLUMNS = ("database", "board", "objects", "welcome_kb", "first_ms", "warm_ms", "warm_max_ms")


def note(i: int) -> dict[str, Any]:
    return {
        "id": f"n{i}",
        "kind": "note",
        "x": (i % 200) * 220,
        "y": (i // 200) * 220,
        "w": 200,
        "h": 200,
        "color": "#ffe066",
        "text": f"Idé nummer {i}: bibliotek og frivillige sammen",
    }


async def seed(url: str, schema: str | None) -> dict[str, int]:
    """Boards named by size, plus `catchup` with 1,000 logged batches after seq 0."""
    engine = create_engine(url, schema=schema)
    await migrate(engine)
    store = SqlBoardStore(engine)
    hashes = {"participant": hash_token(TOKEN)}
    try:
        for size in SIZES:
            await store.create_board(
                f"b{size}", "Bench", {}, hashes, [note(i) for i in range(size)]
            )
        await store.create_board("catchup", "Bench", {}, hashes, [note(i) for i in range(100)])
        for start in range(0, CATCHUP, 100):
            group = []
            for n in range(start, start + 100):
                raw = [{"op": "update", "id": f"n{n % 100}", "set": {"x": n, "text": f"t{n}"}}]
                group.append(pending_batch(f"c{n}", raw))
            await store.commit("catchup", group)
    finally:
        await store.close()
    return {f"b{s}": s for s in SIZES} | {"catchup": 100}


async def join(server: Server, board: str, since: int | None = None) -> tuple[float, int, Any]:
    """Seconds from connect to parsed welcome, the welcome's size, and the open socket."""
    start = time.perf_counter()
    ws = await websockets.connect(
        f"{server.ws_base}/ws/boards/{board}", max_size=None, compression=None
    )
    message: dict[str, Any] = {"type": "join", "token": TOKEN, "name": "Bench"}
    if since is not None:
        message["since"] = since
    await ws.send(orjson.dumps(message).decode())
    while True:
        frame = await ws.recv()
        data = orjson.loads(frame)
        found = next(
            (m for m in (data if isinstance(data, list) else [data]) if m.get("type") == "welcome"),
            None,
        )
        if found is not None:
            elapsed = time.perf_counter() - start
            if since is not None:
                assert len(found["catchup"]) == CATCHUP, len(found.get("catchup", []))
            return elapsed, len(frame), ws


async def measure(server: Server, name: str, objects: int, since: int | None) -> dict[str, Any]:
    first, size, ws = await join(server, name, since)
    await ws.close()
    holder = (await join(server, name))[2]  # keeps the room open
    warm = []
    for _ in range(5):
        elapsed, _, ws = await join(server, name, since)
        warm.append(elapsed)
        await ws.close()
    await holder.close()
    label = f"since (+{CATCHUP} batches)" if since is not None else name
    return {
        "board": label,
        "objects": objects,
        "welcome_kb": size / 1024,
        "first_ms": first * 1000,
        "warm_ms": statistics.median(warm) * 1000,
        "warm_max_ms": max(warm) * 1000,
    }


@contextlib.contextmanager
def database(kind: str) -> Iterator[tuple[str, str | None, dict[str, str]]]:
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="samskap-open-") as tmp:
            yield f"sqlite+aiosqlite:///{Path(tmp) / 'samskap.db'}", None, {"SAMSKAP_DATA_DIR": tmp}
    else:
        with pg_schema() as pg:
            env = {"SAMSKAP_DATABASE_URL": PG_URL, "SAMSKAP_DATABASE_SCHEMA": pg.schema}
            yield PG_URL, pg.schema, env


def run(kind: str) -> list[dict[str, Any]]:
    rows = []
    with database(kind) as (url, schema, env):
        boards = asyncio.run(seed(url, schema))
        server = start_samskap(env)
        try:
            for name, objects in boards.items():
                since = 0 if name == "catchup" else None
                row = {"database": kind, **asyncio.run(measure(server, name, objects, since))}
                print(table([row], COLUMNS), flush=True)
                rows.append(row)
        finally:
            server.stop()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--label", default="")
    args = parser.parse_args()
    raise_priority()
    kinds = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    rows = [row for kind in kinds for row in run(kind)]
    print()
    print(table(rows, COLUMNS))
    name = "open" + (f"-{args.label}" if args.label else "")
    print(f"\nwrote {write_results(name, {'rows': rows})}")


if __name__ == "__main__":
    main()
