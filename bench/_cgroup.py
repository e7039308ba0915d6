"""A cgroup v1 CPU group for one bench process: a fixed CPU quota and its CPU account.

The `cpu` controller caps a group at `cfs_quota_us` of CPU time per `cfs_period_us`
(0.3 core = 3 ms per 10 ms); `cpuacct.usage` counts the group's CPU time in ns.
The two controllers may be mounted apart (`/sys/fs/cgroup/cpu`, `/sys/fs/cgroup/cpuacct`)
or together (`cpu,cpuacct`); both are handled. Groups are removed on close, after
their processes were moved back to the root group.
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

ROOT = Path("/sys/fs/cgroup")


def unavailable() -> str | None:
    """Why CPU groups cannot be made here, or None when they can."""
    if os.geteuid() != 0:
        return "needs root (writes /sys/fs/cgroup/cpu/<group>/cpu.cfs_quota_us)"
    if not (ROOT / "cpu" / "cpu.cfs_quota_us").exists():
        return "no cgroup v1 cpu controller at /sys/fs/cgroup/cpu"
    if not os.access(ROOT / "cpu", os.W_OK):
        return "/sys/fs/cgroup/cpu is not writable"
    return None


def _acct_root() -> Path:
    """Where cpuacct.usage lives: its own hierarchy, or co-mounted with cpu."""
    if (ROOT / "cpu" / "cpuacct.usage").exists():
        return ROOT / "cpu"
    return ROOT / "cpuacct"


class CpuGroup:
    """One group in the cpu (and cpuacct) hierarchies, capped at `quota` cores."""

    def __init__(self, name: str, quota: float, period_us: int = 10_000) -> None:
        self.name = name
        self.quota = quota
        self.dirs = [ROOT / "cpu" / name]
        acct = _acct_root() / name
        if acct != self.dirs[0]:
            self.dirs.append(acct)
        for path in self.dirs:
            path.mkdir(exist_ok=True)
        self.period_us = period_us
        # Unlimited until limit(): start-up (imports, migrations) is not what is measured.
        (self.dirs[0] / "cpu.cfs_quota_us").write_text("-1")

    def limit(self) -> None:
        """Apply the quota. Period first: a quota must fit the current period."""
        cpu = self.dirs[0]
        (cpu / "cpu.cfs_period_us").write_text(str(self.period_us))
        (cpu / "cpu.cfs_quota_us").write_text(str(int(self.quota * self.period_us)))

    def add(self, pid: int) -> None:
        """Move a process (all its threads) into the group."""
        for path in self.dirs:
            (path / "cgroup.procs").write_text(str(pid))

    def usage_s(self) -> float:
        """CPU seconds the group's processes used since it was made."""
        return int((self.dirs[-1] / "cpuacct.usage").read_text()) / 1e9

    def throttle(self) -> dict[str, int]:
        """`cpu.stat`: nr_periods, nr_throttled, throttled_time (ns)."""
        stats = {}
        for line in (self.dirs[0] / "cpu.stat").read_text().splitlines():
            key, _, value = line.partition(" ")
            stats[key] = int(value)
        return stats

    def close(self) -> None:
        """Move leftover processes to the root group and remove the group's folders."""
        for path in self.dirs:
            with contextlib.suppress(OSError):
                for pid in (path / "cgroup.procs").read_text().split():
                    with contextlib.suppress(OSError):
                        (path.parent / "cgroup.procs").write_text(pid)
            for _ in range(50):  # a process that was just stopped may still be exiting
                try:
                    path.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.1)
