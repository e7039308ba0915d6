"""Nightly R1/R2 soak: many seeds, long runs. Not collected by pytest (no `test_` prefix).

    .venv/bin/python -m tests.soak.fuzz_nightly                 # 1,000 seeds x 1,000 ops
    .venv/bin/python -m tests.soak.fuzz_nightly --seeds 20 --ops 1000 --processes 2

Prints one line per failing seed (with the path of its op log) and the figures at the
end; exits 1 if any seed failed. Replay a seed with `--start N --seeds 1`.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

from tests.reliability.fuzz_engine import run_seed

FAULTS = {"drop": 0.15, "dup": 0.15, "hold": 0.2}


async def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=1000)
    parser.add_argument("--ops", type=int, default=1000)
    parser.add_argument("--start", type=int, default=100_000)
    parser.add_argument("--processes", type=int, default=1, choices=(1, 2))
    parser.add_argument("--logs", type=Path, default=Path(tempfile.gettempdir()) / "fuzz-logs")
    args = parser.parse_args(argv)
    args.logs.mkdir(parents=True, exist_ok=True)
    faults = FAULTS if args.processes == 2 else None
    failed: list[int] = []
    clients = batches = 0
    started = time.monotonic()
    for seed in range(args.start, args.start + args.seeds):
        with tempfile.TemporaryDirectory() as tmp:
            log = args.logs / f"seed-{seed}.log"
            try:
                fuzz = await run_seed(
                    seed, Path(tmp), args.ops, processes=args.processes, faults=faults, log_file=log
                )
                clients += fuzz.n_clients
                batches += fuzz.sent
            except AssertionError as exc:
                failed.append(seed)
                print(str(exc).splitlines()[0], flush=True)
    seconds = time.monotonic() - started
    print(
        f"fuzz nightly: {args.seeds} seeds x {args.ops} ops, {args.processes} process(es): "
        f"{args.seeds - len(failed)} passed, {len(failed)} failed {failed[:20]}; "
        f"{batches} batches from {clients} clients in {seconds:.0f} s "
        f"({seconds / args.seeds:.1f} s per seed)"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
