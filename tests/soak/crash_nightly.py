"""Nightly R3 soak: 20 clients x 500 batches, SIGKILL 5 times, on SQLite and PostgreSQL.
Not collected by pytest (no `test_` prefix).

    .venv/bin/python -m tests.soak.crash_nightly
    .venv/bin/python -m tests.soak.crash_nightly --clients 5 --batches 100 --kills 3 --backend sqlite

Exits 1 on any lost, doubled or out-of-order batch (the run raises with the reason).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

from tests.reliability.crash import crash_run
from tests.support.services import postgres_schema


async def one(backend: str, clients: int, batches: int, kills: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        if backend == "sqlite":
            url = f"sqlite+aiosqlite:///{Path(tmp) / 'crash.db'}"
            env = {"SAMSKAP_DATA_DIR": tmp, "SAMSKAP_DATABASE_URL": url}
            figures = await crash_run(
                env, (url, None), clients=clients, batches=batches, kills=kills
            )
        else:
            async with postgres_schema() as (url, schema):
                env = {
                    "SAMSKAP_DATA_DIR": tmp,
                    "SAMSKAP_DATABASE_URL": url,
                    "SAMSKAP_DATABASE_SCHEMA": schema,
                }
                figures = await crash_run(
                    env, (url, schema), clients=clients, batches=batches, kills=kills
                )
    print(
        f"crash nightly on {backend}: {figures.clients} clients x {figures.batches} batches, "
        f"{figures.kills} SIGKILLs: {figures.acked} acknowledged, {figures.missing} missing, "
        f"{figures.duplicated} duplicated, seq 1..{figures.final_seq} without gaps, "
        f"{figures.resent} resends, {figures.reconnects} reconnects, "
        f"restarts {figures.restart_seconds} s, {figures.seconds} s in all",
        flush=True,
    )


async def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--batches", type=int, default=500)
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    args = parser.parse_args(argv)
    backends = ("sqlite", "postgres") if args.backend == "both" else (args.backend,)
    for backend in backends:
        await one(backend, args.clients, args.batches, args.kills)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
