"""The load generator: many WebSocket clients in one OS process (uvloop, orjson).

The bench starts several of these processes; each connects its clients, reports
ready, waits for a shared start time, then every client moves its own note: a batch
`update {x, text}` whose text carries `B|<sender>|<n>|<send time>`. Every client
records when it sees each other client's change (latency = receive time - send
time, one machine so one clock) and which (sender, n) it has seen (duplicates).

Two pacings: open loop (one batch every `interval` seconds, phases spread) and
closed loop for saturation (at most `window` batches in flight per client; a batch
leaves flight on its ack, or on the relay, on its own echo).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import time
from array import array
from dataclasses import dataclass, field
from typing import Any

import orjson
import psutil
import websockets

Message = dict[str, Any]


@dataclass
class ClientSpec:
    url: str  # ws://host:port/ws/boards/{id} (relay: ws://host:port/ws)
    token: str
    sender: str  # "g<group>-<n>": the group says which server the client is on
    board: str = ""


@dataclass
class LoadSpec:
    mode: str  # "samskap" | "relay"
    clients: list[ClientSpec]
    duration: float
    interval: float | None = None
    window: int = 0
    drain: float = 30.0
    idle_only: bool = False  # connect and hold only (idle RSS)


@dataclass
class ClientState:
    spec: ClientSpec
    ws: Any = None
    sent: int = 0
    acked: int = 0
    in_flight: int = 0
    received: int = 0
    refused: int = 0  # batches answered with an error: never broadcast
    duplicates: int = 0
    closed_early: int | None = None
    seen: set[str] = field(default_factory=set)  # "sender|n": strings keep the GC out
    ack_event: asyncio.Event = field(default_factory=asyncio.Event)
    welcome: asyncio.Future[Message] | None = None


class Worker:
    def __init__(self, spec: LoadSpec) -> None:
        self.spec = spec
        self.same = array("d")  # latencies, sender on the receiver's server
        self.cross = array("d")  # latencies, sender on another server
        self.send_lag = array("d")  # how late the generator sent (its own overload)
        self.last_receive = 0.0
        self.last_activity = 0.0
        self.done_sending = False
        self.states = [ClientState(c) for c in spec.clients]

    # --- receiving --------------------------------------------------------------------

    def _on_message(self, state: ClientState, message: Message, now: float) -> None:
        kind = message.get("type")
        if kind == "ops":
            for op in message.get("ops", ()):
                text = op.get("set", {}).get("text") if op.get("op") == "update" else None
                if not text or not text.startswith("B|"):
                    continue
                _, sender, number, sent_at = text.split("|")
                if sender == state.spec.sender:  # relay echo: our own batch came back
                    self._ack(state)
                    continue
                key = f"{sender}|{number}"
                if key in state.seen:
                    state.duplicates += 1
                    continue
                state.seen.add(key)
                state.received += 1
                group = sender.split("-", 1)[0]
                same = group == state.spec.sender.split("-", 1)[0]
                (self.same if same else self.cross).append(now - float(sent_at))
                self.last_receive = now
        elif kind == "ack":
            self._ack(state)
        elif kind == "error" and "batch" in message:
            state.refused += 1
            self._ack(state)
        elif kind == "welcome" and state.welcome is not None and not state.welcome.done():
            state.welcome.set_result(message)

    def _ack(self, state: ClientState) -> None:
        state.acked += 1
        state.in_flight -= 1
        state.ack_event.set()

    async def _read(self, state: ClientState) -> None:
        try:
            async for frame in state.ws:
                now = time.time()
                self.last_activity = now
                data = orjson.loads(frame)
                if isinstance(data, list):
                    for message in data:
                        self._on_message(state, message, now)
                else:
                    self._on_message(state, data, now)
        except websockets.ConnectionClosed:
            pass
        if not self.done_sending or state.ws.close_code not in (1000, None):
            state.closed_early = state.ws.close_code or -1

    # --- connecting -------------------------------------------------------------------

    async def _connect(self, state: ClientState, gate: asyncio.Semaphore) -> None:
        async with gate:
            state.ws = await websockets.connect(
                state.spec.url,
                max_size=None,
                compression=None,
                ping_interval=None,
                open_timeout=60,
                close_timeout=2,
            )
            asyncio.get_running_loop().create_task(self._read(state))
            if self.spec.mode != "samskap":
                return
            state.welcome = asyncio.get_running_loop().create_future()
            join = {"type": "join", "token": state.spec.token, "name": state.spec.sender}
            await state.ws.send(orjson.dumps(join).decode())
            await asyncio.wait_for(state.welcome, 60)
            note = {"id": "n" + state.spec.sender, "kind": "note", "x": 0, "y": 0, "text": ""}
            state.in_flight += 1
            await self._send(
                state,
                {
                    "type": "ops",
                    "batch": "c" + state.spec.sender,
                    "ops": [{"op": "create", "object": note}],
                },
            )
            while state.in_flight > 0:
                state.ack_event.clear()
                await asyncio.wait_for(state.ack_event.wait(), 60)
            state.acked = 0

    async def _send(self, state: ClientState, message: Message) -> None:
        await state.ws.send(orjson.dumps(message).decode())

    # --- sending ----------------------------------------------------------------------

    def _batch(self, state: ClientState, number: int) -> Message:
        sender = state.spec.sender
        text = f"B|{sender}|{number}|{time.time():.6f}"
        return {
            "type": "ops",
            "batch": f"b{sender}_{number}",
            "ops": [
                {"op": "update", "id": "n" + sender, "set": {"x": number % 2000, "text": text}}
            ],
        }

    async def _open_loop(self, state: ClientState, start: float, end: float) -> None:
        interval = self.spec.interval or 1.0
        due = start + random.random() * interval
        while due < end and state.closed_early is None:
            delay = due - time.time()
            if delay > 0:
                await asyncio.sleep(delay)
            self.send_lag.append(max(0.0, time.time() - due))
            state.in_flight += 1
            await self._send(state, self._batch(state, state.sent))
            state.sent += 1
            due += interval

    async def _closed_loop(self, state: ClientState, end: float) -> None:
        while time.time() < end and state.closed_early is None:
            while state.in_flight >= self.spec.window:
                state.ack_event.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(state.ack_event.wait(), max(0.01, end - time.time()))
                if time.time() >= end:
                    return
            state.in_flight += 1
            await self._send(state, self._batch(state, state.sent))
            state.sent += 1

    async def _drain(self) -> bool:
        """Wait for the last acks and deliveries: quiet for 1 s (True), or the drain limit."""
        deadline = time.time() + self.spec.drain
        while time.time() < deadline:
            waiting = any(s.in_flight > 0 and s.closed_early is None for s in self.states)
            if not waiting and time.time() - self.last_activity > 1.0:
                return True
            await asyncio.sleep(0.1)
        return False

    async def run(self, start_at: Any, ready: Any) -> dict[str, Any]:
        gate = asyncio.Semaphore(20)
        await asyncio.gather(*(self._connect(s, gate) for s in self.states))
        ready.put(os.getpid())
        while start_at.value == 0.0:
            await asyncio.sleep(0.02)
        start = start_at.value
        end = start + self.spec.duration
        await asyncio.sleep(max(0.0, start - time.time()))
        me = psutil.Process()
        cpu0 = sum(me.cpu_times()[:2])
        if self.spec.idle_only:
            await asyncio.sleep(max(0.0, end - time.time()))
        elif self.spec.window:
            await asyncio.gather(*(self._closed_loop(s, end) for s in self.states))
        else:
            await asyncio.gather(*(self._open_loop(s, start, end) for s in self.states))
        drained = await self._drain()
        self.done_sending = True
        cpu = sum(me.cpu_times()[:2]) - cpu0
        wall = time.time() - start
        for state in self.states:
            with contextlib.suppress(Exception):
                await state.ws.close()
        return {
            "pid": os.getpid(),
            "drained": drained,
            "cpu_seconds": cpu,
            "wall": wall,
            "same": self.same.tobytes(),
            "cross": self.cross.tobytes(),
            "send_lag": self.send_lag.tobytes(),
            "last_receive": self.last_receive,
            "clients": [
                {
                    "sender": s.spec.sender,
                    "board": s.spec.board,
                    "sent": s.sent,
                    "acked": s.acked,
                    "refused": s.refused,
                    "received": s.received,
                    "duplicates": s.duplicates,
                    "closed_early": s.closed_early,
                }
                for s in self.states
            ],
        }


def worker_main(spec: LoadSpec, start_at: Any, ready: Any, out: Any) -> None:
    """Entry point of one load process (multiprocessing target)."""
    import uvloop
    from _common import raise_priority

    raise_priority()
    try:
        out.put(uvloop.run(Worker(spec).run(start_at, ready)))
    except BaseException as exc:
        out.put({"error": repr(exc)})
        ready.put(-1)
        raise
