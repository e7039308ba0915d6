"""A long meeting: a three-hour course meeting compressed, on two app processes.

Two `python -m server serve` processes share PostgreSQL (own schema) and Redis (own
prefix). 60 people (`_meeting_client.py`, two load processes) join and leave in
waves, send presence at 20/s each while present, and write and drag their notes in
bursts; a facilitator opens and closes a dot vote and inserts a template; a PNG export
goes over HTTP every tenth of the meeting; process B is restarted (SIGTERM, then a new
process on the same port) at half time, and its people reconnect to a live process
with their seats and resend what was not acknowledged. Where people connect:
`--spread connection` (default) as a round-robin balancer does, odd numbers to B, even
to A, so that both processes serve the one board and relay to each other (the harder
case); `--spread board` as the shipped nginx and Caddy configs send them, every socket
of the board to one process (B, so the restart moves all of them to A; the RSS targets
then compare unlike loads).

Per window (6 by default, 5 minutes each at `--minutes 30`): RSS of each app process,
p50/p99 of the edit round trip (send to ack), counts. At the end: lost (acknowledged
batches missing from the database, or notes not as their last acknowledged edit left
them), duplicated (notes made twice), RSS at the end against window 1 (process A; B
against its first window after the restart), and PASS/MISS per target: RSS within 10 %,
p99 never above 150 ms, 0 lost, 0 duplicated. Exits non-zero only when it cannot run.
Processes, the schema and the Redis prefix are removed on exit (also Ctrl-C, SIGTERM).

    python bench/meeting.py [--minutes 30] [--windows 6] [--json FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import queue
import secrets
import signal
import sys
import threading
import time
import urllib.request
from array import array
from pathlib import Path
from typing import Any

import psutil
from _common import PG_URL, REDIS_URL, Server, percentiles, pg_schema, start_samskap, table
from _meeting_client import Plan, worker_main

PEOPLE = 60
TARGET_P99_MS = 150.0
TARGET_RSS = 0.10
COLUMNS = (
    "window",
    "minute",
    "rss_a_mb",
    "rss_b_mb",
    "p50_ms",
    "p99_ms",
    "max_ms",
    "acked",
    "joins",
    "resent",
    "votes_ok",
    "commit_mean_ms",
    "commit_over_25ms_pct",
    "exports",
    "export_s",
    "load1",
)


def _post(url: str, body: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(
        url, json.dumps(body).encode(), {"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=30) as resp:
        result: dict[str, Any] = json.loads(resp.read())
    return result


def make_board(server: Server) -> tuple[str, str, str, str]:
    """(board, participant token, facilitator token, a template id)."""
    body = _post(server.url + "/api/boards", {"title": "Kursmøte", "locale": "nb"})
    links = {role: link.split("#t=", 1)[1] for role, link in body["links"].items()}
    with urllib.request.urlopen(server.url + "/api/templates?locale=nb", timeout=30) as resp:
        template = json.loads(resp.read())["templates"][0]["id"]
    return body["id"], links["participant"], links["facilitator"], template


class Exports(threading.Thread):
    """A PNG export over HTTP every `every` seconds, alternating processes."""

    def __init__(self, servers: list[Server], board: str, token: str, every: float) -> None:
        super().__init__(daemon=True)
        self.servers, self.board, self.token, self.every = servers, board, token, every
        self.done: list[tuple[float, float, int]] = []  # (time, seconds, status)
        self.stop = threading.Event()
        self.taken = 0  # exports already reported in a window

    def run(self) -> None:
        n = 0
        while not self.stop.wait(self.every):
            server = self.servers[n % len(self.servers)]
            n += 1
            url = f"{server.url}/api/boards/{self.board}/export.png?scale=0.5"
            request = urllib.request.Request(url, headers={"Authorization": f"Bearer {self.token}"})
            started = time.monotonic()
            try:
                with urllib.request.urlopen(request, timeout=120) as resp:
                    resp.read()
                    status = resp.status
            except OSError as exc:
                status = getattr(exc, "code", 0)
            self.done.append((time.time(), time.monotonic() - started, status))


def commits(server: Server) -> tuple[float, float, float]:
    """The process's commit histogram so far: (groups, seconds, groups within 25 ms)."""
    try:
        with urllib.request.urlopen(server.url + "/metrics", timeout=10) as resp:
            text = resp.read().decode()
    except OSError:
        return (0.0, 0.0, 0.0)
    values: dict[str, float] = {}
    for line in text.splitlines():
        name, _, value = line.rpartition(" ")
        if name.startswith("samskap_commit_seconds"):
            values[name] = float(value)
    return (
        values.get("samskap_commit_seconds_count", 0.0),
        values.get("samskap_commit_seconds_sum", 0.0),
        values.get('samskap_commit_seconds_bucket{le="0.025"}', 0.0),
    )


