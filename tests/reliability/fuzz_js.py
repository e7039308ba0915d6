"""R1/R2 with the pages people use: the shipped `web/js` sync engine under Node.

Same server, store gate and faulty bus as `fuzz_engine.Fuzz`; the clients are pages
built by `tests/support/js/harness.mjs` from `web/js/store.js` and
`web/js/sync/engine.js`. The fuzzer is their socket and their clock: it decides when a
page's frames reach the server, when the server's messages reach the page (one by one,
or duplicated), when the page's timers fire (back-off, sync time-outs), when the network
drops, when a tab reloads, and when a commit fails (`unavailable`) or the rate limit
refuses (`rate_limited`, on a clock the run moves). After the run every page, the
server's store and a fresh load are identical; every page's stream of `ops` and applied
acks rose strictly (rule S17); the engine itself throws if it ever applies a `seq` that
is not the next one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from server.config import Limits
from server.domain.messages import Join, decode, parse
from server.services.room import Room
from server.services.session import Session
from tests.support.jsengine import NodePages

from .fuzz_engine import BOARD, Diverged, Fuzz, Message, run_seed, take

# Tight enough that bursts of edits meet `rate_limited` on the run's clock.
LIMITED = Limits(
    batches_per_sec=4.0,
    batch_burst=3,
    presence_per_sec=1e9,
    presence_burst=10**9,
    flood_strikes=10**6,
    joins_per_minute=10**6,
    outbox_messages=0,
)


@dataclass
class Page:
    """One browser tab: its state lives in Node; the socket is the fuzzer's."""

    index: int
    hub_index: int
    name: str
    session: Session | None = None
    room: Room | None = None
    frames: list[str] = field(default_factory=list)  # ops frames it sent (to duplicate)
    acked: dict[str, int] = field(default_factory=dict)
    last_seq: int = 0  # this connection's stream so far (rule S17)
    counter: int = 0
    state: dict[str, Any] = field(default_factory=dict)

    @property
    def online(self) -> bool:
        return self.session is not None

    @property
    def objects(self) -> dict[str, Message]:
        return {o["id"]: o for o in self.state.get("objects", [])}

    @property
    def unacked(self) -> dict[str, list[Message]]:
        return {p["batch"]: p["ops"] for p in self.state.get("pending", [])}


