"""Restarts behind the proxy: SIGTERM one of two processes mid-editing, then SIGKILL one.

Clients are the protocol test client through nginx (wss://) with the page's reconnect
rule: on close, reconnect with `since` and resend the batch that had no reply under
the same batch id. Nothing acknowledged may be lost, nothing applied twice, and every
client must be back (welcome received) within 3 s of a SIGTERM and 10 s of a SIGKILL.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from typing import Any

import asyncpg
import httpx
import pytest
import websockets

from tests.browser.helpers import Person, open_board
from tests.support.client import Client, new_id
from tests.support.servers import token_of

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]


class Editor:
    """One participant that keeps editing and comes back after every close."""

    def __init__(self, deployment: Any, board: dict[str, Any], me: int) -> None:
        self.deployment = deployment
        self.board = board
        self.token = token_of(board["links"]["participant"])
        self.me = me
        self.client: Client | None = None
        self.acked: dict[str, int] = {}  # batch id → seq
        self.closes: list[tuple[int | None, float]] = []  # (close code, seconds to be back)
        self.stop = asyncio.Event()
        self.failures: list[str] = []

    async def connect(self) -> Client:
        proxy = self.deployment.proxy
        old = self.client
        kwargs: dict[str, Any] = {}
        if old is not None:
            kwargs = {"since": old.seq, "objects": old.objects}
        return await Client.connect(
            proxy.local_url,
            self.board["id"],
            self.token,
            name=f"p{self.me}",
            client=f"editor{self.me}",
            origin=proxy.url,
            ssl=proxy.ssl_context(),
            **kwargs,
        )

    async def reconnect(self) -> None:
        assert self.client is not None
        closed_at = time.monotonic()
        code = self.client.close_code
        while True:
            try:
                fresh = await self.connect()
                break
            except Exception as exc:  # the proxy answers 502 while no process is up, etc.
                self.failures.append(
                    f"{time.monotonic() - closed_at:.2f}s {type(exc).__name__} {str(exc)[:50]}"
                )
                await asyncio.sleep(0.1)
            if time.monotonic() - closed_at > 30:
                raise TimeoutError("could not reconnect within 30 s")
        self.closes.append((code, time.monotonic() - closed_at))
        with contextlib.suppress(Exception):
            await self.client.close()
        self.client = fresh

    async def run(self) -> None:
        self.client = await self.connect()
        n = 0
        while not self.stop.is_set():
            n += 1
            ops: list[dict[str, Any]] = [
                {
                    "op": "create",
                    "object": {"id": f"e{self.me}n{n}", "kind": "note", "x": n, "y": self.me},
                }
            ]
            if n > 1:
                ops.append({"op": "update", "id": f"e{self.me}n{n - 1}", "set": {"text": str(n)}})
            batch = new_id("b")
            while True:  # the same batch id until it has a reply: applied once either way
                try:
                    reply = await self.client.ops(ops, batch)
                except (ConnectionError, TimeoutError, websockets.ConnectionClosed):
                    await self.reconnect()
                    continue
                if reply["type"] == "error" and reply.get("code") == "unavailable":
                    await asyncio.sleep(0.1)
                    continue
                break
            assert reply["type"] == "ack", reply
            self.acked[batch] = reply["seq"]
            await asyncio.sleep(0.01)


async def _logged(deployment: Any, board_id: str) -> dict[str, int]:
    conn = await asyncpg.connect(deployment.database_url.replace("+asyncpg", ""))
    try:
        rows = await conn.fetch(
            f'SELECT batch_id, seq FROM "{deployment.schema}".batches WHERE board_id = $1',
            board_id,
        )
    finally:
        await conn.close()
    return {row["batch_id"]: row["seq"] for row in rows}


async def _connections(server: Any) -> int:
    async with httpx.AsyncClient() as http:
        text = (await http.get(server.url + "/metrics")).text
    return int(re.search(r"^samskap_connections (\d+)$", text, re.M).group(1))  # type: ignore[union-attr]


async def _board_on(deployment: Any, home: int, round_: int) -> dict[str, Any]:
    """A new board whose sockets the proxy sends to process `home` (the shipped site
    hashes board sockets by board id): boards are made until one lands there."""
    proxy = deployment.proxy
    for k in range(16):
        # An address each: board creation is limited per address and process.
        http = deployment.http(local_address=f"127.0.{round_ + 2}.{k + 1}")
        created = await http.post("/api/boards", json={"title": f"Restart {k}"})
        assert created.status_code == 201, created.text
        board = created.json()
        before = [await _connections(s) for s in deployment.servers]
        probe = await Client.connect(
            proxy.local_url,
            board["id"],
            token_of(board["links"]["participant"]),
            name="Probe",
            origin=proxy.url,
            ssl=proxy.ssl_context(),
        )
        after = [await _connections(s) for s in deployment.servers]
        await probe.close()
        if after[home] > before[home]:
            return board
    raise AssertionError(f"no board of 16 was hashed to process {home}")


async def _open_pages(
    browser: Any, board: dict[str, Any], elsewhere: dict[str, Any]
) -> list[Person]:
    """A page on the board being edited (on the process that stops) and one on a board
    on the other process, each recording its connection states with times."""
    pages = [
        await open_board(browser, b["links"]["participant"], name, ignore_https_errors=True)
        for b, name in ((board, "Here"), (elsewhere, "Elsewhere"))
    ]
    for person in pages:
        await person.page.evaluate(
            """() => { window.__states = [];
                samskap.conn.addEventListener("state", (e) =>
                    window.__states.push([performance.now(), e.detail.state])); }"""
        )
    return pages


async def _offline_spells(person: Person) -> list[float]:
    """How long each offline → online spell of the page lasted, in seconds."""
    states = await person.page.evaluate("window.__states")
    spells, since = [], None
    for at, state in states:
        if state == "offline" and since is None:
            since = at
        elif state == "online" and since is not None:
            spells.append((at - since) / 1000)
            since = None
    assert since is None, f"page still offline: {states}"
    return spells


async def _edit_through(
    deployment: Any, stop_one: Any, back_within: float, home: int, browser: Any = None
) -> list[Editor]:
    """Six editors on a board of process `home` while `stop_one` stops that process."""
    board = await _board_on(deployment, home, home)
    pages = []
    if browser:
        pages = await _open_pages(browser, board, await _board_on(deployment, 1 - home, home))
    editors = [Editor(deployment, board, i) for i in range(6)]
    tasks = [asyncio.create_task(e.run()) for e in editors]
    try:
        await asyncio.sleep(1.5)
        for task in tasks:
            if task.done():
                task.result()
        assert all(e.acked for e in editors), "editing did not start"
        await stop_one()
        await asyncio.sleep(back_within + 1.5)
        for e in editors:
            e.stop.set()
        await asyncio.wait_for(asyncio.gather(*tasks), 30)
    finally:
        for task in tasks:
            task.cancel()
    # The board's clients were on the stopped process: closed, and back in time.
    closed = [e for e in editors if e.closes]
    assert closed == editors, "a client of the board was not on its process"
    for e in closed:
        assert all(seconds < back_within for _, seconds in e.closes), (
            e.closes,
            e.failures,
            [(x.me, x.closes) for x in closed],
        )
    # 0 acknowledged batches lost, each applied once at the seq its ack named.
    logged = await _logged(deployment, board["id"])
    for e in editors:
        for batch, seq in e.acked.items():
            assert logged.get(batch) == seq, (batch, seq)
    assert sorted(logged.values()) == list(range(1, len(logged) + 1))  # no gaps, no doubles
    # Everyone converges on the database's board.
    final = max(logged.values())
    for e in editors:
        assert e.client is not None
        await e.client.wait_seq(final, timeout=10)
    reference = editors[0].client.objects  # type: ignore[union-attr]
    assert all(e.client.objects == reference for e in editors)  # type: ignore[union-attr]
    for e in editors:
        await e.client.close()  # type: ignore[union-attr]
    # The pages: the one on the stopped process went offline and was back in time and
    # shows the database's board; the one on the other board never noticed.
    spells = [await _offline_spells(p) for p in pages]
    if pages:
        assert [len(s) for s in spells] == [1, 0], spells
        assert all(seconds < back_within for s in spells for seconds in s), spells
        assert pages[1].errors == []
    for person in pages[:1]:
        await person.settled(10000)
        await person.page.wait_for_function(f"() => window.samskap.store.seq >= {final}")
        mine = {o["id"]: o for o in await person.objects()}
        assert mine.keys() == reference.keys()
        for key, obj in reference.items():
            assert all(mine[key][k] == v for k, v in obj.items() if k in ("x", "y", "text"))
        assert person.errors == []
    return editors


@pytest.mark.browser
async def test_sigterm_mid_editing_loses_nothing_and_pages_come_back_fast(
    tls_browser: Any, deployment: Any
) -> None:
    victim = deployment.servers[0]

    async def sigterm() -> None:
        started = time.monotonic()
        victim.proc.terminate()
        await asyncio.to_thread(victim.proc.wait, 10)  # exits within 10 s (raises if not)
        # uvicorn re-raises the signal after its graceful stop (systemd counts it clean).
        assert victim.proc.returncode in (0, -15), victim.proc.returncode
        log = victim.log.read_text()
        assert "Shutting down" in log and "samskap stopped" in log, log[-3000:]
        sigterm.took = time.monotonic() - started  # type: ignore[attr-defined]

    editors = await _edit_through(deployment, sigterm, back_within=3.0, home=0, browser=tls_browser)
    assert sigterm.took < 10  # type: ignore[attr-defined]
    codes = {code for e in editors for code, _ in e.closes}
    assert codes == {1012}, codes  # "service restart", relayed by nginx

    # The stopped process comes back on its port; then one SIGKILL on the other.
    port = victim.port
    await victim.start()
    assert victim.port == port, "the stopped process could not come back on its port"
    other = deployment.servers[1]

    async def sigkill() -> None:
        other.kill()

    await _edit_through(deployment, sigkill, back_within=10.0, home=1, browser=tls_browser)