def rss_mb(server: Server) -> float:
    try:
        return float(psutil.Process(server.proc.pid).memory_info().rss) / 2**20
    except psutil.Error:
        return float("nan")


async def _check(schema: str, board: str) -> dict[str, Any]:
    import asyncpg

    conn = await asyncpg.connect(PG_URL.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await conn.execute(f'SET search_path TO "{schema}"')
        ids = await conn.fetch("SELECT batch_id FROM batch_ids WHERE board_id = $1", board)
        rows = await conn.fetch(
            "SELECT id, data FROM objects WHERE board_id = $1 AND NOT deleted", board
        )
        votes = await conn.fetchval(
            "SELECT coalesce(sum(count), 0) FROM votes WHERE board_id = $1", board
        )
    finally:
        await conn.close()
    return {
        "batch_ids": {r["batch_id"] for r in ids},
        "objects": {r["id"]: json.loads(r["data"]) for r in rows},
        "votes": int(votes),
    }


def verify(schema: str, board: str, finals: list[dict[str, Any]]) -> dict[str, Any]:
    db = asyncio.run(_check(schema, board))
    acked = [b for f in finals for b in f["acked"]]
    missing = [b for b in acked if b not in db["batch_ids"]]
    expected = {k: v for f in finals for k, v in f["expected"].items()}
    wrong = [
        note
        for note, want in expected.items()
        if not want.get("uncertain")
        and any(db["objects"].get(note, {}).get(k) != v for k, v in want.items())
    ]
    texts: dict[str, int] = {}
    for obj in db["objects"].values():
        if obj.get("kind") == "note" and str(obj.get("text", "")).startswith("M "):
            texts[obj["text"]] = texts.get(obj["text"], 0) + 1
    return {
        "acked_batches": len(acked),
        "lost_batches": len(missing),
        "lost_notes": len(wrong),
        "lost": len(missing) + len(wrong),
        "duplicated": sum(n - 1 for n in texts.values()),
        "unacked_at_end": sum(len(f["unacked"]) for f in finals),
        "objects": len(db["objects"]),
        "votes_in_db": db["votes"],
        "missing_sample": (missing + wrong)[:5],
    }


def _stop_on_term(*_: Any) -> None:
    raise KeyboardInterrupt


def redis_clean(prefix: str) -> int:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(match=prefix + "*", count=1000))
    if keys:
        client.delete(*keys)
    client.close()
    return len(keys)


def home(person: int, spread: str) -> int:
    """The process a person's socket goes to first (0: A, 1: B)."""
    return 1 if spread == "board" else person % 2


