"""CPU time of one group commit, per batch: the work the SQLite writer thread does.

The writer thread holds the GIL while it runs Python, so every microsecond it spends
is taken from the event loop that delivers edits. This measures `commit_boards` alone
(SQLite file, `synchronous=OFF` so the figure is CPU and not the disk), for groups of
1 batch on each of N boards, in CPU time (steady under a busy machine, unlike wall
time). `--baseline DIR` measures another checkout's server package in the same run,
alternating, and prints the ratio.

    python bench/commit_cpu.py [--boards 1 10 50] [--rounds 300] [--baseline /tmp/old]
    python bench/commit_cpu.py --database postgresql+asyncpg://root@127.0.0.1/test
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import PYTHON, ROOT, table, write_results

NOTES = 20  # notes per board; batch n moves note n mod NOTES


def measure(boards: int, rounds: int, database: str = "") -> dict[str, float]:
    """In the child: make 50 boards, then time `rounds` group commits of `boards` boards.
    `database`: a PostgreSQL URL (a fresh schema is made and dropped), else SQLite."""
    from sqlalchemy import create_engine as sync_engine
    from sqlalchemy import event

    from server.storage.commit import commit_boards
    from server.storage.engine import create_engine, migrate
    from server.storage.store import SqlBoardStore

    path = Path(tempfile.mkdtemp()) / "commit.db"
    url = database or f"sqlite+aiosqlite:///{path}"
    schema = f"commit_cpu_{os.getpid()}" if database else None

    async def setup() -> None:
        if schema:
            admin = create_engine(url)
            async with admin.begin() as conn:
                await conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
            await admin.dispose()
        engine = create_engine(url, schema=schema)
        await migrate(engine)
        store = SqlBoardStore(engine)
        notes = [{"id": f"n{j}", "kind": "note", "x": 0, "y": 0} for j in range(NOTES)]
        for i in range(50):
            await store.create_board(f"b{i}", "bench", {}, {"participant": "0" * 64}, notes)
        await store.close()

    asyncio.run(setup())
    if database:
        try:
            return asyncio.run(_measure_async(url, schema, boards, rounds))
        finally:
            asyncio.run(_drop(url, schema))
    engine = sync_engine(f"sqlite:///{path}")

    @event.listens_for(engine, "connect")
    def _no_sync(dbapi: Any, _record: Any) -> None:
        dbapi.execute("PRAGMA synchronous=OFF")

    counter = 0

    def group() -> list[tuple[str, list[Any]]]:
        nonlocal counter
        counter += boards
        return _group(counter - boards, boards)

    for _ in range(20):  # warm the statement cache
        with engine.begin() as conn:
            commit_boards(conn, group(), 10_000)
    started = time.process_time()
    for _ in range(rounds):
        with engine.begin() as conn:
            commit_boards(conn, group(), 10_000)
    cpu = time.process_time() - started
    return {"us_per_batch": 1e6 * cpu / (rounds * boards), "ms_per_round": 1e3 * cpu / rounds}


def _group(counter: int, boards: int) -> list[tuple[str, list[Any]]]:
    from server.domain.ops import parse_ops
    from server.services.ports import PendingBatch

    work = []
    for i in range(boards):
        counter += 1
        ops = parse_ops([{"op": "update", "id": f"n{counter % NOTES}", "set": {"x": counter}}])
        work.append((f"b{i}", [PendingBatch(f"x{counter}", "c", "a", ops, "participant")]))
    return work


async def _measure_async(
    url: str, schema: str | None, boards: int, rounds: int
) -> dict[str, float]:
    """PostgreSQL as the server commits there: the async engine, the commit in run_sync.
    CPU of this process only (asyncpg's protocol included, the database server not)."""
    from server.storage.commit import commit_boards
    from server.storage.engine import create_engine

    engine = create_engine(url, schema=schema)
    counter = 0
    for warm in range(rounds + 20):  # 20 rounds warm the statement caches
        if warm == 20:
            started, wall = time.process_time(), time.perf_counter()
        async with engine.begin() as conn:
            await conn.run_sync(commit_boards, _group(counter, boards), 10_000)
        counter += boards
    cpu = time.process_time() - started
    wall = time.perf_counter() - wall
    await engine.dispose()
    return {
        "us_per_batch": 1e6 * cpu / (rounds * boards),
        "ms_per_round": 1e3 * cpu / rounds,
        # Round trips show here, not in CPU: the database works while this process waits.
        "wall_ms_per_round": 1e3 * wall / rounds,
    }


async def _drop(url: str, schema: str | None) -> None:
    from server.storage.engine import create_engine

    admin = create_engine(url)
    async with admin.begin() as conn:
        await conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    await admin.dispose()


def run_child(root: Path, boards: int, rounds: int, database: str = "") -> dict[str, float]:
    # The server package is imported only inside measure(), after `root` is put first.
    code = (
        "import sys, json; sys.path.insert(0, sys.argv[1]); import commit_cpu as c;"
        "sys.path.insert(0, sys.argv[2]);"
        "print(json.dumps(c.measure(int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])))"
    )
    args = [PYTHON, "-c", code, str(ROOT / "bench"), str(root), str(boards), str(rounds), database]
    out = subprocess.run(args, capture_output=True, text=True, check=True, cwd=root)
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--boards", type=int, nargs="+", default=[1, 10, 50])
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--baseline", type=Path, help="another checkout's root (before)")
    parser.add_argument("--label", default="")
    parser.add_argument(
        "--database", default="", help="a PostgreSQL URL (postgresql+asyncpg://…); default SQLite"
    )
    args = parser.parse_args()
    roots = [("this", ROOT)] + ([("baseline", args.baseline)] if args.baseline else [])
    rows: list[dict[str, Any]] = []
    for boards in args.boards:
        best: dict[str, dict[str, float]] = {}
        for _ in range(args.repeat):  # alternate, keep each side's best (least disturbed)
            for name, root in roots:
                got = run_child(root, boards, args.rounds, args.database)
                if name not in best or got["us_per_batch"] < best[name]["us_per_batch"]:
                    best[name] = got
        row: dict[str, Any] = {"boards_per_group": boards}
        for name, _root in roots:
            row[f"{name}_us_per_batch"] = best[name]["us_per_batch"]
            row[f"{name}_ms_per_group"] = best[name]["ms_per_round"]
            if "wall_ms_per_round" in best[name]:  # PostgreSQL
                row[f"{name}_wall_ms_per_group"] = best[name]["wall_ms_per_round"]
        if args.baseline:
            row["ratio"] = best["baseline"]["us_per_batch"] / best["this"]["us_per_batch"]
        rows.append(row)
    columns = list(rows[0])
    print(table(rows, columns))
    name = "commit_cpu" + (f"-{args.label}" if args.label else "")
    database = "postgresql" if args.database else "sqlite"
    results = {"rounds": args.rounds, "database": database, "rows": rows}
    print(f"\nwrote {write_results(name, results)}")


if __name__ == "__main__":
    main()
