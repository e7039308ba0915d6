"""R3 crash durability: clients edit while the server process is SIGKILLed and restarted.

Shared by the suite test (small) and the nightly soak (full size). Each client sends
numbered batches one by one and keeps its unacknowledged batch; when the socket dies it
waits for the server to come back, reconnects with `since` and its client id, and
resends the batch under the same id (rule S11). At the end the database must hold every
acknowledged batch exactly once at the acknowledged `seq`, with no gaps, and every
client must have the database's board.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from server.storage.engine import create_engine
from server.storage.store import SqlBoardStore
from tests.support.client import Client
from tests.support.servers import ServerProcess, free_port, token_of

FAST_ENV = {
    "SAMSKAP_LIMIT_BATCHES_PER_SEC": "100000",
    "SAMSKAP_LIMIT_BATCH_BURST": "100000",
    "SAMSKAP_LIMIT_JOINS_PER_MINUTE": "100000",
    "SAMSKAP_LOG_LEVEL": "warning",
}


@dataclass
class CrashFigures:
    clients: int
    batches: int
    kills: int
    acked: int = 0
    resent: int = 0
    reconnects: int = 0
    missing: int = 0
    duplicated: int = 0
    final_seq: int = 0
    seconds: float = 0.0
    restart_seconds: list[float] = field(default_factory=list)


class Worker:
    def __init__(self, index: int, url: str, board: str, token: str, seed: int) -> None:
        self.index = index
        self.url = url
        self.board = board
        self.token = token
        self.rng = random.Random(seed * 1000 + index)
        self.client: Client | None = None
        self.client_id = f"w{index}"
        self.acked: dict[str, int] = {}

    async def connect(self, up: asyncio.Event, figures: CrashFigures) -> None:
        old = self.client
        while True:
            await up.wait()
            try:
                if old is None:
                    self.client = await Client.connect(
                        self.url, self.board, self.token, client=self.client_id
                    )
                else:
                    self.client = await Client.connect(
                        self.url,
                        self.board,
                        self.token,
                        client=self.client_id,
                        since=old.seq,
                        objects=old.objects,
                    )
                    figures.reconnects += 1
                return
            except Exception as exc:
                if up.is_set() and not _is_down(exc):
                    raise
                # The server died under us: wait for the restart (up is cleared first).
                await asyncio.wait_for(_until_cleared_then_set(up), 60)

    async def run(self, batches: int, up: asyncio.Event, figures: CrashFigures, tick: Any) -> None:
        await self.connect(up, figures)
        for j in range(batches):
            batch = f"k{self.index}x{j}"
            ops: list[dict[str, Any]] = [
                {
                    "op": "create",
                    "object": {"id": f"n{self.index}x{j}", "kind": "note", "x": j, "y": 0},
                }
            ]
            if j and self.rng.random() < 0.5:
                target = f"n{self.index}x{self.rng.randrange(j)}"
                ops.append({"op": "update", "id": target, "set": {"text": f"v{j}"}})
            sent_before = False
            while True:
                assert self.client is not None
                try:
                    if sent_before:
                        figures.resent += 1
                    sent_before = True
                    reply = await self.client.ops(ops, batch=batch)
                    break
                except Exception as exc:
                    if not _is_down(exc):
                        raise
                    await self.connect(up, figures)
            assert reply["type"] == "ack" and reply["applied"], reply
            if self.acked and reply["seq"] < max(self.acked.values()):
                raise AssertionError(f"{batch} acked with seq {reply['seq']} below an earlier ack")
            self.acked[batch] = reply["seq"]
            figures.acked += 1
            tick()


def _is_down(exc: BaseException) -> bool:
    import websockets

    return isinstance(
        exc,
        ConnectionError | OSError | TimeoutError | websockets.ConnectionClosed,
    ) or "closed" in str(exc)


async def _until_cleared_then_set(up: asyncio.Event) -> None:
    # Either the server is still up (a transient failure) or it is being restarted.
    await up.wait()


async def crash_run(
    env: dict[str, str],
    database: tuple[str, str | None],
    *,
    clients: int,
    batches: int,
    kills: int,
    seed: int = 0,
) -> CrashFigures:
    figures = CrashFigures(clients, batches, kills)
    started = time.monotonic()
    server = ServerProcess({**FAST_ENV, **env}, free_port())
    await server.start()
    workers: list[Worker] = []
    try:
        async with httpx.AsyncClient() as http:
            board = (await http.post(server.url + "/api/boards", json={"title": "Crash"})).json()
        token = token_of(board["links"]["participant"])
        workers = [Worker(i, server.url, board["id"], token, seed) for i in range(clients)]
        up = asyncio.Event()
        up.set()
        total = clients * batches
        progress = asyncio.Condition()

        def tick() -> None:
            async def notify() -> None:
                async with progress:
                    progress.notify_all()

            asyncio.get_running_loop().create_task(notify())

        async def killer() -> None:
            for k in range(kills):
                goal = total * (k + 1) // (kills + 1)
                async with progress:
                    await asyncio.wait_for(
                        progress.wait_for(lambda g=goal: figures.acked >= g), 120
                    )
                up.clear()  # first, so no worker retries against a dead port in a loop
                server.kill()
                restart = time.monotonic()
                await server.start()
                figures.restart_seconds.append(round(time.monotonic() - restart, 2))
                up.set()

        await asyncio.gather(killer(), *(w.run(batches, up, figures, tick) for w in workers))
        # A worker that sent its last batch before the last kill holds a dead socket:
        # it reconnects like a page would, so every client can be compared below.
        for worker in workers:
            if worker.client is not None and worker.client.close_code is not None:
                await worker.connect(up, figures)
        await verify(database, board["id"], workers, figures)
        for worker in workers:
            if worker.client:
                await worker.client.close()
    finally:
        server.stop()
    figures.seconds = round(time.monotonic() - started, 1)
    return figures


async def verify(
    database: tuple[str, str | None], board_id: str, workers: list[Worker], figures: CrashFigures
) -> None:
    url, schema = database
    store = SqlBoardStore(create_engine(url, schema=schema))
    try:
        history = await store.batches_since(board_id, 0)
        snapshot = await store.snapshot(board_id)
    finally:
        await store.close()
    assert history is not None and snapshot is not None
    seq, logged = history
    figures.final_seq = seq
    assert [b.seq for b in logged] == list(range(1, seq + 1)), "seq has gaps"
    ids = [b.batch_id for b in logged]
    figures.duplicated = len(ids) - len(set(ids))
    by_id = {b.batch_id: b.seq for b in logged}
    acked = {batch: s for w in workers for batch, s in w.acked.items()}
    figures.missing = sum(1 for batch, s in acked.items() if by_id.get(batch) != s)
    assert figures.duplicated == 0, "a batch was applied twice"
    assert figures.missing == 0, "an acknowledged batch is missing"
    assert len(acked) == figures.clients * figures.batches
    truth = {o["id"]: o for o in snapshot.objects}
    assert all(f"n{w.index}x{j}" in truth for w in workers for j in range(figures.batches))
    for worker in workers:
        assert worker.client is not None
        try:
            await worker.client.wait_seq(seq, timeout=30)
        except TimeoutError:
            raise AssertionError(
                f"client {worker.index} stopped at seq {worker.client.seq} of {seq}"
                f" (socket close code {worker.client.close_code})"
            ) from None
        assert worker.client.objects == truth, f"client {worker.index} differs from the database"
