"""A board's live room in one process: its sessions, its commit queue, its delivery order.

Per room, one committer task drains the queue, so batches that arrive together are
committed in one transaction (rule S8). Delivery is serialised under a lock and
ordered by `seq`: a batch at or below `delivered` is a duplicate and dropped; a
batch beyond `delivered + 1` means something was missed (another process, a lost
pub/sub message) and the gap is filled from the database first (rule S10).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

import orjson

from server.domain import facilitation
from server.domain.errors import CloseCode, ErrorCode, ProtocolError
from server.domain.messages import Presence
from server.domain.ops import Op, Record, has_private, hidden_from, visible_ops

from .facilitator import Facilitator
from .metrics import Metrics
from .ports import (
    BoardGone,
    BoardMeta,
    BoardStore,
    Broker,
    CommitResult,
    CommitStatus,
    LoggedBatch,
    PendingBatch,
)
from .session import Session, encode, error_message
from .templates import TemplateCatalog

log = logging.getLogger("samskap.room")

MAX_GROUP = 256  # batches per transaction
PRESENCE_TICK = 0.04  # seconds: presence is coalesced, the latest wins
SERVER = "_server"  # `by` of batches the server makes (reveal, template insert)


@dataclass(frozen=True, slots=True)
class RoomContext:
    """What a room needs from its process: made once by the Hub, shared by its rooms."""

    store: BoardStore
    broker: Broker
    metrics: Metrics
    process_id: str
    prefix: str
    templates: TemplateCatalog | None
    spawn: Callable[[Coroutine[Any, Any, Any]], None]
    peer_heartbeat: float = 10.0  # seconds between "who is here" announcements


def board_info(meta: BoardMeta) -> dict[str, Any]:
    return {"id": meta.id, "title": meta.title, "settings": meta.settings}


def board_channel(prefix: str, board_id: str) -> str:
    return f"{prefix}:board:{board_id}"


def bus_message(kind: str, origin: str, data: str, *, seq: int = 0, client: str = "") -> bytes:
    """One pub/sub message: `kind|origin|seq|client` on the first line, then the payload."""
    return f"{kind}|{origin}|{seq}|{client}\n{data}".encode()


def public_message(logged: LoggedBatch) -> dict[str, Any]:
    """A logged batch as everyone but a private object's owner may see it."""
    message = logged.message()
    if has_private(logged.ops):
        message["ops"] = visible_ops(logged.ops, None)
    return message


def message_for(logged: LoggedBatch, client: str) -> dict[str, Any]:
    message = logged.message()
    message["ops"] = visible_ops(logged.ops, client)
    return message


