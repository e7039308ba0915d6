"""Durable commits per second, calling the store directly (no network, no sockets).

Each batch moves one note (`update {x, text}`), like the fan-out bench. Shapes:
one board with one batch per transaction, one board with groups of G batches per
transaction (what a room's committer does when batches arrive together), and many
boards committing at once (one committer per board, as one room each).
SQLite: WAL, synchronous=FULL. PostgreSQL: an own schema, dropped afterwards.

    python bench/commit.py [--seconds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import PG_URL, pending_batch, pg_schema, raise_priority, table, write_results

from server.storage.engine import create_engine, migrate
from server.storage.store import SqlBoardStore

# (shape, boards, batches per transaction). Batch n moves note n % NOTES, so a group
# touches as many notes as a room's group does when everyone moves their own note.
SHAPES = [("one board", 1, 1), ("one board", 1, 16), ("one board", 1, 64), ("one board", 1, 256)]
SHAPES += [("50 boards", 50, 1), ("50 boards", 50, 16)]
NOTES = 100
COLUMNS = ("database", "shape", "group", "batches", "seconds", "batches_s", "tx_s")


def batch(board: str, n: int) -> Any:
    change = {"x": n % 2000, "text": secrets.token_hex(8)}
    raw = [{"op": "update", "id": f"n{n % NOTES}", "set": change}]
    return pending_batch(f"{board[:8]}{n}_{secrets.token_hex(4)}", raw)


async def make_boards(store: SqlBoardStore, count: int) -> list[str]:
    ids = []
    for _ in range(count):
        board = secrets.token_urlsafe(12)
        notes = [
            {"id": f"n{i}", "kind": "note", "x": 0, "y": 0, "w": 200, "h": 200, "text": ""}
            for i in range(NOTES)
        ]
        await store.create_board(board, "Bench", {}, {"participant": "x"}, notes)
        ids.append(board)
    return ids


async def committer(store: SqlBoardStore, board: str, group: int, until: float) -> int:
    done = 0
    while time.perf_counter() < until:
        results = await store.commit(board, [batch(board, done + i) for i in range(group)])
        assert all(r.status == "applied" for r in results), results
        done += group
    return done


async def run_shape(
    store: SqlBoardStore, boards: int, group: int, seconds: float
) -> dict[str, Any]:
    ids = await make_boards(store, boards)
    await asyncio.gather(*(committer(store, b, group, time.perf_counter() + 0.3) for b in ids))
    start = time.perf_counter()
    counts = await asyncio.gather(*(committer(store, b, group, start + seconds) for b in ids))
    elapsed = time.perf_counter() - start
    total = sum(counts)
    return {
        "group": group,
        "batches": total,
        "seconds": elapsed,
        "batches_s": total / elapsed,
        "tx_s": total / group / elapsed,
    }


async def run_database(name: str, url: str, schema: str | None, seconds: float) -> list[dict]:
    engine = create_engine(url, schema=schema)
    await migrate(engine)
    store = SqlBoardStore(engine)
    rows = []
    try:
        for shape, boards, group in SHAPES:
            row = {
                "database": name,
                "shape": shape,
                **await run_shape(store, boards, group, seconds),
            }
            print(table([row], COLUMNS), flush=True)
            rows.append(row)
    finally:
        await store.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--label", default="")
    args = parser.parse_args()
    raise_priority()
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="samskap-commit-") as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        rows += asyncio.run(run_database("sqlite", url, None, args.seconds))
    with pg_schema() as pg:
        rows += asyncio.run(run_database("postgresql", PG_URL, pg.schema, args.seconds))
    print()
    print(table(rows, COLUMNS))
    name = "commit" + (f"-{args.label}" if args.label else "")
    print(f"\nwrote {write_results(name, {'seconds': args.seconds, 'rows': rows})}")


if __name__ == "__main__":
    main()
