"""A seeded convergence fuzzer over the real protocol, with a transport the test drives.

No sockets: each simulated client talks to `Hub.join` / `Hub.handle` / `Hub.leave`
directly and reads what the server queued for it from `Session.outbox`. The fuzzer
decides, step by step, which client sends, which client gets its next message, when a
commit reaches the database (commits wait at a gate in the store until released), when
a pub/sub message between processes is delivered, dropped, duplicated or held back, and
when a client drops off and comes back with `since` and its unacknowledged batches.

Everything the server does between two steps is awaited to completion (`settle`), so
a seed replays the same interleaving. On failure the seed and the op log are printed.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from server.config import Limits
from server.domain.messages import Join
from server.pubsub.memory import MemoryBroker, MemoryBus
from server.services.access import hash_token, new_token
from server.services.bus import BusMessage
from server.services.hub import Hub
from server.services.ports import CommitResult, Handler, PendingBatch
from server.services.room import Room
from server.services.session import Session
from server.storage.engine import create_engine, migrate
from server.storage.store import SqlBoardStore
from tests.support.client import normalised

Message = dict[str, Any]
BOARD = "fuzzboard"
COLORS = ("#fff59d", "#a5d6a7", "#90caf9", "#f48fb1", "#ffffff")
FAST = Limits(batches_per_sec=1e9, batch_burst=10**9, presence_per_sec=1e9, presence_burst=10**9)


class Gate:
    """Holds every commit (and, when asked, every pub/sub message) until the test lets it go."""

    def __init__(self) -> None:
        self.commits: list[tuple[asyncio.Event, str]] = []
        self.waiting: set[asyncio.Task[Any]] = set()
        self.tasks: dict[asyncio.Event, asyncio.Task[Any]] = {}
        self.failing: set[asyncio.Event] = set()  # commits that fail (database down)

    def release(self, index: int, *, fail: bool = False) -> str:
        event, label = self.commits.pop(index)
        self.waiting.discard(self.tasks.pop(event))
        if fail:
            self.failing.add(event)
        event.set()
        return label + (" FAILED" if fail else "")


class GatedStore:
    """The real store; `commit` waits at the gate first."""

    def __init__(self, inner: SqlBoardStore, gate: Gate, name: str) -> None:
        self.inner = inner
        self.gate = gate
        self.name = name

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def commit(self, board_id: str, pending: list[PendingBatch]) -> list[CommitResult]:
        event = asyncio.Event()
        task = asyncio.current_task()
        assert task is not None
        label = f"{self.name}:[{','.join(p.batch_id for p in pending)}]"
        self.gate.commits.append((event, label))
        self.gate.tasks[event] = task
        self.gate.waiting.add(task)
        await event.wait()
        if event in self.gate.failing:
            self.gate.failing.discard(event)
            raise OSError("injected: the database is unreachable")
        return await self.inner.commit(board_id, pending)


class FaultyBroker:
    """A `MemoryBroker` whose publications may be dropped, duplicated or held (reordered)."""

    def __init__(self, inner: MemoryBroker, rng: random.Random, faults: dict[str, float]) -> None:
        self.inner = inner
        self.rng = rng
        self.faults = faults
        self.held: list[tuple[str, bytes]] = []
        self.log: list[str] = []

    @property
    def connected(self) -> bool:
        return True

    @property
    def shared(self) -> bool:
        return self.inner.shared

    async def publish(self, channel: str, data: bytes) -> None:
        kind = BusMessage.decode(data).kind.value
        roll = self.rng.random()
        drop, dup, hold = (self.faults.get(k, 0.0) for k in ("drop", "dup", "hold"))
        header = data.split(b"\n", 1)[0].decode()
        if roll < drop:
            self.log.append(f"  bus drop {header}")
            return
        if roll < drop + hold:
            self.log.append(f"  bus hold {header}")
            self.held.append((channel, data))
            return
        await self.inner.publish(channel, data)
        if roll < drop + hold + dup and kind == "ops":
            self.log.append(f"  bus dup {header}")
            await self.inner.publish(channel, data)

    async def release_one(self, index: int) -> None:
        channel, data = self.held.pop(index)
        await self.inner.publish(channel, data)

    async def subscribe(self, channel: str, handler: Handler) -> None:
        await self.inner.subscribe(channel, handler)

    async def unsubscribe(self, channel: str, handler: Handler) -> None:
        await self.inner.unsubscribe(channel, handler)

    def on_reconnect(self, callback: Callable[[], None]) -> None:
        self.inner.on_reconnect(callback)

    async def close(self) -> None:
        await self.inner.close()


class Diverged(AssertionError):
    pass


@dataclass
class SimClient:
    """A protocol client: applies batches strictly in seq order, resends unacked batches."""

    index: int
    hub_index: int
    client_id: str
    session: Session | None = None
    room: Room | None = None
    objects: dict[str, Message] = field(default_factory=dict)
    seq: int = 0
    buffer: dict[int, list[Message]] = field(default_factory=dict)
    unacked: dict[str, list[Message]] = field(default_factory=dict)  # in send order
    acked: dict[str, int] = field(default_factory=dict)  # batch -> seq (applied ones)
    last_ops_seq: int = 0  # per connection: broadcast seqs must rise strictly
    counter: int = 0
    welcomed: bool = False

    @property
    def online(self) -> bool:
        return self.session is not None

    def advance(self) -> None:
        while self.seq + 1 in self.buffer:
            self.seq += 1
            for op in self.buffer.pop(self.seq):
                if op["op"] == "create":
                    self.objects[op["object"]["id"]] = dict(op["object"])
                elif op["op"] == "update" and op["id"] in self.objects:
                    self.objects[op["id"]].update(op["set"])
                elif op["op"] == "delete":
                    self.objects.pop(op["id"], None)
        for seq in [s for s in self.buffer if s <= self.seq]:
            del self.buffer[seq]


class Fuzz:
    """One run: `clients` clients over `processes` hubs on one SQLite file."""

    def __init__(
        self,
        seed: int,
        tmp: Path,
        *,
        clients: int | None = None,
        processes: int = 1,
        faults: dict[str, float] | None = None,
        disconnect: float = 0.04,
    ) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.n_clients = clients or self.rng.randint(2, 5)
        self.n_processes = processes
        self.faults = faults or {}
        self.disconnect = disconnect
        self.url = f"sqlite+aiosqlite:///{tmp / f'fuzz-{seed}.db'}"
        self.gate = Gate()
        self.hubs: list[Hub] = []
        self.brokers: list[FaultyBroker] = []
        self.stores: list[SqlBoardStore] = []
        self.clients: list[SimClient] = []
        self.log: list[str] = []
        self.sent = 0
        self.token = new_token()
        self.shared = [f"s{i}" for i in range(4)]  # ids everyone edits (concurrent edits)
        self.limits = FAST
        self.fail_commits = 0.0  # share of commits that fail (database down); 0: no draw
        self.now = 0.0  # the hubs' clock (rate limits): moved by the run, so seeds replay

    # --- setup and teardown ----------------------------------------------------------

    async def setup(self) -> None:
        bus = MemoryBus()
        for p in range(self.n_processes):
            engine = create_engine(self.url)
            if p == 0:
                await migrate(engine)
            store = SqlBoardStore(engine)
            self.stores.append(store)
            broker = FaultyBroker(MemoryBroker(bus), random.Random(self.seed * 7 + p), self.faults)
            self.brokers.append(broker)
            gated = GatedStore(store, self.gate, f"p{p}")
            hub = Hub(gated, broker, self.limits, clock=lambda: self.now)  # type: ignore[arg-type]
            self.hubs.append(hub)
        hashes = {role: hash_token(f"{self.token}-{role}") for role in ("facilitator", "viewer")}
        hashes["participant"] = hash_token(self.token)
        await self.stores[0].create_board(BOARD, "Fuzz", {}, hashes, [])
        for i in range(self.n_clients):
            client = self.new_client(i)
            self.clients.append(client)
            await self.connect(client, first=True)

    def new_client(self, index: int) -> Any:
        return SimClient(index, index % self.n_processes, f"c{index}")

    async def close(self) -> None:
        for hub in self.hubs:
            for room in list(hub.rooms.values()):
                for session in list(room.sessions.values()):
                    await hub.leave(session, room)
            await hub.close()
        for store in self.stores:
            await store.close()

    # --- waiting for the server ------------------------------------------------------

    async def settle(self, timeout: float = 10.0) -> None:
        """Wait until every committer is idle or waiting at the gate, and every room has
        delivered what it held beyond a gap (a lost bus message is read from the log
        after `GAP_WAIT_SEC`, by a task named "gap-wait")."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            busy = [
                t
                for t in asyncio.all_tasks()
                if t.get_name().startswith(("commit-", "gap-wait"))
                and not t.done()
                and t not in self.gate.waiting
            ]
            if not busy:
                return
            if loop.time() > deadline:
                raise TimeoutError(f"seed {self.seed}: committers never settled")
            # Sleep on the committers instead of spinning with sleep(0): a spinning loop
            # holds the GIL that the database threads need, and on a loaded machine one
            # seed took minutes. A committer reaching the gate does not finish, hence the
            # short timeout.
            await asyncio.wait(busy, timeout=0.002)

    # --- client actions --------------------------------------------------------------

    async def connect(self, client: SimClient, *, first: bool = False) -> None:
        hub = self.hubs[client.hub_index]
        since = None if first else client.seq
        join = Join(self.token, f"P{client.index}", since, client.client_id)
        session, room = await hub.join(BOARD, join, f"10.0.0.{client.index}")
        client.session, client.room = session, room
        client.last_ops_seq = 0
        client.welcomed = False
        self.log.append(
            f"  join c{client.index}@p{client.hub_index} since={since} as {session.client}"
        )
        await self.settle()
        # Resend every unacknowledged batch with its own id (rule S11).
        for batch, ops in list(client.unacked.items()):
            await self.send_frame(client, batch, ops)

    async def send_frame(self, client: SimClient, batch: str, ops: list[Message]) -> None:
        assert client.session and client.room
        frame = orjson.dumps({"type": "ops", "batch": batch, "ops": ops})
        hub = self.hubs[client.hub_index]
        await hub.handle(client.session, client.room, frame.decode())
        await self.settle()

    async def leave(self, client: SimClient) -> None:
        assert client.session and client.room
        session, room = client.session, client.room
        client.session = client.room = None
        # Whatever the server queued but the socket never carried is lost.
        while take(session) is not None:
            pass
        await self.hubs[client.hub_index].leave(session, room)
        await self.settle()

    def random_ops(self, client: Any) -> list[Message]:
        rng = self.rng
        known = list(client.objects) + [b for ops in client.unacked.values() for b in _ids(ops)]
        ops: list[Message] = []
        for _ in range(rng.choice((1, 1, 1, 2, 3))):
            roll = rng.random()
            if roll < 0.25:
                shared = [s for s in self.shared if s not in known]
                if shared and rng.random() < 0.5:
                    object_id = rng.choice(shared)  # racing creates of one id: one wins
                else:
                    client.counter += 1
                    object_id = f"o{client.index}x{client.counter}"
                kind = rng.choice(("note", "note", "shape", "text", "frame"))
                obj: Message = {"id": object_id, "kind": kind, "x": rng.randint(-500, 500)}
                obj["y"] = rng.randint(-500, 500)
                if kind == "frame":
                    obj["title"] = f"f{rng.randint(0, 99)}"
                else:
                    obj["text"] = f"t{client.index}-{rng.randint(0, 999)}"
                ops.append({"op": "create", "object": obj})
            elif roll < 0.85 and known:
                preferred = [k for k in known if k in self.shared]
                target = rng.choice(preferred if preferred and rng.random() < 0.6 else known)
                fields = rng.sample(("x", "y", "z", "rotation", "color"), rng.randint(1, 3))
                patch: Message = {}
                for name in fields:
                    if name == "color":
                        patch[name] = rng.choice(COLORS)
                    elif name == "rotation":
                        patch[name] = rng.choice((0, 45, 90))
                    else:
                        patch[name] = rng.randint(0, 5)
                ops.append({"op": "update", "id": target, "set": patch})
            elif roll < 0.95 and known:
                ops.append({"op": "delete", "id": rng.choice(known)})
            else:  # an id nobody has: skipped (S4)
                ops.append({"op": "delete", "id": f"ghost{rng.randint(0, 9)}"})
        # Frames and notes share "x", "y", "z", "rotation"; "color" fits every kind used.
        return ops

    async def send_batch(self, client: SimClient, ops: list[Message] | None = None) -> None:
        self.sent += 1
        batch = f"b{client.index}n{self.sent}"
        ops = ops or self.random_ops(client)
        client.unacked[batch] = ops
        self.log.append(f"send c{client.index} {batch} {orjson.dumps(ops).decode()}")
        if client.online:
            await self.send_frame(client, batch, ops)

    async def resend_acked(self, client: SimClient) -> None:
        """Resend an already acknowledged batch: same seq back, never applied twice."""
        batch = self.rng.choice(list(client.acked))
        self.log.append(f"resend-acked c{client.index} {batch}")
        ghost = [{"op": "delete", "id": "ghost0"}]  # other ops, same id: the original counts
        client.unacked[batch] = ghost
        await self.send_frame(client, batch, ghost)

    def deliver(self, client: SimClient, limit: int) -> int:
        """Give the client up to `limit` queued messages; returns how many."""
        assert client.session
        count = 0
        while count < limit and (text := take(client.session)) is not None:
            item = orjson.loads(text)
            for message in item if isinstance(item, list) else [item]:
                self.receive(client, message)
            count += 1
        return count

    def receive(self, client: SimClient, message: Message) -> None:
        kind = message["type"]
        if kind == "welcome":
            assert not client.welcomed, "two welcomes on one connection"
            client.welcomed = True
            if "objects" in message:
                client.objects = {o["id"]: dict(o) for o in message["objects"]}
                client.seq = message["seq"]
                client.buffer = {s: ops for s, ops in client.buffer.items() if s > client.seq}
            else:
                for batch in message["catchup"]:
                    client.buffer[batch["seq"]] = batch["ops"]
                client.advance()
                if client.seq < message["seq"]:
                    raise Diverged(f"c{client.index}: catch-up left a hole below {message['seq']}")
            client.last_ops_seq = message["seq"]
            self.log.append(f"  c{client.index} welcome seq={message['seq']}")
        elif kind == "ops":
            assert client.welcomed, "ops before welcome"
            if message["seq"] <= client.last_ops_seq:
                raise Diverged(
                    f"c{client.index} got seq {message['seq']} after {client.last_ops_seq}: "
                    "duplicate or out of order"
                )
            client.last_ops_seq = message["seq"]
            client.buffer[message["seq"]] = message["ops"]
            client.advance()
        elif kind == "ack":
            batch = message["batch"]
            ops = client.unacked.pop(batch, None)
            self.log.append(f"  c{client.index} ack {batch} seq={message['seq']}")
            if batch in client.acked:
                if message["seq"] != client.acked[batch]:
                    raise Diverged(
                        f"{batch} acked with seq {client.acked[batch]}, again with {message['seq']}"
                    )
                return
            if message["applied"] and ops is not None:
                client.acked[batch] = message["seq"]
                skipped = set(message["skipped"])
                own = [normalised(op) for i, op in enumerate(ops) if i not in skipped]
                client.buffer[message["seq"]] = own
                client.advance()
        elif kind == "error":
            raise Diverged(f"c{client.index} got an error: {message}")

    # --- the run ---------------------------------------------------------------------

    async def step(self) -> None:
        rng = self.rng
        client = rng.choice(self.clients)
        roll = rng.random()
        if not client.online:
            if roll < 0.3:
                await self.connect(client)
            elif roll < 0.5:
                await self.send_batch(client)  # offline edit: queued, resent on reconnect
            else:
                await self.background()
            return
        if roll < self.disconnect:
            self.log.append(f"drop c{client.index}")
            await self.leave(client)
        elif roll < 0.35:
            await self.send_batch(client)
        elif roll < 0.37 and client.acked:
            await self.resend_acked(client)
        elif roll < 0.7:
            n = self.deliver(client, rng.randint(1, 4))
            if n:
                self.log.append(f"deliver c{client.index} x{n}")
        else:
            await self.background()

    async def background(self) -> None:
        """Let a commit through or a held pub/sub message arrive."""
        rng = self.rng
        held = [(b, i) for b in self.brokers for i in range(len(b.held))]
        if held and rng.random() < 0.3:
            broker, index = rng.choice(held)
            header = broker.held[index][1].split(b"\n")[0].decode()
            self.log.append(f"bus release {header}")
            await broker.release_one(index)
            await self.settle()
        elif self.gate.commits:
            # No draw when commits never fail, so the protocol-client seeds replay as before.
            fail = self.fail_commits > 0 and rng.random() < self.fail_commits
            label = self.gate.release(rng.randrange(len(self.gate.commits)), fail=fail)
            self.log.append(f"commit {label}")
            await self.settle()

    async def run(self, ops: int) -> None:
        while self.sent < ops:
            await self.step()
            self.flush_bus_log()
        await self.drain()

    def flush_bus_log(self) -> None:
        for broker in self.brokers:
            self.log.extend(broker.log)
            broker.log.clear()

    async def drain(self) -> None:
        """Stop the faults, bring everyone back, and let everything arrive."""
        self.log.append("drain")
        for broker in self.brokers:
            broker.faults = {}
            while broker.held:
                await broker.release_one(0)
        for _ in range(1000):
            await self.settle()
            for client in self.clients:
                if not client.online:
                    await self.connect(client)
            if self.gate.commits:
                self.log.append(f"commit {self.gate.release(0)}")
                await self.settle()
                continue
            moved = sum(self.deliver(c, 10**6) for c in self.clients if c.session)
            if not moved and not any(c.unacked for c in self.clients):
                break
        else:
            raise Diverged("the run never went quiet")
        if self.n_processes > 1:
            # A batch whose pub/sub message was lost is only noticed when a later one
            # arrives (rule S10): one last batch per process closes every gap.
            for client in self.clients[: self.n_processes]:
                await self.send_batch(client)
            await self.drain_quiet()
        self.flush_bus_log()

    async def drain_quiet(self) -> None:
        for _ in range(1000):
            await self.settle()
            if self.gate.commits:
                self.gate.release(0)
                continue
            if not sum(self.deliver(c, 10**6) for c in self.clients if c.session):
                return

    # --- the verdict -----------------------------------------------------------------

    async def verify(self) -> None:
        truth, seq, by_id = await self.database_truth()
        for client in self.clients:
            for batch, acked_seq in client.acked.items():
                if by_id.get(batch) != acked_seq:
                    raise Diverged(f"acked {batch}@{acked_seq} is not in the database")
            if client.seq != seq:
                raise Diverged(f"c{client.index} is at seq {client.seq}, the board at {seq}")
            if client.objects != truth:
                diff = _diff(client.objects, truth)
                raise Diverged(f"c{client.index} differs from the database: {diff}")

    async def database_truth(self) -> tuple[dict[str, Message], int, dict[str, int]]:
        """The board as a fresh load sees it, its seq, and batch id -> seq; checks the log."""
        server = await self.stores[0].snapshot(BOARD)
        assert server is not None
        fresh_engine = create_engine(self.url)
        fresh = SqlBoardStore(fresh_engine)
        try:
            loaded = await fresh.snapshot(BOARD)
            history = await fresh.batches_since(BOARD, 0)
        finally:
            await fresh.close()
        assert loaded is not None and history is not None
        truth = {o["id"]: o for o in loaded.objects}
        if {o["id"]: o for o in server.objects} != truth or server.board.seq != loaded.board.seq:
            raise Diverged("the server's store and a fresh load differ")
        seq, logged = history
        if [b.seq for b in logged] != list(range(1, seq + 1)):
            raise Diverged("seq has gaps")
        ids = [b.batch_id for b in logged]
        if len(ids) != len(set(ids)):
            raise Diverged("a batch id was applied twice")
        return truth, seq, {b.batch_id: b.seq for b in logged}