def run(args: argparse.Namespace, schema: str, prefix: str) -> list[dict[str, Any]]:
    env = {
        "SAMSKAP_DATABASE_URL": PG_URL,
        "SAMSKAP_DATABASE_SCHEMA": schema,
        "SAMSKAP_REDIS_URL": REDIS_URL,
        "SAMSKAP_REDIS_PREFIX": prefix,
    }
    servers = [start_samskap(env), start_samskap(env)]
    procs: list[Any] = []
    exports: Exports | None = None
    try:
        board, token, fac_token, template = make_board(servers[0])
        urls = [s.ws_base for s in servers]
        ctx = mp.get_context("spawn")
        start_at, ready, out = ctx.Value("d", 0.0), ctx.Queue(), ctx.Queue()
        plans = [
            Plan(
                urls,
                board,
                token,
                [(n, home(n, args.spread)) for n in range(PEOPLE) if n % args.load_processes == k],
                args.minutes,
                args.windows,
                facilitator_token=fac_token if k == 0 else "",
                template=template,
                seed=k + 1,
                presence=not args.no_presence,
            )
            for k in range(args.load_processes)
        ]
        procs = [ctx.Process(target=worker_main, args=(p, start_at, ready, out)) for p in plans]
        for proc in procs:
            proc.start()
        for _ in procs:
            ready.get(timeout=120)
        length = args.minutes * 60
        start = time.time() + 1.0
        start_at.value = start
        exports = Exports(servers, board, fac_token, length / 10)
        exports.start()
        restart_at, restarted = start + length / 2, False
        win = length / args.windows
        rows: list[dict[str, Any]] = []
        finals: list[dict[str, Any]] = []
        parts: dict[int, list[dict[str, Any]]] = {}
        peaks = [0.0, 0.0]
        restarted_window = -1
        seen = [commits(s) for s in servers]
        silent = 0  # seconds in a row with nothing from a load process that ended
        while len(finals) < len(procs):
            if not restarted and time.time() >= restart_at:
                port = servers[1].port
                restarted_window = int((time.time() - start) // win)
                print(f"-- restarting process B (pid {servers[1].proc.pid})", flush=True)
                servers[1].stop()
                servers[1] = start_samskap(env, port=port)
                exports.servers = servers
                restarted = True
                peaks[1], seen[1] = 0.0, (0.0, 0.0, 0.0)
                print(f"-- process B back (pid {servers[1].proc.pid})", flush=True)
            peaks = [max(p, rss_mb(s)) for p, s in zip(peaks, servers, strict=True)]
            try:
                item = out.get(timeout=1.0)
            except queue.Empty:
                # A process that ended may still have its last items in the pipe: only
                # one that sent no final and stays silent for a few seconds has died.
                reported = {f["pid"] for f in finals}
                dead = [p for p in procs if not p.is_alive() and p.pid not in reported]
                silent = silent + 1 if dead else 0
                if silent >= 5:
                    codes = ", ".join(str(p.exitcode) for p in dead)
                    raise RuntimeError(f"a load process died (exit codes {codes})") from None
                continue
            silent = 0
            if "error" in item:
                raise RuntimeError(f"a load process failed: {item['error']}")
            if item.get("final"):
                finals.append(item)
                continue
            parts.setdefault(item["window"], []).append(item)
            if len(parts[item["window"]]) == len(procs):
                row = window_row(item["window"], win, parts.pop(item["window"]), servers, exports)
                row.update(peak_a_mb=peaks[0], peak_b_mb=peaks[1])
                now = [commits(s) for s in servers]
                groups, secs, quick = (
                    sum(n[i] - o[i] for n, o in zip(now, seen, strict=True)) for i in range(3)
                )
                seen = now
                row["commit_mean_ms"] = 1000 * secs / groups if groups else 0.0
                row["commit_over_25ms_pct"] = 100 * (groups - quick) / groups if groups else 0.0
                row["restart"] = item["window"] == restarted_window
                peaks = [0.0, 0.0]
                rows.append(row)
                print(table([row], COLUMNS), flush=True)
                if args.json:
                    with args.json.open("a") as fh:
                        fh.write(json.dumps(row) + "\n")
        summary(args, rows, finals, verify(schema, board, finals), restarted_window)
        return rows
    finally:
        if exports is not None:
            exports.stop.set()
        for proc in procs:
            proc.join(5)
            if proc.is_alive():
                proc.kill()
        for server in servers:
            server.stop()


def window_row(
    window: int, win: float, parts: list[dict[str, Any]], servers: list[Server], exports: Exports
) -> dict[str, Any]:
    rtt = array("d")
    counts: dict[str, int] = {}
    for part in parts:
        rtt.frombytes(part["rtt"])
        for key, n in part["counts"].items():
            counts[key] = counts.get(key, 0) + n
    mine, exports.taken = exports.done[exports.taken :], len(exports.done)
    stat = percentiles(rtt)
    return {
        "window": window + 1,
        "minute": round((window + 1) * win / 60, 1),
        "rss_a_mb": rss_mb(servers[0]),
        "rss_b_mb": rss_mb(servers[1]),
        "p50_ms": stat["p50"],
        "p99_ms": stat["p99"],
        "max_ms": stat["max"],
        "exports": len(mine),
        "export_s": max((e[1] for e in mine), default=0.0),
        "export_failed": sum(1 for e in mine if e[2] != 200),
        "load1": os.getloadavg()[0],
        **{k: counts.get(k, 0) for k in ("acked", "joins", "resent", "votes_ok")},
        "counts": counts,
        "when": time.strftime("%Y-%m-%d %H:%M:%S"),
    }


def summary(
    args: argparse.Namespace,
    rows: list[dict[str, Any]],
    finals: list[dict[str, Any]],
    check: dict[str, Any],
    restarted: int,
) -> None:
    first, last = rows[0], rows[-1]
    after = rows[restarted + 1] if 0 <= restarted < len(rows) - 1 else last
    drift_a = last["rss_a_mb"] / first["rss_a_mb"] - 1
    drift_b = last["rss_b_mb"] / after["rss_b_mb"] - 1
    worst = max(r["p99_ms"] for r in rows)
    reconnects = [x for f in finals for x in f["reconnect_s"]]
    tail = {k: n for f in finals for k, n in f["counts"].items()}
    print(f"\nmeeting: {args.minutes:g} min, {len(rows)} windows, load1 at end {os.getloadavg()}")
    print(json.dumps({**check, "reconnects": len(reconnects), "after_end": tail}, indent=None))
    if reconnects:
        print(f"reconnect after restart: max {max(reconnects):.2f} s over {len(reconnects)}")
    targets = [
        (f"RSS A end vs window 1: {drift_a:+.1%} (within 10 %)", abs(drift_a) <= TARGET_RSS),
        (
            f"RSS B end vs window {after['window']} (first after restart): {drift_b:+.1%}",
            abs(drift_b) <= TARGET_RSS,
        ),
        (f"p99 never above 150 ms: worst window {worst:.1f} ms", worst <= TARGET_P99_MS),
        (f"lost {check['lost']} of {check['acked_batches']} acked batches", check["lost"] == 0),
        (f"duplicated {check['duplicated']}", check["duplicated"] == 0),
    ]
    for text, ok in targets:
        print(f"{'PASS' if ok else 'MISS'}  {text}")
    if args.json:
        end = {"summary": True, **check, "rss_drift_a": drift_a, "rss_drift_b": drift_b}
        end.update(worst_p99_ms=worst, reconnects=len(reconnects), minutes=args.minutes)
        end["missing_sample"] = check["missing_sample"]
        with args.json.open("a") as fh:
            fh.write(json.dumps(end) + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--minutes", type=float, default=30.0, help="length of the meeting")
    parser.add_argument("--windows", type=int, default=6, help="report windows")
    parser.add_argument("--load-processes", type=int, default=2)
    parser.add_argument("--spread", choices=["connection", "board"], default="connection")
    parser.add_argument(
        "--no-presence", action="store_true", help="leave presence out (to see what it costs)"
    )
    parser.add_argument("--json", type=Path, help="append one JSON object per window to FILE")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, _stop_on_term)
    prefix = "bench-meeting-" + secrets.token_hex(4)
    try:
        with pg_schema() as pg:
            try:
                run(args, pg.schema, prefix)
            finally:
                print(f"removing schema {pg.schema}; removed {redis_clean(prefix)} Redis keys")
    except KeyboardInterrupt:
        print("meeting: interrupted; processes, schema and Redis keys removed", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