class Room:
    def __init__(self, context: RoomContext, board_id: str) -> None:
        self.ctx = context
        self.board_id = board_id
        # Each room instance publishes under its own origin: a room that closed while
        # its last batches were committing still reaches the next room for this board
        # in the same process (its messages are not mistaken for this room's own).
        self.origin = f"{context.process_id}.{secrets.token_hex(4)}"
        self.channel = board_channel(context.prefix, board_id)
        self.sessions: dict[str, Session] = {}
        self.remote_peers: dict[str, dict[str, dict[str, str]]] = {}  # origin -> client -> peer
        self._heard: dict[str, float] = {}  # origin -> when we last heard from it
        self._heartbeat: asyncio.Task[None] | None = None
        self.delivered = 0
        self._lock = asyncio.Lock()
        self._pending: list[
            tuple[Session | None, PendingBatch, asyncio.Future[CommitResult] | None]
        ] = []
        self._committer: asyncio.Task[None] | None = None
        self._presence: dict[str, str] = {}
        self._presence_timer: asyncio.TimerHandle | None = None
        self.settings: dict[str, Any] = {}
        self.facilitator = Facilitator(self)

    async def open(self) -> bool:
        """Subscribe first, then learn the board's seq: nothing falls in between."""
        async with self._lock:
            await self.ctx.broker.subscribe(self.channel, self._on_remote)
            meta = await self.ctx.store.board(self.board_id)
            if meta is None:
                await self.ctx.broker.unsubscribe(self.channel, self._on_remote)
                return False
            self.delivered = meta.seq
            self.settings = meta.settings
        await self.ctx.store.touch(self.board_id)  # for `samskap purge`: when last opened
        await self._publish("hello", "")
        self._heartbeat = asyncio.create_task(self._beat(), name=f"peers-{self.board_id}")
        return True

    async def close(self) -> None:
        if self._presence_timer:
            self._presence_timer.cancel()
        if self._heartbeat:
            self._heartbeat.cancel()
        await self.ctx.broker.unsubscribe(self.channel, self._on_remote)

    async def _beat(self) -> None:
        """Announce our peers now and then, and forget processes that went silent.

        A process that crashes never says `leave`; without this its people would stay
        "online" in every other process until the board's room closed.
        """
        interval = self.ctx.peer_heartbeat
        while True:
            await asyncio.sleep(interval)
            await self._publish("peers", encode([s.peer for s in self.sessions.values()]))
            silent = time.monotonic() - 3 * interval
            for origin in [o for o, heard in self._heard.items() if heard < silent]:
                del self._heard[origin]
                for client in self.remote_peers.pop(origin, {}):
                    self._send_others(client, encode({"type": "peer_left", "client": client}))

    @property
    def store(self) -> BoardStore:
        return self.ctx.store

    @property
    def templates(self) -> TemplateCatalog | None:
        return self.ctx.templates

    @property
    def peers(self) -> list[dict[str, str]]:
        local = [s.peer for s in self.sessions.values()]
        remote = [p for peers in self.remote_peers.values() for p in peers.values()]
        return local + remote

    # --- joining and leaving ----------------------------------------------------------

    async def join(self, session: Session, since: int | None) -> None:
        """Register, then send a welcome with a snapshot or the missed batches."""
        self.sessions[session.client] = session
        try:
            welcome, base = await self._welcome(session, since)
        except BaseException:
            self.sessions.pop(session.client, None)
            raise
        session.start(encode(welcome), base)
        await self.facilitator.after_join(session)
        joined = encode({"type": "peer_joined", "peer": session.peer})
        self._send_others(session.client, joined)
        await self._publish("join", joined, client=session.client)

    async def _welcome(self, session: Session, since: int | None) -> tuple[dict[str, Any], int]:
        others = [p for p in self.peers if p["client"] != session.client]
        welcome: dict[str, Any] = {"type": "welcome", "you": session.peer, "peers": others}
        if since is not None:
            found = await self.ctx.store.batches_since(self.board_id, since)
            meta = await self.ctx.store.board(self.board_id)
            if found is not None and meta is not None:
                seq, missed = found
                welcome |= {
                    "board": board_info(meta),
                    "seq": seq,
                    "catchup": [message_for(b, session.client) for b in missed],
                    **self.session_info(meta.settings),
                }
                return welcome, seq
        snapshot = await self.ctx.store.snapshot(self.board_id)
        if snapshot is None:
            raise ProtocolError(ErrorCode.NOT_FOUND, "the board was deleted")
        welcome |= {
            "board": board_info(snapshot.board),
            "seq": snapshot.board.seq,
            "objects": [
                obj for obj in snapshot.objects if not hidden_from(Record(obj), session.client)
            ],
            **self.session_info(snapshot.board.settings),
        }
        return welcome, snapshot.board.seq

    async def sync(self, session: Session, since: Any) -> None:
        """A client saw a gap: send what it missed, without reconnecting (rule S15)."""
        if isinstance(since, bool) or not isinstance(since, int) or since < 0:
            raise ProtocolError(ErrorCode.BAD_MESSAGE, "since must be a whole number >= 0")
        found = await self.ctx.store.batches_since(self.board_id, since)
        if found is not None:
            seq, missed = found
            body = {"catchup": [message_for(b, session.client) for b in missed]}
        else:
            snapshot = await self.ctx.store.snapshot(self.board_id)
            if snapshot is None:
                raise ProtocolError(ErrorCode.NOT_FOUND, "the board was deleted")
            seq = snapshot.board.seq
            body = {
                "objects": [
                    o for o in snapshot.objects if not hidden_from(Record(o), session.client)
                ]
            }
        session.send(encode({"type": "catchup", "seq": seq, **body}))

    async def leave(self, session: Session) -> None:
        if self.sessions.get(session.client) is not session:
            return
        del self.sessions[session.client]
        self._presence.pop(session.client, None)
        left = encode({"type": "peer_left", "client": session.client})
        self._send_others(session.client, left)
        await self._publish("leave", left, client=session.client)

    # --- batches ----------------------------------------------------------------------

    @staticmethod
    def session_info(settings: dict[str, Any]) -> dict[str, Any]:
        """The facilitation state as clients see it, with the server clock for skew."""
        return {
            "session": facilitation.current(settings),
            "agenda": settings.get("agenda", []),
            "now": int(time.time() * 1000),
        }

    def submit(self, session: Session, batch_id: str, ops: list[Op]) -> None:
        pending = PendingBatch(batch_id, session.client, session.name, ops, session.role)
        self._pending.append((session, pending, None))
        self._start_committer()

    async def submit_server(self, ops: list[Op], author: str) -> CommitResult:
        """Commit a server-made batch (as a facilitator) and wait for its result."""
        future: asyncio.Future[CommitResult] = asyncio.get_running_loop().create_future()
        batch_id = "srv-" + secrets.token_urlsafe(9)
        self._pending.append(
            (None, PendingBatch(batch_id, SERVER, author, ops, "facilitator"), future)
        )
        self._start_committer()
        return await future

    def _start_committer(self) -> None:
        if self._committer is None or self._committer.done():
            self._committer = asyncio.create_task(
                self._commit_loop(), name=f"commit-{self.board_id}"
            )

    async def _commit_loop(self) -> None:
        while self._pending:
            group, self._pending = self._pending[:MAX_GROUP], self._pending[MAX_GROUP:]
            started = time.perf_counter()
            try:
                results = await self.ctx.store.commit(self.board_id, [p for _, p, _ in group])
            except BoardGone:
                self.close_all(CloseCode.BOARD_DELETED, "the board was deleted")
                for _, _, waiter in group:
                    if waiter:
                        waiter.set_exception(ProtocolError(ErrorCode.NOT_FOUND, "board deleted"))
                return
            except Exception as exc:  # database down: refuse, never acknowledge
                log.warning("commit failed on a board: %s", type(exc).__name__)
                refusal = ProtocolError(ErrorCode.UNAVAILABLE, "not saved: storage unavailable")
                for session, pending, waiter in group:
                    if session:
                        session.send(error_message(refusal, pending.batch_id))
                    if waiter:
                        waiter.set_exception(refusal)
                continue
            self.ctx.metrics.observe_commit(time.perf_counter() - started)
            applied: list[LoggedBatch] = []
            for (session, pending, waiter), result in zip(group, results, strict=True):
                if waiter:
                    waiter.set_result(result)
                if result.applied is not None:
                    applied.append(result.applied)
                if session is None:
                    continue
                if result.status is CommitStatus.REFUSED:
                    assert result.error is not None
                    session.send(error_message(result.error, pending.batch_id))
                    continue
                ack = {
                    "type": "ack",
                    "batch": pending.batch_id,
                    "seq": result.seq,
                    "skipped": result.skipped,
                    # false: nothing changed, no seq was taken (seq is the board's current one)
                    "applied": result.status is not CommitStatus.NOOP,
                }
                session.send(encode(ack))
            encoded = [(logged, encode(public_message(logged))) for logged in applied]
            async with self._lock:  # once per group (docs/performance.md, proposal B)
                for logged, data in encoded:
                    await self._deliver(logged.seq, logged.client, data)
            for logged, data in encoded:
                await self._publish("ops", data, seq=logged.seq, client=logged.client)
            self.ctx.metrics.batches += len(applied)

    async def _deliver(self, seq: int, by: str, data: str) -> None:
        """Deliver one batch in seq order (caller holds the lock)."""
        if seq <= self.delivered:
            return
        if seq > self.delivered + 1:
            await self._fill_gap()
            if seq <= self.delivered:
                return
        for session in self.sessions.values():
            if session.client != by:  # the sender got its ack instead (rule S6)
                session.send_batch(seq, data)
        self.delivered = seq

    async def _fill_gap(self) -> None:
        found = await self.ctx.store.batches_since(self.board_id, self.delivered)
        if found is None:
            # History no longer reaches back: everyone reloads through a fresh join.
            self.close_all(CloseCode.SLOW_CONSUMER, "resync: reconnect with since")
            meta = await self.ctx.store.board(self.board_id)
            self.delivered = meta.seq if meta else self.delivered
            return
        for logged in found[1]:
            if logged.seq > self.delivered:
                await self._deliver(logged.seq, logged.client, encode(public_message(logged)))

    async def resync(self) -> None:
        """Catch up from the database (after Redis returns, or a suspected gap)."""
        async with self._lock:
            await self._fill_gap()

    # --- presence ---------------------------------------------------------------------

    def presence(self, session: Session, msg: Presence) -> None:
        body = {
            "type": "presence",
            "client": session.client,
            "name": session.name,
            "color": session.color,
            "cursor": msg.cursor,
            "selection": msg.selection,
            "editing": msg.editing,
            "view": msg.view,
        }
        self._presence[session.client] = encode(body)
        if self._presence_timer is None:
            loop = asyncio.get_running_loop()
            self._presence_timer = loop.call_later(PRESENCE_TICK, self._flush_presence)

    def _flush_presence(self) -> None:
        self._presence_timer = None
        pending, self._presence = self._presence, {}
        for client, data in pending.items():
            self._send_others(client, data)
            self.ctx.spawn(self._publish("presence", data, client=client))

    # --- fan-out ----------------------------------------------------------------------

    def _send_others(self, client: str, data: str) -> None:
        for session in self.sessions.values():
            if session.client != client:
                session.send(data)

    async def relay(self, kind: str, data: str, sender: str | None) -> None:
        """Send a message to this room (all but `sender`) and to the other processes."""
        if sender is None:
            self.send_all(data)
        else:
            self._send_others(sender, data)
        await self._publish(kind, data, client=sender or "")

    async def announce_session(self, settings: dict[str, Any]) -> None:
        await self._publish("session", encode({"settings": settings}))

    def send_all(self, data: str) -> None:
        for session in self.sessions.values():
            session.send(data)

    def close_all(self, code: int, reason: str, role: str | None = None) -> None:
        for session in list(self.sessions.values()):
            if role is None or session.role == role:
                session.close(code, reason)

    async def _publish(self, kind: str, data: str, *, seq: int = 0, client: str = "") -> None:
        await self.ctx.broker.publish(
            self.channel, bus_message(kind, self.origin, data, seq=seq, client=client)
        )

    async def _on_remote(self, message: bytes) -> None:
        header, _, data = message.decode().partition("\n")
        kind, origin, seq_text, client = header.split("|", 3)
        # Our own messages, and board-wide orders this process's hub already applied here.
        if origin in (self.origin, self.ctx.process_id):
            return
        if kind in ("peers", "join", "presence", "hello"):
            self._heard[origin] = time.monotonic()
        if kind == "ops":
            async with self._lock:
                await self._deliver(int(seq_text), client, data)
        elif kind == "presence":
            self._send_others(client, data)
        elif kind == "join":
            peer = orjson.loads(data)["peer"]
            self.remote_peers.setdefault(origin, {})[client] = peer
            self._send_others(client, data)
        elif kind == "leave":
            self.remote_peers.get(origin, {}).pop(client, None)
            self._send_others(client, data)
        elif kind == "hello":
            peers = [s.peer for s in self.sessions.values()]
            await self._publish("peers", encode(peers))
        elif kind == "peers":
            self.remote_peers[origin] = {p["client"]: p for p in orjson.loads(data)}
        elif kind == "board":
            self.send_all(data)
        elif kind == "session":
            self.settings = orjson.loads(data)["settings"]
            self.send_all(encode({"type": "session", **self.session_info(self.settings)}))
        elif kind == "summon":
            if client:
                self._send_others(client, data)
            else:
                self.send_all(data)
        elif kind == "close":
            order = orjson.loads(data)
            self.close_all(order["code"], order["reason"], order.get("role"))