def take(session: Session) -> str | None:
    """The next message text the server queued for this socket, if any."""
    return session.take()


def _ids(ops: list[Message]) -> list[str]:
    return [op["object"]["id"] for op in ops if op["op"] == "create"]


def _diff(mine: dict[str, Message], truth: dict[str, Message]) -> str:
    out = []
    for key in sorted(set(mine) | set(truth)):
        if mine.get(key) != truth.get(key):
            out.append(f"{key}: client={mine.get(key)} db={truth.get(key)}")
    return "; ".join(out[:5])


async def run_seed(
    seed: int,
    tmp: Path,
    ops: int = 100,
    *,
    processes: int = 1,
    faults: dict[str, float] | None = None,
    log_file: Path | None = None,
    kind: type[Fuzz] = Fuzz,
) -> Any:
    """Run one seed (protocol clients, or `kind=JsFuzz` for pages); on failure raise
    with the seed and the op log's tail."""
    fuzz = kind(seed, tmp, processes=processes, faults=faults)
    try:
        await fuzz.setup()
        await fuzz.run(ops)
        await fuzz.verify()
    except Exception as exc:
        fuzz.flush_bus_log()
        if log_file is not None:
            log_file.write_text("\n".join(fuzz.log))
        tail = "\n".join(fuzz.log[-80:])
        where = f" (full log: {log_file})" if log_file else ""
        raise AssertionError(
            f"{kind.__name__} seed {seed} ({fuzz.n_clients} clients, {processes} process(es)) "
            "failed: "
            f"{type(exc).__name__}: {exc}{where}\nlast steps:\n{tail}"
        ) from exc
    finally:
        await fuzz.close()
    return fuzz
