"""A board's live room in one process: its sockets, joining and leaving, and fan-out.

The room composes three parts with one job each: `CommitQueue` (batches in, group
commits, results out), `Delivery` (one rising `seq` stream per socket, gaps filled from
the database) and `PeerDirectory` (who is on the board in other processes). What it
says to other processes is a typed `BusMessage`.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

import orjson

from server.domain import facilitation
from server.domain.errors import CloseCode, ErrorCode, ProtocolError
from server.domain.messages import Presence
from server.domain.ops import MAX_OPS_PER_BATCH, Op
from server.domain.restore import AUTO_EVERY_MS

from .access import hash_token
from .anonymity import for_role, sees_names, unnamed
from .bus import BusMessage, Kind, board_channel
from .committer import SERVER, CommitQueue
from .delivery import Delivery, private_messages, public_message
from .facilitator import Facilitator
from .metrics import Metrics
from .moderation import REMOVED_REASON
from .peers import Peer, PeerDirectory
from .ports import BoardMeta, BoardStore, Broker, CommitResult, LoggedBatch
from .quota import BoardBytes
from .reads import BoardReads, ReadBudget, with_raw
from .session import Session, encode
from .templates import TemplateCatalog

log = logging.getLogger("samskap.room")

PRESENCE_TICK = 0.04  # seconds: presence is coalesced, the latest wins
AUTO_CHECK_SEC = 60.0  # how often a changing board asks whether a version is due

__all__ = ["SERVER", "Room", "RoomContext", "board_channel", "board_info"]


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
    version: str = ""  # the server's version, told to every page in its welcome
    public_url: str = ""  # links the facilitator is given are built on it
    # Big snapshot and catch-up reads at once in this process (reads.py).
    heavy_reads: ReadBudget = field(default_factory=lambda: ReadBudget(2, 0))
    board_bytes: int = 0  # SAMSKAP_LIMIT_BOARD_BYTES for live edits (0: no limit)
    message_bytes: int = 512 * 1024  # SAMSKAP_LIMIT_MAX_MESSAGE_BYTES, told in the welcome


def board_info(meta: BoardMeta) -> dict[str, Any]:
    return {"id": meta.id, "title": meta.title, "settings": meta.settings}


def with_req(message: dict[str, Any], req: str | None) -> dict[str, Any]:
    """A reply echoes the `req` of the message that caused it."""
    return message if req is None else {**message, "req": req}


class Room:
    def __init__(self, context: RoomContext, board_id: str) -> None:
        self.ctx = context
        self.board_id = board_id
        # Each room instance publishes under its own origin: a room that closed while
        # its last batches were committing still reaches the next room for this board
        # in the same process (its messages are not mistaken for this room's own).
        self.origin = f"{context.process_id}.{secrets.token_hex(4)}"
        self.channel = board_channel(context.prefix, board_id)
        self.sessions: dict[str, Session] = {}  # seat (client id) -> its one socket
        self.directory = PeerDirectory()
        self.delivery = Delivery(
            context.store, board_id, self.sessions, self.close_all, context.metrics
        )
        self.reads = BoardReads(context.store, board_id, context.heavy_reads)
        self.bytes = BoardBytes(context.store, board_id, context.board_bytes)
        self.commits = CommitQueue(
            context.store,
            board_id,
            self.delivery,
            context.metrics,
            publish=self._publish_batches,
            close_all=self.close_all,
        )
        self._heartbeat: asyncio.Task[None] | None = None
        self._presence: dict[str, dict[str, Any]] = {}
        self._presence_timer: asyncio.TimerHandle | None = None
        self.anonymous = False  # rule M7: others' names only to facilitators
        self._settings: dict[str, Any] = {}
        self.facilitator = Facilitator(self)
        self.removed: set[str] = set()  # seats removed while this room was open
        self._auto_checked = time.monotonic()  # the first check a minute after opening

    async def open(self) -> bool:
        """Subscribe first, then learn the board's seq: nothing falls in between."""
        async with self.delivery.lock:
            await self.ctx.broker.subscribe(self.channel, self._on_remote)
            meta = await self.ctx.store.board(self.board_id)
            if meta is None:
                await self.ctx.broker.unsubscribe(self.channel, self._on_remote)
                return False
            self.delivery.delivered = meta.seq
            self.settings = meta.settings
        await self.ctx.store.touch(self.board_id)  # for `samskap purge`: when last opened
        await self._publish(Kind.HELLO)
        self._heartbeat = asyncio.create_task(self._beat(), name=f"peers-{self.board_id}")
        return True

    async def close(self) -> None:
        self.bytes.close()
        await self.delivery.close()
        if self._presence_timer:
            self._presence_timer.cancel()
        if self._heartbeat:
            self._heartbeat.cancel()
        await self.ctx.broker.unsubscribe(self.channel, self._on_remote)

    async def _beat(self) -> None:
        """Announce our people now and then, and forget processes that went silent.

        A process that crashes never says `leave`; without this its people would stay
        "online" in every other process until the board's room closed.
        """
        interval = self.ctx.peer_heartbeat
        while True:
            await asyncio.sleep(interval)
            await self._announce_peers()
            for peer in self.directory.expire(time.monotonic() - 3 * interval):
                self._tell_left(peer)

    @property
    def settings(self) -> dict[str, Any]:
        return self._settings

    @settings.setter
    def settings(self, value: dict[str, Any]) -> None:
        """New board settings; when anonymous mode flips, every socket here gets the
        people list again, with or without names (rule M7)."""
        was, self._settings = self.anonymous, value
        self.anonymous = facilitation.is_anonymous(value)
        if was != self.anonymous:
            for session in self.sessions.values():
                others = [p for p in self.peers if p["client"] != session.client]
                self._send_to(session, {"type": "peers", "peers": others})

    @property
    def store(self) -> BoardStore:
        return self.ctx.store

    @property
    def templates(self) -> TemplateCatalog | None:
        return self.ctx.templates

    @property
    def public_url(self) -> str:
        return self.ctx.public_url

    @property
    def delivered(self) -> int:
        return self.delivery.delivered

    @property
    def peers(self) -> list[Peer]:
        local = [s.peer for s in self.sessions.values()]
        seen = {p["client"] for p in local}
        remote = [p for p in self.directory.peers if p["client"] not in seen]
        return local + remote

    def present(self, client: str) -> bool:
        return client in self.sessions or any(p["client"] == client for p in self.directory.peers)

    # --- joining and leaving ----------------------------------------------------------

    async def join(self, session: Session, since: int | None, resume: str) -> None:
        """Register, then send a welcome with a snapshot or the missed batches.

        A seat has one socket: an older one on this seat, here or in another process,
        is closed with 4009 (rule S18).
        """
        session.seat = await self.ctx.store.seat_number(self.board_id, session.client)
        older = self.sessions.get(session.client)
        self.sessions[session.client] = session
        try:
            welcome, base = await self._welcome(session, since, resume)
        except BaseException:
            if self.sessions.get(session.client) is session:
                del self.sessions[session.client]
                if older is not None:
                    self.sessions[session.client] = older
            raise
        if older is not None and older is not session:
            older.close(CloseCode.REPLACED, "this board was opened in another tab or window")
        await self._publish(Kind.SEAT, client=session.client, conn=session.conn)
        session.start(welcome, base)
        await self.facilitator.after_join(session)
        joined = {"type": "peer_joined", "peer": session.peer}
        self.send_people(joined, skip=session.client)
        await self._publish(Kind.JOIN, encode(joined), client=session.client, conn=session.conn)

    async def _welcome(self, session: Session, since: int | None, resume: str) -> tuple[str, int]:
        """The welcome as text: big snapshots and catch-ups are built off the event
        loop, one per board at a time, from the stored JSON (`reads.py`)."""
        others = [p for p in self.peers if p["client"] != session.client]
        you = {**session.peer, "resume": resume}  # the secret goes to this socket only
        welcome: dict[str, Any] = {
            "type": "welcome",
            "version": self.ctx.version,  # a page offers a reload when this changes
            "you": you,
            "peers": others,
            # A page refuses a batch over this itself rather than send it (closed: 1009).
            "limits": {"message_bytes": self.ctx.message_bytes, "ops_per_batch": MAX_OPS_PER_BATCH},
        }
        if since is not None:
            found = await self.reads.catchup(session.client, since)
            meta = await self.ctx.store.board(self.board_id)
            if found is not None and meta is not None:
                seq, missed = found
                welcome |= {
                    "board": board_info(meta),
                    "seq": seq,
                    **self.session_info(meta.settings),
                }
                await self.reads.pace(missed)  # a big reply waits its turn in the process
                return with_raw(self._for(session, welcome), {"catchup": missed}), seq
        snapshot = await self.reads.snapshot(session.client)
        if snapshot is None:
            raise ProtocolError(ErrorCode.NOT_FOUND, "the board was deleted")
        board, objects = snapshot
        await self.reads.pace(objects)
        welcome |= {
            "board": board_info(board),
            "seq": board.seq,
            **self.session_info(board.settings),
        }
        return with_raw(self._for(session, welcome), {"objects": objects}), board.seq

    def _for(self, session: Session, welcome: dict[str, Any]) -> dict[str, Any]:
        """The welcome's people as this socket may see them (rule M7)."""
        settings = welcome["board"]["settings"]
        anonymous = self.anonymous or facilitation.is_anonymous(settings)
        return for_role(welcome, session.role, anonymous)

    async def sync(self, session: Session, since: Any, req: str | None = None) -> None:
        """A client saw a gap: send what it missed, without reconnecting (rule S15).

        Read (and, when big, paced) off the delivery lock: a big read must not hold this
        board's acks. Sent under it, so the reply takes its place in the socket's
        stream: nothing it covers arrives again after it, nothing newer before. If the
        stream moved past the reply meanwhile, a second `catchup` (no `req`) with the
        batches in between follows it at once.
        """
        if isinstance(since, bool) or not isinstance(since, int) or since < 0:
            raise ProtocolError(ErrorCode.BAD_MESSAGE, "since must be a whole number >= 0")
        seq, data = await self._catchup(session, since, req)
        await self.reads.pace(data)  # a big board's replies wait their turn in the process
        async with self.delivery.lock:
            more = None
            if seq < self.delivery.delivered:
                found = await self.reads.catchup(session.client, seq, cache=False)
                if found is None:  # the log was trimmed meanwhile: read all again, here
                    seq, data = await self._catchup(session, since, req)
                else:
                    seq, missed = found
                    more = with_raw({"type": "catchup", "seq": seq}, {"catchup": missed})
            if seq > self.delivery.delivered:
                await self.delivery.fill_gap()  # so nothing below `seq` follows the reply
            session.send(data, reply=True)
            if more is not None:
                session.send(more, reply=True)

    async def _catchup(self, session: Session, since: int, req: str | None) -> tuple[int, str]:
        found = await self.reads.catchup(session.client, since)
        if found is not None:
            seq, missed = found
            body = {"catchup": missed}
        else:
            snapshot = await self.reads.snapshot(session.client)
            if snapshot is None:
                raise ProtocolError(ErrorCode.NOT_FOUND, "the board was deleted")
            seq, body = snapshot[0].seq, {"objects": snapshot[1]}
        return seq, with_raw(with_req({"type": "catchup", "seq": seq}, req), body)

    async def leave(self, session: Session) -> None:
        if self.sessions.get(session.client) is session:
            del self.sessions[session.client]
            self._presence.pop(session.client, None)
        left = encode({"type": "peer_left", "client": session.client, "conn": session.conn})
        if not self.present(session.client):
            self.send_others(session, left)
        await self._publish(Kind.LEAVE, left, client=session.client, conn=session.conn)

    def _tell_left(self, peer: Peer) -> None:
        if not self.present(peer["client"]):
            left = {"type": "peer_left", "client": peer["client"], "conn": peer["conn"]}
            self.send_all(encode(left))

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
        self.commits.submit(session, batch_id, ops)

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        """Run a background job the hub keeps, and cancels when it closes."""
        self.ctx.spawn(coro)

    async def submit_server(self, ops: list[Op], author: str) -> CommitResult:
        """Commit a server-made batch (as a facilitator) and wait for its result."""
        return await self.commits.submit_server(ops, author)

    async def _publish_batches(self, applied: list[tuple[LoggedBatch, str]]) -> None:
        now = time.monotonic()
        if now - self._auto_checked >= AUTO_CHECK_SEC:  # the board changes (rule V5)
            self._auto_checked = now
            self.ctx.spawn(self._auto_version())
        if applied:
            self.facilitator.board_changed()  # hidden notes counted for the facilitator (F6)
        if not self.ctx.broker.shared:
            return
        for logged, data in applied:
            kind = Kind.OPS
            if private_messages(logged):
                kind, data = Kind.OPS_PRIVATE, encode(logged.message())
            await self._publish(
                kind, data, seq=logged.seq, batch=logged.batch_id, client=logged.client
            )

    async def _auto_version(self) -> None:
        """A version every 10 minutes while the board changes, on whichever process."""
        since = int(time.time() * 1000) - AUTO_EVERY_MS
        try:
            await self.ctx.store.save_version(self.board_id, "auto", "", "", unless_since=since)
        except Exception:
            log.exception("could not save an automatic version")

    async def resync(self) -> None:
        """Catch up from the database (after Redis returns, or a suspected gap)."""
        await self.delivery.resync()

    # --- presence ---------------------------------------------------------------------

    def presence(self, session: Session, msg: Presence) -> None:
        body = {
            "type": "presence",
            "client": session.client,
            "name": session.name,
            "seat": session.seat,
            "color": session.color,
            "cursor": msg.cursor,
            "selection": msg.selection,
            "editing": msg.editing,
            "view": msg.view,
        }
        self._presence[session.client] = body
        if self._presence_timer is None:
            loop = asyncio.get_running_loop()
            self._presence_timer = loop.call_later(PRESENCE_TICK, self._flush_presence)

    def _flush_presence(self) -> None:
        self._presence_timer = None
        pending, self._presence = self._presence, {}
        for client, body in pending.items():
            sender = self.sessions.get(client)
            if sender is None:
                continue  # left meanwhile: no presence from someone not here
            data = self.send_people(body, skip=client)
            self.ctx.spawn(self._publish(Kind.PRESENCE, data, client=client, conn=sender.conn))

    async def _announce_peers(self) -> None:
        await self._publish(Kind.PEERS, encode([s.peer for s in self.sessions.values()]))

    # --- fan-out ----------------------------------------------------------------------

    def send_people(self, message: dict[str, Any], skip: str | None = None) -> str:
        """Send a message that names a person to every socket but seat `skip`: with the
        name to facilitators, without it to the others in anonymous mode (rule M7).
        Returns the named text (what goes on the bus)."""
        named = encode(message)
        hidden = encode(unnamed(message)) if self.anonymous else named
        for session in self.sessions.values():
            if session.client != skip:
                session.send(named if sees_names(session.role, self.anonymous) else hidden)
        return named

    def _send_to(self, session: Session, message: dict[str, Any]) -> None:
        session.send(encode(for_role(message, session.role, self.anonymous)))

    def send_session(self, info: dict[str, Any], skip: Session | None = None) -> None:
        """A `session` message to every socket but `skip` (the follow leader's name
        only to facilitators in anonymous mode, rule M7)."""
        self.send_people(info, skip=None if skip is None else skip.client)

    def send_others(self, sender: Session | None, data: str) -> None:
        for session in self.sessions.values():
            if session is not sender:
                session.send(data)

    def _send_except_client(self, client: str, data: str) -> None:
        for session in self.sessions.values():
            if session.client != client:
                session.send(data)

    async def relay(self, kind: str, data: str, sender: str | None) -> None:
        """Send a message to this room (all but `sender`) and to the other processes."""
        if kind == "summon":  # it names the facilitator (rule M7)
            self.send_people(orjson.loads(data), skip=sender)
        elif sender is None:
            self.send_all(data)
        else:
            self._send_except_client(sender, data)
        await self._publish(Kind(kind), data, client=sender or "")

    async def announce_session(self, settings: dict[str, Any]) -> None:
        await self._publish(Kind.SESSION, encode({"settings": settings}))

    def send_all(self, data: str) -> None:
        for session in self.sessions.values():
            session.send(data)

    # --- moderation (rules M5, M6) ---------------------------------------------------

    async def remove_seat_sockets(self, client: str) -> None:
        """Close a removed seat's sockets here and on every other process (4010)."""
        self._close_removed(client)
        await self._publish(Kind.REMOVE, client=client)

    def _close_removed(self, client: str) -> None:
        self.removed.add(client)
        session = self.sessions.get(client)
        if session is not None:
            session.close(CloseCode.REMOVED, REMOVED_REASON)

    async def announce_link(self, role: str, data: str) -> None:
        self.send_link(role, data)
        await self._publish(Kind.LINK, data)

    def send_link(self, role: str, data: str) -> None:
        """The new link of `role` to its sockets, never to a removed seat's. Those sockets
        now hold the new link: their commits pass the link re-check (S13)."""
        new_hash = hash_token(orjson.loads(data)["token"])
        for session in self.sessions.values():
            if session.role == role and session.client not in self.removed:
                session.link_hash = new_hash
                session.send(data)

    def close_all(self, code: int, reason: str, role: str | None = None) -> None:
        for session in list(self.sessions.values()):
            if role is None or session.role == role:
                session.close(code, reason)

    async def _publish(
        self,
        kind: Kind,
        data: str = "",
        *,
        seq: int = 0,
        batch: str = "",
        client: str = "",
        conn: str = "",
    ) -> None:
        if not self.ctx.broker.shared:
            return  # nobody else could hear it
        message = BusMessage(kind, self.origin, data, seq, batch, client, conn)
        await self.ctx.broker.publish(self.channel, message.encode())

    async def _on_remote(self, raw: bytes) -> None:
        try:
            message = BusMessage.decode(raw)
        except (ValueError, KeyError, orjson.JSONDecodeError):
            log.warning("ignored a malformed pub/sub message on a board channel")
            return
        # Our own messages, and board-wide orders this process's hub already applied here.
        if message.origin in (self.origin, self.ctx.process_id):
            return
        await self._dispatch(message)

    async def _dispatch(self, message: BusMessage) -> None:
        kind, origin, data = message.kind, message.origin, message.data
        if kind in (Kind.PEERS, Kind.JOIN, Kind.PRESENCE, Kind.HELLO):
            self.directory.heard(origin, time.monotonic())
        if kind in (Kind.OPS, Kind.OPS_PRIVATE):
            self.facilitator.board_changed()
        if kind is Kind.OPS:
            async with self.delivery.lock:
                self.delivery.deliver(message.seq, message.batch, data)
        elif kind is Kind.OPS_PRIVATE:
            whole = orjson.loads(data)
            logged = LoggedBatch(message.seq, message.batch, message.client, whole["ops"])
            async with self.delivery.lock:
                self.delivery.deliver(
                    message.seq,
                    message.batch,
                    encode(public_message(logged)),
                    (),
                    private_messages(logged),
                )
        elif kind is Kind.PRESENCE:
            if self.anonymous:
                self.send_people(orjson.loads(data), skip=message.client)
            else:
                self._send_except_client(message.client, data)
        elif kind is Kind.JOIN:
            joined = orjson.loads(data)
            self.directory.joined(origin, joined["peer"])
            self.send_people(joined, skip=message.client)
        elif kind is Kind.LEAVE:
            peer = self.directory.left(origin, message.conn)
            if peer is not None:
                self._tell_left(peer)
        elif kind is Kind.SEAT:
            here = self.sessions.get(message.client)
            if here is not None and here.conn != message.conn:
                here.close(CloseCode.REPLACED, "this board was opened in another tab or window")
        elif kind is Kind.HELLO:
            await self._announce_peers()
        elif kind is Kind.PEERS:
            changes = self.directory.reconcile(origin, orjson.loads(data))
            for peer in changes.joined:
                if peer["client"] not in self.sessions:
                    self.send_people({"type": "peer_joined", "peer": peer})
            for peer in changes.left:
                self._tell_left(peer)
        elif kind is Kind.BOARD:
            self.send_all(data)
        elif kind is Kind.SESSION:
            self.settings = orjson.loads(data)["settings"]
            self.send_session({"type": "session", **self.session_info(self.settings)})
        elif kind is Kind.SUMMON:
            self.send_people(orjson.loads(data), skip=message.client or None)
        elif kind is Kind.CLOSE:
            order = orjson.loads(data)
            self.close_all(order["code"], order["reason"], order.get("role"))
        elif kind is Kind.REMOVE:
            self._close_removed(message.client)
        elif kind is Kind.LINK:
            self.send_link(orjson.loads(data)["role"], data)
