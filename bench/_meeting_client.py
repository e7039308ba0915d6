"""The people of `meeting.py`: protocol clients that join, leave, write, drag and vote.

One OS process (uvloop) runs a share of the meeting's people. Each person follows a
plan made from their number and the meeting's length (`stints`: when they arrive and
leave, and whether they come back on their old seat), sends presence at 20/s while
present, and now and then a burst of edits on their own notes: writing (a new note,
then its text growing at 4 keystroke batches a second) or dragging (20 moves a second).
Only the owner edits a note, so the final state of every note is known: the last
acknowledged value of each field. The facilitator (a separate client in process 0)
opens and closes a dot vote and inserts a template.

When a socket closes under them (1012: the process is restarting) they reconnect at
once, as the proxy would send them, to a live process, with `resume` (same seat) and
`since`, and resend every batch not yet acknowledged, in order (rules S11, S17, S18).
Round trip = ack time minus the batch's last send. Per window the process reports its
round trips and counts; at the end, every acknowledged batch and the expected notes.
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
import websockets

Message = dict[str, Any]
BURST_EVERY = 30.0  # seconds between one person's bursts of edits (mean, real time)
RETRY_CODES = ("rate_limited", "unavailable")
# A frame is parsed only when it may hold one of these; presence-only frames are skipped
# (up to 60 people x 25 coalesced frames/s each would otherwise be the load generator's work).
WANTED = ('"ack"', '"ops"', '"votes"', '"error"', '"welcome"', '"session"', '"catchup"')


@dataclass
class Plan:
    """What a process runs: its people (number, home process) and the shared facts."""

    urls: list[str]  # ws base per app process, "ws://127.0.0.1:port"
    board: str
    token: str  # participant link
    people: list[tuple[int, int]]  # (person number, home process index)
    minutes: float
    windows: int
    facilitator_token: str = ""  # set for the process that runs the facilitator
    template: str = ""
    seed: int = 1
    presence: bool = True


def stints(person: int) -> list[tuple[float, float, bool]]:
    """(arrive, leave, keep seat) as fractions of the meeting: waves of people.

    40 arrive in the first 5 %, 20 late-comers at 15-20 %; half take a break around the
    middle and come back on their seats; 15 leave at 75 % and rejoin on new devices
    (new seats) at 80 %; everyone leaves at the end.
    """
    first = 0.05 * (person % 40) / 40 if person < 40 else 0.15 + 0.05 * (person - 40) / 20
    if person < 30:
        out, back = 0.42 + 0.0015 * person, 0.55 + 0.0015 * person
        return [(first, out, False), (back, 1.0, True)]
    if person >= 45:
        out, back = 0.75 + 0.001 * person, 0.80 + 0.001 * person
        return [(first, out, False), (back, 1.0, False)]
    return [(first, 1.0, False)]


@dataclass
class Sent:
    batch: str
    message: Message
    sent_at: float
    acked: bool = False
    applied: bool = False


@dataclass
class Stats:
    rtt: array[float] = field(default_factory=lambda: array("d"))
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n


class Person:
    def __init__(self, run: Run, number: int, home: int, token: str, name: str) -> None:
        self.run, self.number, self.home, self.token, self.name = run, number, home, token, name
        self.ws: Any = None
        self.connected = asyncio.Event()
        self.present = False
        self.resume: str | None = None
        self.seq = 0
        self.notes: list[str] = []
        self.sent: list[Sent] = []
        self.pending: dict[str, Sent] = {}
        self.counter = 0
        self.welcome: asyncio.Future[Message] | None = None
        self.reader: asyncio.Task[None] | None = None

    # --- the socket --------------------------------------------------------------------

    async def connect(self, keep_seat: bool) -> None:
        """Join the home process, or the other one while home is down (a proxy's retry)."""
        urls = self.run.plan.urls
        order = [self.home] + [i for i in range(len(urls)) if i != self.home]
        started = time.time()
        while True:
            for index in order:
                try:
                    await self._join(f"{urls[index]}/ws/boards/{self.run.plan.board}", keep_seat)
                    self.run.stats.add("joins")
                    return
                except (OSError, websockets.WebSocketException, TimeoutError):
                    self.run.stats.add("join_retries")
            if time.time() - started > 120:
                raise RuntimeError(f"person {self.number} could not join for 120 s")
            await asyncio.sleep(0.2)

    async def _join(self, url: str, keep_seat: bool) -> None:
        ws = await websockets.connect(
            url, max_size=None, compression=None, ping_interval=None, open_timeout=20
        )
        self.welcome = asyncio.get_running_loop().create_future()
        join: Message = {"type": "join", "token": self.token, "name": self.name}
        if keep_seat and self.resume:
            join["resume"] = self.resume
            if self.seq:
                join["since"] = self.seq
        await ws.send(orjson.dumps(join).decode())
        self.reader = asyncio.get_running_loop().create_task(self._read(ws))
        try:
            welcome = await asyncio.wait_for(self.welcome, 30)
        except BaseException:
            await ws.close()
            raise
        you = welcome["you"]
        if keep_seat and self.resume and you.get("resume") != self.resume:
            self.run.stats.add("seat_lost")
        self.resume = you.get("resume")
        self.seq = max(self.seq, int(welcome.get("seq", 0)))
        self.ws = ws
        done: set[str] = set()
        while todo := [s for s in self.pending.values() if s.batch not in done]:
            for sent in todo:  # resend in order (dicts keep it), before anything newer
                sent.sent_at = time.time()
                done.add(sent.batch)
                self.run.stats.add("resent")
                await ws.send(orjson.dumps(sent.message).decode())
        self.connected.set()

    async def _read(self, ws: Any) -> None:
        try:
            async for frame in ws:
                if '"presence"' in frame and not any(w in frame for w in WANTED):
                    continue
                now = time.time()
                data = orjson.loads(frame)
                for message in data if isinstance(data, list) else [data]:
                    await self._on(message, now)
        except websockets.ConnectionClosed:
            pass
        if ws is not self.ws:
            return
        self.connected.clear()
        if self.present:  # closed under us: reconnect with the seat, resend
            code = ws.close_code
            self.run.stats.add(f"closed_{code}")
            started = time.time()
            try:
                await self.connect(keep_seat=True)
            except RuntimeError:
                self.run.stats.add("gave_up")
                return
            self.run.reconnect_s.append(time.time() - started)

    async def _on(self, message: Message, now: float) -> None:
        kind = message.get("type")
        if kind == "welcome" and self.welcome is not None and not self.welcome.done():
            self.welcome.set_result(message)
        elif kind == "ack":
            self.seq = max(self.seq, int(message.get("seq", 0)))
            sent = self.pending.pop(message.get("batch", ""), None)
            if sent is None:
                self.run.stats.add("ack_unknown")
                return
            sent.acked, sent.applied = True, bool(message.get("applied", True))
            self.run.stats.rtt.append(now - sent.sent_at)
            self.run.stats.add("acked")
            if message.get("duplicate"):
                self.run.stats.add("ack_duplicate")
        elif kind == "ops":
            self.seq = max(self.seq, int(message.get("seq", 0)))
        elif kind == "error":
            code = message.get("code", "")
            self.run.stats.add(f"error_{code}")
            if "batch" in message and code in RETRY_CODES:
                asyncio.get_running_loop().call_later(0.5, self._resend_soon)
        elif kind == "votes":
            self.run.stats.add("votes_ok")
        elif kind == "session":
            voting = (message.get("session") or {}).get("voting") or {}
            if voting.get("open") and self.present and self.number >= 0:
                asyncio.get_running_loop().create_task(self._vote())

    def _resend_soon(self) -> None:
        async def resend() -> None:
            for sent in list(self.pending.values()):
                sent.sent_at = time.time()
                self.run.stats.add("resent")
                await self._raw(sent.message)

        asyncio.get_running_loop().create_task(resend())

    async def _raw(self, message: Message) -> None:
        if self.connected.is_set():
            with contextlib.suppress(websockets.ConnectionClosed):
                await self.ws.send(orjson.dumps(message).decode())

    async def send_ops(self, ops: list[Message]) -> None:
        """A batch: remembered until acknowledged, sent now if the socket is up."""
        self.counter += 1
        batch = f"m{self.number}x{self.counter}"
        message = {"type": "ops", "batch": batch, "ops": ops}
        sent = Sent(batch, message, time.time())
        self.sent.append(sent)
        self.pending[batch] = sent
        self.run.stats.add("sent")
        await self._raw(message)

    # --- what a person does ------------------------------------------------------------

    async def presence(self, until: float) -> None:
        x, y = random.uniform(0, 3000), random.uniform(0, 2000)
        while time.time() < until and self.run.plan.presence:
            x += random.uniform(-15, 15)
            y += random.uniform(-15, 15)
            await self._raw({"type": "presence", "cursor": {"x": round(x, 1), "y": round(y, 1)}})
            await asyncio.sleep(0.05)

    async def bursts(self, until: float) -> None:
        while True:
            pause = random.expovariate(1 / BURST_EVERY)
            await asyncio.sleep(max(0.0, min(pause, until - time.time())))
            if time.time() >= until:
                return
            if not self.notes or random.random() < 0.5:
                await self.write()
            else:
                await self.drag()

    async def write(self) -> None:
        note = f"n{self.number}-{len(self.notes)}"
        self.notes.append(note)
        self.run.notes.append(note)
        x, y = random.randint(0, 3000), random.randint(0, 2000)
        obj = {"id": note, "kind": "note", "x": x, "y": y, "text": ""}
        await self.send_ops([{"op": "create", "object": obj}])
        words = f"M {self.number} {len(self.notes)} samarbeid i biblioteket".split()
        for i in range(1, len(words) + 1):
            await asyncio.sleep(0.25)
            await self.send_ops(
                [{"op": "update", "id": note, "set": {"text": " ".join(words[:i])}}]
            )
        self.run.stats.add("writes")

    async def drag(self) -> None:
        note = random.choice(self.notes)
        x, y = random.randint(0, 3000), random.randint(0, 2000)
        for _ in range(20):
            x, y = x + random.randint(-20, 20), y + random.randint(-20, 20)
            await self.send_ops([{"op": "update", "id": note, "set": {"x": x, "y": y}}])
            await asyncio.sleep(0.05)
        self.run.stats.add("drags")

    async def _vote(self) -> None:
        pool = self.run.notes
        for n in range(3):
            await asyncio.sleep(random.uniform(0.5, 3.0))
            if pool:
                req = f"v{self.number}-{n}"
                await self._raw({"type": "vote", "id": random.choice(pool), "req": req})
                self.run.stats.add("votes_cast")

    async def stint(self, arrive: float, leave: float, keep_seat: bool) -> None:
        await asyncio.sleep(max(0.0, self.run.at(arrive) - time.time()))
        await self.connect(keep_seat)
        self.present = True
        until = self.run.at(leave)
        await asyncio.gather(self.presence(until), self.bursts(until))
        await asyncio.sleep(max(0.0, until - time.time()))
        await self.leave()

    async def leave(self) -> None:
        """Wait (up to 60 s) for the last acks, as a page does before it closes."""
        deadline = time.time() + 60
        while self.pending and time.time() < deadline:
            await asyncio.sleep(0.1)
        self.present = False
        self.connected.clear()
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await self.ws.close()

    async def life(self) -> None:
        for arrive, leave, keep_seat in stints(self.number):
            await self.stint(arrive, leave, keep_seat)


class Run:
    """One load process: its people, its facilitator, its window reports."""

    def __init__(self, plan: Plan, start: float) -> None:
        self.plan, self.start = plan, start
        self.length = plan.minutes * 60
        self.stats = Stats()
        self.reconnect_s: list[float] = []
        self.notes: list[str] = []
        self.people = [
            Person(self, n, home, plan.token, f"Deltaker {n}") for n, home in plan.people
        ]

    def at(self, fraction: float) -> float:
        return self.start + fraction * self.length

    async def facilitate(self) -> None:
        fac = Person(self, -1, 0, self.plan.facilitator_token, "Fasilitator")
        await fac.connect(keep_seat=False)
        fac.present = True
        steps: list[tuple[float, Message]] = [
            (0.30, {"type": "facilitate", "action": "voting_open", "votes": 3, "req": "f1"}),
            (0.38, {"type": "facilitate", "action": "voting_close", "req": "f2"}),
            (0.62, {"type": "facilitate", "action": "insert_template", "req": "f3"}),
        ]
        for fraction, message in steps:
            await asyncio.sleep(max(0.0, self.at(fraction) - time.time()))
            if message["action"] == "insert_template":
                message["template"] = self.plan.template
            await fac.connected.wait()
            await fac._raw(message)
            self.stats.add(f"facilitate_{message['action']}")
        await asyncio.sleep(max(0.0, self.at(1.0) - time.time()))
        await fac.leave()

    async def report(self, out: Any) -> None:
        for window in range(self.plan.windows):
            end = self.start + (window + 1) * self.length / self.plan.windows
            await asyncio.sleep(max(0.0, end - time.time()))
            stats, self.stats = self.stats, Stats()
            out.put({"window": window, "rtt": stats.rtt.tobytes(), "counts": stats.counts})

    async def main(self, out: Any) -> None:
        tasks = [p.life() for p in self.people]
        if self.plan.facilitator_token:
            tasks.append(self.facilitate())
        await asyncio.gather(self.report(out), *tasks)
        sent = [s for p in self.people for s in p.sent]
        out.put(
            {
                "final": True,
                "pid": os.getpid(),
                "acked": [s.batch for s in sent if s.acked and s.applied],
                "unacked": [s.batch for s in sent if not s.acked],
                "expected": self.expected(),
                "reconnect_s": self.reconnect_s,
                "counts": self.stats.counts,
                "rtt": self.stats.rtt.tobytes(),
            }
        )
        # `put` hands the item to a feeder thread; write it out before the loop and the
        # process wind down, so a crash there cannot lose the run's verdict.
        out.close()
        out.join_thread()

    def expected(self) -> dict[str, Message]:
        """Each note as its owner's acknowledged batches leave it (None: not certain)."""
        notes: dict[str, Message] = {}
        for person in self.people:
            for sent in person.sent:
                for op in sent.message["ops"]:
                    note = op["object"]["id"] if op["op"] == "create" else op["id"]
                    if not sent.acked:
                        notes[note] = {"uncertain": True}
                        continue
                    state = notes.setdefault(note, {})
                    if op["op"] == "create":
                        state.update({k: op["object"][k] for k in ("x", "y", "text")})
                    else:
                        state.update(op["set"])
        return notes


def worker_main(plan: Plan, start_at: Any, ready: Any, out: Any) -> None:
    """Entry point of one load process (multiprocessing target)."""
    import uvloop

    random.seed(plan.seed)
    ready.put(os.getpid())
    while start_at.value == 0.0:
        time.sleep(0.02)
    try:
        uvloop.run(Run(plan, start_at.value).main(out))
    except BaseException as exc:
        out.put({"error": repr(exc)})
        raise
