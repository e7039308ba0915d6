"""Run every live-server bench in turn (each prints its table and writes its JSON).

    python bench/run_all.py [--quick]

--quick shortens each run (for a smoke test; publish figures from a full run).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    short = ["--duration", "3"] if args.quick else []
    steps = [
        ["commit.py", *(["--seconds", "1"] if args.quick else [])],
        ["open.py"],
        ["fanout.py", *short],
        ["rooms.py", *(["--duration", "5"] if args.quick else [])],
        ["multiprocess.py", *short],
        ["plot.py"],
    ]
    for step in steps:
        print(f"\n=== {' '.join(step)}", flush=True)
        subprocess.run([sys.executable, str(HERE / step[0]), *step[1:]], check=True)


if __name__ == "__main__":
    main()
