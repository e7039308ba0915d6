"""Cheap messages, expensive reads: another board's acks while viewers sync a 25 MB board.

A real `samskap serve` process (SQLite by default, `--database postgresql` or `both`);
a board of 28 batches x 90 notes x 5,000 characters (12.6 MB of objects, as much
retained log); four viewers in another process join and `sync` from 0 over and over
while a participant on another board sends 40 batches one at a time. Prints each
ack's p50 / p99 / max, without viewers and with them (issue 13 wants p99 < 100 ms).
`SAMSKAP_BENCH_SERVER_ROOT=<other checkout>` serves another version (before/after).

    python bench/heavy_reads.py [--database sqlite|postgresql|both] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import urllib.request
from typing import Any

from _common import PG_URL, SERVER_ROOT, pg_schema, start_samskap

from tests.support.heavy import fill, measure


def new_board(url: str, title: str) -> dict[str, Any]:
    request = urllib.request.Request(
        url + "/api/boards",
        data=json.dumps({"title": title}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as resp:
        return json.loads(resp.read())  # type: ignore[no-any-return]


async def one(env: dict[str, str], label: str, runs: int) -> None:
    server = start_samskap({**env, "SAMSKAP_LIMIT_EXPORT_SECONDS": "0"})
    try:
        big, other = new_board(server.url, "Stor"), new_board(server.url, "Andre")
        await fill(server.url, big, 28)
        print(f"[{label}] {(await measure(server.url, big, other, viewers=0)).line('no viewers')}")
        for run in range(runs):
            figures = await measure(server.url, big, other, viewers=4)
            print(f"[{label}] run {run + 1}: {figures.line('4 viewers')}")
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"server from {SERVER_ROOT}")
    if args.database in ("sqlite", "both"):
        asyncio.run(one({}, "sqlite", args.runs))
    if args.database in ("postgresql", "both"):
        with pg_schema() as schema:
            env = {"SAMSKAP_DATABASE_URL": PG_URL, "SAMSKAP_DATABASE_SCHEMA": schema.schema}
            asyncio.run(one(env, "postgresql", args.runs))


if __name__ == "__main__":
    main()
