"""CPU of each thread of a running process, and how long each waited for a CPU.

From `/proc/<pid>/task/<tid>/stat` (user and system time), `status` (context
switches) and `schedstat` (time on a CPU, time runnable but waiting in the run
queue), over a window. Run it beside a bench, on the served process:

    python bench/thread_cpu.py --pid $(pgrep -f 'server serve' | head -1) --seconds 8

Linux only. Threads under 1 % of a core are left out. The main (event loop) thread is
the one whose id is the process id. Used in docs/performance.md, session 13.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def snapshot(pid: int) -> dict[str, tuple[str, float, float, int, float, float]]:
    """Per thread: name, user s, system s, context switches, on-CPU s, run-queue s."""
    threads = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        base = Path(f"/proc/{pid}/task/{tid}")
        try:
            stat = (base / "stat").read_text()
            status = (base / "status").read_text()
            on_cpu, waited, _ = (int(v) for v in (base / "schedstat").read_text().split())
        except (FileNotFoundError, ProcessLookupError):
            continue  # the thread ended meanwhile
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        lines = status.splitlines()
        switches = sum(int(line.split()[1]) for line in lines if "ctxt_switches" in line)
        threads[tid] = (
            name,
            int(fields[11]) / TICK,
            int(fields[12]) / TICK,
            switches,
            on_cpu / 1e9,
            waited / 1e9,
        )
    return threads


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pid", type=int, required=True)
    parser.add_argument("--seconds", type=float, default=8.0)
    args = parser.parse_args()
    before = snapshot(args.pid)
    time.sleep(args.seconds)
    after = snapshot(args.pid)
    span = args.seconds / 100  # seconds per percent of a core
    print("thread   name             user %  system %  switches/s  on CPU %  run queue %")
    for tid, now in sorted(after.items(), key=lambda item: -item[1][1] - item[1][2]):
        if tid not in before:
            continue
        then = before[tid]
        user, system = (now[1] - then[1]) / span, (now[2] - then[2]) / span
        if user + system < 1:
            continue
        main_mark = "*" if tid == str(args.pid) else " "
        print(
            f"{tid:>7}{main_mark} {now[0]:<16} {user:6.1f}  {system:8.1f}"
            f"  {(now[3] - then[3]) / args.seconds:10.0f}  {(now[4] - then[4]) / span:8.1f}"
            f"  {(now[5] - then[5]) / span:11.1f}"
        )


if __name__ == "__main__":
    main()