class JsFuzz(Fuzz):
    def __init__(
        self,
        seed: int,
        tmp: Path,
        *,
        processes: int = 1,
        faults: dict[str, float] | None = None,
        disconnect: float = 0.04,
        fail_commits: float = 0.05,
    ) -> None:
        super().__init__(seed, tmp, processes=processes, faults=faults, disconnect=disconnect)
        self.limits = LIMITED
        self.fail_commits = fail_commits
        self.refusals: dict[str, int] = {}  # "try again" refusals the pages met
        self.node = NodePages()
        self.node.call("token", token=self.token)

    def new_client(self, index: int) -> Page:
        page = Page(index, index % self.n_processes, f"p{index}")
        self.node.call("new", page.name)
        return page

    async def close(self) -> None:
        try:
            await super().close()
        finally:
            self.node.close()

    # --- the page's socket -----------------------------------------------------------

    def _call(self, page: Page, cmd: str, **args: Any) -> tuple[list[str], Any]:
        out, result = self.node.call(cmd, page.name, **args)
        page.state = self.node.call("state", page.name)[1]
        return out, result

    async def connect(self, client: Any, *, first: bool = False) -> None:
        page: Page = client
        out, _ = self._call(page, "open")
        join = parse(decode(out[0]))
        assert isinstance(join, Join)
        hub = self.hubs[page.hub_index]
        session, room = await hub.join(BOARD, join, f"10.0.0.{page.index}")
        page.session, page.room, page.last_seq = session, room, 0
        page.frames = []  # a network repeats frames of its own connection only
        self.log.append(f"  join {page.name}@p{page.hub_index} since={join.since}")
        await self.settle()
        await self._send(page, out[1:])

    async def _send(self, page: Page, frames: list[str]) -> None:
        for frame in frames:
            if page.session is None or page.room is None:
                return  # the socket is gone: the page resends after its next welcome
            sent = orjson.loads(frame)
            if sent.get("type") == "ops":
                page.frames.append(frame)
                self.log.append(f"  {page.name} sends {sent['batch']}")
            elif sent.get("type") == "sync":
                self.log.append(f"  {page.name} sends sync since {sent['since']}")
            self.now += 0.05  # each frame takes a little time: the rate limit refills
            await self.hubs[page.hub_index].handle(page.session, page.room, frame)
            await self.settle()

    async def leave(self, client: Any) -> None:
        page: Page = client
        assert page.session and page.room
        session, room = page.session, page.room
        page.session = page.room = None
        while take(session) is not None:  # what the socket never carried is lost
            pass
        await self.hubs[page.hub_index].leave(session, room)
        self._call(page, "close")
        await self.settle()

    async def send_batch(self, client: Any, ops: list[Message] | None = None) -> None:
        page: Page = client
        self.sent += 1
        ops = ops or self.random_ops(page)
        out, batch = self._call(page, "edit", ops=ops)
        self.log.append(f"edit {page.name} {batch} {orjson.dumps(ops).decode()}")
        await self._send(page, out)

    def deliver(self, client: Any, limit: int) -> int:
        raise NotImplementedError("pages receive through deliver_async")

    async def deliver_async(self, page: Page, limit: int) -> int:
        count = 0
        while count < limit and page.session is not None:
            text = take(page.session)
            if text is None:
                if page.session.closed.done():  # closed by the server (4009, 4029, ...)
                    self.log.append(f"  {page.name} closed by the server")
                    await self.leave(page)
                break
            count += 1
            item = orjson.loads(text)
            for message in item if isinstance(item, list) else [item]:
                self._check_stream(page, message)
                out, _ = self._call(page, "recv", msg=message)
                await self._send(page, out)
        return count

    def _check_stream(self, page: Page, message: Message) -> None:
        kind = message.get("type")
        if kind == "welcome":
            page.last_seq = message["seq"]
        elif kind == "ops" or (
            kind == "ack" and message["applied"] and not message.get("duplicate")
        ):
            if message["seq"] <= page.last_seq:
                raise Diverged(
                    f"{page.name} got {kind} {message['seq']} after {page.last_seq} (S17)"
                )
            page.last_seq = message["seq"]
        if kind == "ack" and message["applied"]:
            before = page.acked.setdefault(message["batch"], message["seq"])
            if before != message["seq"]:
                raise Diverged(f"{message['batch']} acked at {before}, then {message['seq']}")
        if kind == "error":
            code = str(message.get("code"))
            if code not in ("rate_limited", "unavailable"):
                raise Diverged(f"{page.name} got an error: {message}")
            self.refusals[code] = self.refusals.get(code, 0) + 1
            self.log.append(f"  {page.name} refused {message.get('batch')} {code}")

    # --- the run ---------------------------------------------------------------------

    async def step(self) -> None:
        rng = self.rng
        page: Page = rng.choice(self.clients)
        roll = rng.random()
        self.now += 0.02
        if not page.online:
            if roll < 0.3:
                await self.connect(page)
            elif roll < 0.5:
                await self.send_batch(page)  # offline edit: queued, resent on reconnect
            elif roll < 0.55:
                self.log.append(f"reload {page.name} (offline)")
                self._call(page, "reload")
            else:
                await self.background()
            return
        if roll < self.disconnect:
            self.log.append(f"drop {page.name}")
            await self.leave(page)
        elif roll < self.disconnect + 0.01:
            self.log.append(f"reload {page.name}")
            await self.leave(page)
            self._call(page, "reload")
        elif roll < 0.35:
            await self.send_batch(page)
        elif roll < 0.37 and page.frames:
            frame = rng.choice(page.frames)
            self.log.append(f"duplicate frame from {page.name}")
            await self._send(page, [frame])
        elif roll < 0.42:
            out, fired = self._call(page, "timers")
            if fired:
                self.log.append(f"timers {page.name} x{fired}")
            await self._send(page, out)
        elif roll < 0.72:
            n = await self.deliver_async(page, rng.randint(1, 4))
            if n:
                self.log.append(f"deliver {page.name} x{n}")
        else:
            await self.background()

    async def drain(self) -> None:
        """Stop the faults, bring every page back, and let everything arrive."""
        self.log.append("drain")
        self.fail_commits = 0.0
        for broker in self.brokers:
            broker.faults = {}
            while broker.held:
                await broker.release_one(0)
        for round_ in range(3000):
            self.now += 1.0  # time passes: rate limits refill, back-offs end
            await self.settle()
            for page in self.clients:
                if not page.online:
                    await self.connect(page)
            if self.gate.commits:
                self.log.append(f"commit {self.gate.release(0)}")
                await self.settle()
                continue
            moved = await self._pump()
            busy = any(p.state["pending"] or p.state["held"] for p in self.clients)
            if not moved and not busy and not self.gate.commits:
                break
            if round_ == 2999:
                stuck = {
                    p.name: (
                        p.state["seq"],
                        list(p.unacked),
                        p.state["held"],
                        p.state["debug"],
                        p.session and p.session._retry_from,
                    )
                    for p in self.clients
                }
                raise Diverged(f"the run never went quiet: {stuck}")
        if self.n_processes > 1:
            # A batch whose pub/sub message was lost is noticed when a later one arrives
            # (S10 on the server, the page's own gap check): one last batch per process.
            for page in self.clients[: self.n_processes]:
                await self.send_batch(page)
            await self.drain_pages()
        self.flush_bus_log()

    async def drain_pages(self) -> None:
        for _ in range(1000):
            self.now += 1.0
            await self.settle()
            if self.gate.commits:
                self.gate.release(0)
                continue
            if not await self._pump():
                return

    async def _pump(self) -> int:
        """Everything queued reaches its page, and every page's due timers fire."""
        moved = 0
        for page in self.clients:
            moved += await self.deliver_async(page, 10**6)
            out, fired = self._call(page, "timers")
            moved += fired + len(out)
            await self._send(page, out)
        return moved

    async def verify(self) -> None:
        truth, seq, by_id = await self.database_truth()
        for page in self.clients:
            state = page.state
            for batch, acked_seq in page.acked.items():
                if by_id.get(batch) != acked_seq:
                    raise Diverged(f"acked {batch}@{acked_seq} is not in the database")
            if state["pending"] or state["held"] or state["refused"]:
                raise Diverged(f"{page.name} still holds {state['pending']} / {state['refused']}")
            if state["seq"] != seq:
                raise Diverged(f"{page.name} is at seq {state['seq']}, the board at {seq}")
            if page.objects != truth:
                raise Diverged(f"{page.name} differs from the database: {_diff(page, truth)}")


def _diff(page: Page, truth: dict[str, Message]) -> str:
    mine = page.objects
    keys = sorted(k for k in set(mine) | set(truth) if mine.get(k) != truth.get(k))
    return "; ".join(f"{k}: page={mine.get(k)} db={truth.get(k)}" for k in keys[:5])


async def run_js_seed(
    seed: int,
    tmp: Path,
    ops: int = 100,
    *,
    processes: int = 1,
    faults: dict[str, float] | None = None,
    log_file: Path | None = None,
) -> JsFuzz:
    """One seed with pages (see `run_seed`)."""
    fuzz: JsFuzz = await run_seed(
        seed, tmp, ops, processes=processes, faults=faults, log_file=log_file, kind=JsFuzz
    )
    return fuzz
