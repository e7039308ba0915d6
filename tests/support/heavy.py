"""Heavy readers beside a busy board: the measurement of issue 13's "cheap messages".

Viewers of a big board join and `sync` from 0 over and over (each reply is the whole
board or its whole retained log) while a participant on another board sends batches
one at a time and times each ack. The viewers run in their own OS process (a child
started with `python -m tests.support.heavy viewers ...`), so reading 12 MB replies
never stalls the loop that times the acks. Used by
`tests/reliability/test_heavy_reads.py` and `bench/heavy_reads.py`.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import websockets

from tests.support.client import Client, new_id
from tests.support.servers import token_of

ROOT = Path(__file__).resolve().parents[2]
NOTE_TEXT = 5_000  # characters: the most a note holds
NOTES_PER_BATCH = 90  # about 460 KB a batch, under the 512 KiB frame limit
SYNCS_PER_JOIN = 3


def big_note(n: int) -> dict[str, Any]:
    letters = "abcdefghijklmnopqrstuvwxyz .,"
    text = "".join(letters[(n * 7 + i * 13) % len(letters)] for i in range(NOTE_TEXT))
    return {
        "op": "create",
        "object": {"id": f"big{n}", "kind": "note", "x": n % 100 * 220, "y": n // 100 * 220},
        "text": text,
    }


async def fill(url: str, board: dict[str, Any], batches: int) -> int:
    """Write `batches` batches of 100 full notes: objects and log about 1 MB per batch."""
    writer = await Client.connect(url, board["id"], token_of(board["links"]["participant"]))
    try:
        for b in range(batches):
            ops = []
            for i in range(NOTES_PER_BATCH):
                note = big_note(b * NOTES_PER_BATCH + i)
                obj = {**note["object"], "text": note["text"]}
                ops.append({"op": "create", "object": obj})
            reply = await writer.ops(ops)
            assert reply["type"] == "ack", reply
        return int(writer.seq) if writer.seq else batches
    finally:
        await writer.close()


# --- the viewers' process -------------------------------------------------------------


async def _viewer(
    url: str, board_id: str, token: str, until: list[float], counts: list[int]
) -> None:
    """Join, sync from 0 SYNCS_PER_JOIN times, leave; again until `until`. Replies are not parsed
    (a frame may be one message or an array of them: the type is looked for in it)."""
    ws_url = url.replace("http", "ws", 1) + f"/ws/boards/{board_id}"
    while time.monotonic() < until[0]:
        try:
            async with websockets.connect(ws_url, max_size=None, compression=None) as ws:
                await ws.send(orjson.dumps({"type": "join", "token": token, "name": "Viewer"}))
                while b'{"type":"welcome"' not in await ws.recv(decode=False):
                    pass
                counts[0] += 1
                if counts[0] == 1:
                    print("ready", flush=True)  # the parent starts timing now
                for _ in range(SYNCS_PER_JOIN):
                    if time.monotonic() >= until[0]:
                        break
                    await ws.send(orjson.dumps({"type": "sync", "since": 0, "req": new_id("s")}))
                    while True:
                        frame = await ws.recv(decode=False)
                        if b'{"type":"catchup"' in frame:
                            counts[1] += 1
                            break
                        if b'"code":"rate_limited"' in frame:
                            counts[2] += 1
                            await asyncio.sleep(0.3)  # try again shortly
                            break
        except websockets.ConnectionClosed as exc:
            counts[3] += 1
            print(f"viewer closed: {exc}", file=sys.stderr)


async def _viewers(url: str, board_id: str, token: str, seconds: float, count: int) -> None:
    until = [time.monotonic() + seconds]
    counts = [0, 0, 0, 0]  # joins, syncs answered, rate-limited, closed by the server
    loop = asyncio.get_running_loop()
    stdin = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(stdin), sys.stdin)

    async def stop_on_input() -> None:  # the parent writes a line when it is done
        await stdin.readline()
        until[0] = 0.0

    stopper = asyncio.create_task(stop_on_input())
    try:
        await asyncio.gather(*(_viewer(url, board_id, token, until, counts) for _ in range(count)))
    finally:
        stopper.cancel()
        names = ("joins", "syncs", "rate_limited", "closed")
        print(orjson.dumps(dict(zip(names, counts, strict=True))).decode(), flush=True)


# --- the measurement ------------------------------------------------------------------


@dataclass
class Figures:
    acks_ms: list[float] = field(default_factory=list)
    viewers: dict[str, int] = field(default_factory=dict)

    def pct(self, p: float) -> float:
        ordered = sorted(self.acks_ms)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]

    def line(self, label: str) -> str:
        return (
            f"{label}: {len(self.acks_ms)} acks, p50 {self.pct(50):.1f} ms,"
            f" p99 {self.pct(99):.1f} ms, max {max(self.acks_ms):.1f} ms,"
            f" mean {statistics.fmean(self.acks_ms):.1f} ms; viewers {self.viewers}"
        )


async def acks(url: str, board: dict[str, Any], count: int, gap: float) -> list[float]:
    """Send `count` small batches one at a time; each ack's round trip in ms."""
    kari = await Client.connect(url, board["id"], token_of(board["links"]["participant"]))
    times = []
    try:
        for n in range(count):
            op = {"op": "create", "object": {"id": new_id("n"), "kind": "note", "x": n, "y": 0}}
            started = time.perf_counter()
            reply = await kari.ops([op])
            times.append((time.perf_counter() - started) * 1000)
            assert reply["type"] == "ack", reply
            await asyncio.sleep(gap)
    finally:
        await kari.close()
    return times


async def measure(
    url: str,
    big: dict[str, Any],
    other: dict[str, Any],
    *,
    viewers: int = 4,
    batches: int = 40,
    gap: float = 0.05,
    warmup: float = 0.5,
) -> Figures:
    """Acks on `other` while `viewers` join and sync `big` (0 viewers: the baseline)."""
    figures = Figures()
    proc = None
    if viewers:
        seconds = warmup + batches * (gap + 1.0) + 30  # stopped sooner, by a line on stdin
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.support.heavy",
            "viewers",
            url,
            big["id"],
            token_of(big["links"]["viewer"]),
            str(seconds),
            str(viewers),
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        assert proc.stdout is not None
        await asyncio.wait_for(proc.stdout.readline(), 120)  # a first welcome came
        await asyncio.sleep(warmup)  # and the viewers are at it
    try:
        figures.acks_ms = await acks(url, other, batches, gap)
    finally:
        if proc is not None:
            out, _ = await proc.communicate(b"stop\n")
            with contextlib.suppress(ValueError):
                figures.viewers = orjson.loads(out.strip().splitlines()[-1])
    return figures


if __name__ == "__main__":
    if sys.argv[1] == "viewers":
        url, board_id, token, seconds, count = sys.argv[2:7]
        asyncio.run(_viewers(url, board_id, token, float(seconds), int(count)))
