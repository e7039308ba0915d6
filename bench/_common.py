"""Shared bench helpers: start servers, make boards, watch a process, write results.

Servers always run as their own OS processes (`python -m server serve` or the
baseline relay), and load clients run in other processes (see `loadgen.py`), so
the bench measures the server the way an operator runs it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import platform
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # benches import the server package directly
PG_URL = os.environ.get("SAMSKAP_BENCH_PG", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("SAMSKAP_BENCH_REDIS", "redis://127.0.0.1:6379/0")

# Saturation and many-connection runs come from one address (127.0.0.1) and push
# far past a person's pace, so the abuse limits are raised for every bench server.
BENCH_LIMITS = {
    "SAMSKAP_LIMIT_BATCHES_PER_SEC": "100000",
    "SAMSKAP_LIMIT_BATCH_BURST": "100000",
    "SAMSKAP_LIMIT_ADDRESS_BATCHES_PER_SEC": "100000",
    "SAMSKAP_LIMIT_ADDRESS_PRESENCE_PER_SEC": "100000",
    "SAMSKAP_LIMIT_CONNECTIONS_PER_ADDRESS": "100000",
    "SAMSKAP_LIMIT_CONNECTIONS_PER_BOARD": "100000",
    "SAMSKAP_LIMIT_JOINS_PER_MINUTE": "100000",
    "SAMSKAP_LIMIT_BOARDS_PER_MINUTE": "100000",
}


def pending_batch(batch_id: str, raw_ops: list[dict[str, Any]]) -> Any:
    """A PendingBatch from a participant, whichever way the store takes the sender's rights."""
    from server.domain.ops import parse_ops
    from server.services.ports import PendingBatch

    ops = parse_ops(raw_ops)
    if "role" in PendingBatch.__dataclass_fields__:
        return PendingBatch(batch_id, "bench", "Bench", ops, role="participant")  # type: ignore[call-arg]
    from server.domain.ops import Policy

    return PendingBatch(batch_id, "bench", "Bench", ops, policy=Policy())  # type: ignore[call-arg]


# A shared machine runs other jobs too; the bench raises its own processes' priority
# (server, relay and load generator alike) when allowed, so they are measured, not the
# neighbours. SAMSKAP_BENCH_NICE=0 turns this off.
NICE = int(os.environ.get("SAMSKAP_BENCH_NICE", "-10"))
# Serve another checkout of the server package (e.g. an older revision, for before/after).
SERVER_ROOT = Path(os.environ.get("SAMSKAP_BENCH_SERVER_ROOT", str(ROOT)))


def raise_priority() -> bool:
    """Apply NICE to this process; False when not permitted (then nothing changes)."""
    if NICE == 0:
        return False
    try:
        os.nice(NICE)
    except OSError:
        return False
    return True


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def machine() -> dict[str, Any]:
    cpu = platform.processor()
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as fh:
        for line in fh:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "calibration_ms": calibration_ms(),
        "fsync_ms": fsync_ms(),
    }


