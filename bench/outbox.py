"""CPU per delivered frame through a session's outbox and writer (no sockets).

100 sessions each get one message per event-loop turn (the worst case: every frame
holds one message), and a writer per session drains `frames()`.

    python bench/outbox.py
    git show <rev>:server/services/session.py > /tmp/old.py
    python bench/outbox.py --session-file /tmp/old.py     # an older outbox, to compare
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import uvloop
from _common import table, write_results

from server.config import Limits


def load(path: str | None) -> ModuleType:
    if path is None:
        from server.services import session

        return session
    spec = importlib.util.spec_from_file_location("session_under_test", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def run(module: Any, sessions: int, rounds: int) -> float:
    limits = Limits(outbox_messages=rounds + 10)
    users = [module.Session(f"c{i}", "x", "participant", "a", limits) for i in range(sessions)]
    for user in users:
        user.start('{"type":"welcome"}', 0)
    seen = [0]

    async def writer(user: Any) -> None:
        async for frame in user.frames():
            seen[0] += frame.count('"type"')
            await asyncio.sleep(0)  # a socket write yields too

    tasks = [asyncio.create_task(writer(u)) for u in users]
    while seen[0] < sessions:
        await asyncio.sleep(0)
    start = time.process_time()
    for n in range(rounds):
        for user in users:
            user.send_batch(n + 1, '{"type":"ops"}')
        await asyncio.sleep(0)
    while seen[0] < sessions * (rounds + 1):
        await asyncio.sleep(0)
    elapsed = time.process_time() - start
    for user in users:
        user.close(1000, "done")
    await asyncio.gather(*tasks, return_exceptions=True)
    return elapsed / (sessions * rounds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--session-file")
    parser.add_argument("--rounds", type=int, default=2000)
    parser.add_argument("--label", default="other", help="results name for --session-file")
    args = parser.parse_args()
    module = load(args.session_file)
    runs = [uvloop.run(run(module, 100, args.rounds)) for _ in range(3)]
    row = {
        "session": Path(args.session_file).name if args.session_file else "current",
        "us_per_frame": 1e6 * min(runs),
    }
    print(table([row], ("session", "us_per_frame")))
    name = "outbox" if args.session_file is None else f"outbox-{args.label}"
    print(f"wrote {write_results(name, {'rows': [row], 'runs_us': [1e6 * r for r in runs]})}")


if __name__ == "__main__":
    main()