def fsync_ms(count: int = 50) -> dict[str, float]:
    """How long the disk under the temporary folder (where the benches' SQLite files
    live) takes to make 4 KB durable: p50 and max of `count` write+fsync pairs. A
    durable commit waits for one; in session 14 the same code's rooms.py p99 went from
    27 to 180 ms within minutes while `calibration_ms` and the other CPU stayed flat."""
    took = []
    with tempfile.NamedTemporaryFile() as fh:
        for _ in range(count):
            started = time.perf_counter()
            fh.write(b"x" * 4096)
            fh.flush()
            os.fsync(fh.fileno())
            took.append((time.perf_counter() - started) * 1000)
    took.sort()
    return {"p50": round(took[len(took) // 2], 3), "max": round(took[-1], 3)}


def calibration_ms() -> float:
    """CPU time of a fixed pure-Python workload, best of 5: how fast this machine ran
    Python when the figures were taken. The same code measured 35-40 % slower on one
    day than on another here (docs/performance.md, session 12); compare figures of
    different days by this first."""
    best = float("inf")
    for _ in range(5):
        started = time.process_time()
        table: dict[int, str] = {}
        for i in range(100_000):
            table[i % 1024] = json.dumps([i, "x"])
        best = min(best, time.process_time() - started)
    return round(best * 1000, 1)


def _wait_http(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as resp:
                if resp.status < 500:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server at {url} did not come up")


@dataclass
class Server:
    """A server process on 127.0.0.1; `url` is its HTTP base."""

    proc: subprocess.Popen[bytes]
    port: int
    kind: str
    scratch: str | None = None  # a data folder made for this server, removed at its stop

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_base(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.scratch:
            shutil.rmtree(self.scratch, ignore_errors=True)


def start_samskap(
    env: dict[str, str] | None = None,
    port: int | None = None,
    on_spawn: Callable[[int], None] | None = None,
) -> Server:
    """`python -m server serve` with bench limits; SQLite in a fresh temp dir by default.

    `on_spawn(pid)` runs right after the process starts, before it serves (e.g. to put
    it into a cgroup while it is still importing).
    """
    port = port or free_port()
    full = dict(os.environ)
    full.update(BENCH_LIMITS)
    full["SAMSKAP_LOG_LEVEL"] = "warning"
    full.update(env or {})
    scratch = None
    if "SAMSKAP_DATA_DIR" not in full:  # each run's SQLite file and uploads, then gone
        scratch = full["SAMSKAP_DATA_DIR"] = tempfile.mkdtemp(prefix="samskap-bench-")
    proc = subprocess.Popen(
        [PYTHON, "-m", "server", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=SERVER_ROOT,
        env=full,
        stdout=subprocess.DEVNULL,
        preexec_fn=raise_priority,
    )
    server = Server(proc, port, "samskap", scratch)
    try:
        if on_spawn is not None:
            on_spawn(proc.pid)
        _wait_http(server.url + "/healthz", timeout=120)  # start-up on a busy machine: 30 s+
    except BaseException:
        server.stop()
        raise
    return server


def start_relay(port: int | None = None) -> Server:
    port = port or free_port()
    proc = subprocess.Popen(
        [PYTHON, str(ROOT / "bench" / "baseline_relay.py"), "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        preexec_fn=raise_priority,
    )
    server = Server(proc, port, "relay")
    try:
        _wait_http(server.url + "/")
    except BaseException:
        server.stop()
        raise
    return server


def create_board(server: Server, title: str = "Bench") -> tuple[str, str]:
    """A board through the HTTP API: (board id, participant token)."""
    request = urllib.request.Request(
        server.url + "/api/boards",
        data=json.dumps({"title": title}).encode(),
        headers={"Content-Type": "application/json", "Origin": server.url},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as resp:
        body = json.loads(resp.read())
    link = body["links"]["participant"]
    return body["id"], link.split("#t=", 1)[1]


class Watch:
    """Samples a process's RSS (peak) and CPU time while a phase runs."""

    def __init__(self, pid: int, every: float = 0.1) -> None:
        self.proc = psutil.Process(pid)
        self.every = every
        self.peak_rss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._cpu0 = 0.0
        self._t0 = 0.0
        self.cpu_seconds = 0.0
        self.wall = 0.0

    def rss(self) -> int:
        return int(self.proc.memory_info().rss)

    def _cpu(self) -> float:
        """The server's CPU time with its child processes' (the SQLite writer process,
        export workers): those alive now, and those that ended and were waited for."""
        times = self.proc.cpu_times()
        total = times.user + times.system + times.children_user + times.children_system
        for child in self.proc.children(recursive=True):
            with contextlib.suppress(psutil.Error):
                child_times = child.cpu_times()
                total += child_times.user + child_times.system
        return float(total)

    def _run(self) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(psutil.Error):
                self.peak_rss = max(self.peak_rss, self.rss())
            self._stop.wait(self.every)

    def start(self) -> Watch:
        self._cpu0, self._t0 = self._cpu(), time.monotonic()
        self._thread.start()
        return self

    def stop(self) -> None:
        self.cpu_seconds = self._cpu() - self._cpu0
        self.wall = time.monotonic() - self._t0
        self._stop.set()
        self._thread.join()

    @property
    def cpu_percent(self) -> float:
        """Percent of one core over the watched window (100 = one core busy)."""
        return 100.0 * self.cpu_seconds / self.wall if self.wall else 0.0


def percentiles(values: Sequence[float]) -> dict[str, float]:
    """p50/p95/p99/max in milliseconds from seconds."""
    if not values:
        return {"p50": float("nan"), "p95": float("nan"), "p99": float("nan"), "max": float("nan")}
    ordered = sorted(values)
    n = len(ordered)

    def at(q: float) -> float:
        return 1000.0 * ordered[min(n - 1, int(q * n))]

    return {"p50": at(0.50), "p95": at(0.95), "p99": at(0.99), "max": 1000.0 * ordered[-1]}


def table(rows: list[dict[str, Any]], columns: Sequence[str]) -> str:
    def cell(value: Any) -> str:
        if isinstance(value, float):
            return f"{value:,.1f}" if abs(value) < 1e5 else f"{value:,.0f}"
        if isinstance(value, int):
            return f"{value:,}"
        return str(value)

    body = [[cell(row.get(c, "")) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in body)) for i, c in enumerate(columns)]
    lines = [" | ".join(c.rjust(w) for c, w in zip(columns, widths, strict=True))]
    lines.append("-+-".join("-" * w for w in widths))
    lines += [" | ".join(v.rjust(w) for v, w in zip(r, widths, strict=True)) for r in body]
    return "\n".join(lines)


def server_commit() -> str:
    """The commit of the code the bench serves (SAMSKAP_BENCH_SERVER_ROOT), "+" if dirty."""
    try:
        rev = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=SERVER_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no", "server"],
            cwd=SERVER_ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return rev + ("+" if dirty else "")


def write_results(name: str, payload: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    payload = {
        "bench": name,
        "machine": machine(),
        "when": time.strftime("%Y-%m-%d %H:%M"),
        **payload,
    }
    path.write_text(json.dumps(payload, indent=2) + "\n")
    return path


@dataclass
class PgSchema:
    url: str
    schema: str = field(default_factory=lambda: "bench_" + secrets.token_hex(5))

    async def _run(self, sql: str) -> None:
        import asyncpg

        conn = await asyncpg.connect(self.url.replace("postgresql+asyncpg://", "postgresql://"))
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    def create(self) -> None:
        asyncio.run(self._run(f'CREATE SCHEMA "{self.schema}"'))

    def drop(self) -> None:
        asyncio.run(self._run(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE'))


@contextlib.contextmanager
def pg_schema() -> Iterator[PgSchema]:
    """An own PostgreSQL schema for one bench, dropped afterwards."""
    schema = PgSchema(PG_URL)
    schema.create()
    try:
        yield schema
    finally:
        schema.drop()
