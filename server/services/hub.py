"""The process-wide registry of live rooms, and the use cases of a connection.

Owned by the app (no module-level state): `create_app` builds one Hub with a store
and a broker. The WebSocket transport calls `join`, `handle` and `leave`.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections import Counter
from collections.abc import Callable, Coroutine
from typing import Any

from server.config import Limits
from server.domain.errors import CloseCode, ErrorCode, ProtocolError
from server.domain.messages import Join, Ops, Other, Ping, Presence, decode, parse, request_id
from server.domain.ratelimit import Windowed

from .access import hash_token, role_for
from .bus import BusMessage, Kind, board_channel
from .metrics import Metrics
from .moderation import REMOVED_REASON, rotate_keeping_seats
from .ports import BoardMeta, BoardStore, Broker, CommitResult
from .quota import DiskFloor
from .reads import ReadBudget
from .room import Room, RoomContext, board_info
from .session import Session, color_for, encode, error_message
from .templates import TemplateCatalog

log = logging.getLogger("samskap.hub")
PONG = encode({"type": "pong"})
RESUME_BYTES = 24  # 192 bits: the secret that gives a seat back (rule S18)


def new_client_id() -> str:
    """A seat's public id; never starting with "_" (the server's own ids do)."""
    client = secrets.token_urlsafe(9)
    return "c" + client[1:] if client.startswith("_") else client


class Hub:
    def __init__(
        self,
        store: BoardStore,
        broker: Broker,
        limits: Limits,
        *,
        prefix: str = "samskap",
        templates: TemplateCatalog | None = None,
        clock: Callable[[], float] = time.monotonic,
        version: str = "",
        public_url: str = "",
        disk: DiskFloor | None = None,
    ) -> None:
        self.store = store
        self.disk = disk  # below its hard floor no edit is saved (storage_full)
        self.clock = clock  # for rate limits (a test gives its own, to replay a seed)
        self.templates = templates
        self.broker = broker
        self.limits = limits
        self.prefix = prefix
        self.process_id = secrets.token_hex(6)
        self.rooms: dict[str, Room] = {}
        self.metrics = Metrics()
        self.context = RoomContext(
            store,
            broker,
            self.metrics,
            self.process_id,
            prefix,
            templates,
            self.spawn,
            limits.peer_heartbeat_sec,
            version,
            public_url,
            ReadBudget(limits.heavy_reads, limits.heavy_read_bytes_per_sec),
            limits.board_bytes,
            limits.max_message_bytes,
        )
        self._opening: dict[str, asyncio.Future[Room | None]] = {}
        self._per_address: Counter[str] = Counter()
        self._joins = Windowed(limits.joins_per_minute, 60.0)
        # Per address as well as per socket, so reconnecting does not reset a limit (S3).
        self._address_ops = Windowed(int(limits.address_batches_per_sec), 1.0)
        self._address_presence = Windowed(int(limits.address_presence_per_sec), 1.0)
        self._tasks: set[asyncio.Task[Any]] = set()
        broker.on_reconnect(self._resync_all)

    # --- helpers ----------------------------------------------------------------------

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        """Run a background job that the hub keeps a reference to until it ends."""
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _resync_all(self) -> None:
        for room in list(self.rooms.values()):
            self.spawn(room.resync())

    @property
    def connections(self) -> int:
        return sum(len(room.sessions) for room in self.rooms.values())

    async def _room(self, board_id: str) -> Room | None:
        room = self.rooms.get(board_id)
        if room is not None:
            return room
        opening = self._opening.get(board_id)
        if opening is not None:
            return await asyncio.shield(opening)
        future: asyncio.Future[Room | None] = asyncio.get_running_loop().create_future()
        self._opening[board_id] = future
        try:
            room = Room(self.context, board_id)
            result = room if await room.open() else None
            if result is not None:
                self.rooms[board_id] = result
            future.set_result(result)
            return result
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # mark retrieved: waiters re-raise it themselves
            raise
        finally:
            del self._opening[board_id]

    async def _release(self, room: Room) -> None:
        if not room.sessions and self.rooms.get(room.board_id) is room:
            del self.rooms[room.board_id]
            await room.close()

    # --- connection lifecycle -----------------------------------------------------------

    def admit_address(self, address: str) -> None:
        """Connection and join-rate caps per client address (rule S4)."""
        if self._per_address[address] >= self.limits.connections_per_address:
            raise ProtocolError(ErrorCode.RATE_LIMITED, "too many connections from your address")
        if not self._joins.allow(address, self.clock()):
            raise ProtocolError(ErrorCode.RATE_LIMITED, "too many joins from your address")

    async def join(self, board_id: str, msg: Join, address: str) -> tuple[Session, Room]:
        hashes = await self.store.token_hashes(board_id)
        role = role_for(msg.token, hashes) if hashes else None
        if role is None:
            raise ProtocolError(ErrorCode.UNAUTHORIZED, "this link is not valid")
        room = await self._room(board_id)
        if room is None:
            raise ProtocolError(ErrorCode.UNAUTHORIZED, "this link is not valid")
        if len(room.sessions) >= self.limits.connections_per_board:
            await self._release(room)
            raise ProtocolError(ErrorCode.RATE_LIMITED, "this board is full")
        self._per_address[address] += 1
        try:
            client, resume, claimed = await self._seat(board_id, msg.resume)
            taken = {p["color"] for p in room.peers if p["client"] != client}
            color = color_for(client, taken)
            session = Session(client, msg.name, role, address, self.limits, color, self.clock)
            session.link_hash = hashes[role]
            session.fresh_seat = not claimed
            await room.join(session, msg.since, resume)
        except BaseException:
            self._per_address[address] -= 1
            await self._release(room)
            raise
        self.metrics.joins += 1
        self.spawn(self._record(board_id, "join", session, {"role": role}))
        return session, room

    async def _record(
        self, board_id: str, kind: str, session: Session, detail: dict[str, Any]
    ) -> None:
        """Note a join or leave for the activity view (rule A1); best effort."""
        try:
            await self.store.record(board_id, kind, session.client, session.name, detail)
        except Exception:
            log.warning("could not record %s in the activity log", kind)

    async def _seat(self, board_id: str, resume: str | None) -> tuple[str, str, bool]:
        """The seat this socket gets: the one its `resume` secret names, or a new one
        (client id, secret, whether an existing seat was claimed).

        `join.client` claims nothing: identity is what the server issued (rule S18).
        """
        if resume is not None:
            secret_hash = hash_token(resume)
            client = await self.store.claim_seat(board_id, secret_hash)
            if client is not None:
                return client, resume, True
            if await self.store.seat_removed(board_id, secret_hash):
                raise ProtocolError(ErrorCode.REMOVED, REMOVED_REASON)
        client, resume = new_client_id(), secrets.token_urlsafe(RESUME_BYTES)
        if not await self.store.add_seat(board_id, client, hash_token(resume)):
            raise ProtocolError(ErrorCode.NOT_FOUND, "the board was deleted")
        return client, resume, False

    @staticmethod
    def acted(session: Session) -> None:
        """The socket changed something (an edit, a vote, a command): its seat owns it."""
        session.acted = True

    async def leave(self, session: Session, room: Room) -> None:
        self._per_address[session.address] -= 1
        if self._per_address[session.address] <= 0:
            del self._per_address[session.address]
        await room.leave(session)
        self.spawn(self._record(room.board_id, "leave", session, {}))
        if session.fresh_seat and not session.acted and not room.present(session.client):
            # A seat that never owned anything leaves no row behind (a viewer, or a
            # stranger reconnecting in a loop); one claimed again since is kept.
            await self.store.drop_unused_seat(room.board_id, session.client)
        await self._release(room)

    async def handle(self, session: Session, room: Room, frame: str | bytes) -> None:
        """One frame from a joined client. Refusals become `error` messages."""
        batch: str | None = None
        req: str | None = None
        try:
            data = decode(frame)
            if isinstance(data.get("batch"), str):
                batch = data["batch"]
            req = request_id(data)
            msg = parse(data)
            if isinstance(msg, Ops):
                if session.role == "viewer":
                    raise ProtocolError(ErrorCode.FORBIDDEN, "viewers cannot edit")
                session.arrived(msg.batch)
                if not session.admit("ops") or not self._address_ops.allow(
                    session.address, self.clock()
                ):
                    limited = ProtocolError(ErrorCode.RATE_LIMITED, "too many batches: slow down")
                    session.hold_retries(msg.batch, limited)
                    raise limited
                session.in_order(msg.batch)  # after a refusal, nothing overtakes its resend
                ops = msg.parse()
                if self.disk is not None:
                    self.disk.check()
                await room.bytes.admit(len(frame), ops)  # SAMSKAP_LIMIT_BOARD_BYTES
                self.acted(session)
                room.submit(session, msg.batch, ops)
            elif isinstance(msg, Presence):
                if session.admit("presence") and self._address_presence.allow(
                    session.address, self.clock()
                ):
                    room.presence(session, msg)
            elif isinstance(msg, Ping):
                session.send(PONG if req is None else encode({"type": "pong", "req": req}))
            elif isinstance(msg, Join):
                raise ProtocolError(ErrorCode.BAD_MESSAGE, "already joined")
            else:
                assert isinstance(msg, Other)
                await self._other(session, room, msg, req)
        except ProtocolError as exc:
            self.metrics.error(exc.code.value)
            session.send(error_message(exc, batch, req))
        except Exception:
            # A bug must not silently drop a participant: log it, answer, keep the socket.
            log.exception("unexpected error handling a message")
            self.metrics.error("internal")
            refusal = ProtocolError(ErrorCode.BAD_MESSAGE, "the server could not process this")
            session.send(error_message(refusal, batch, req))

    async def _other(self, session: Session, room: Room, msg: Other, req: str | None) -> None:
        """Facilitation, voting and gap-filling messages."""
        if msg.type not in ("facilitate", "vote", "unvote", "sync"):
            raise ProtocolError(ErrorCode.BAD_MESSAGE, f"unknown message type {msg.type!r}")
        if not session.admit("sync" if msg.type == "sync" else "ops"):
            raise ProtocolError(ErrorCode.RATE_LIMITED, "too many messages: slow down")
        if msg.type == "sync":
            await room.sync(session, msg.body.get("since"), req)
        elif msg.type == "facilitate":
            self.acted(session)
            await room.facilitator.command(session, msg.body, req)
        else:
            self.acted(session)
            delta = 1 if msg.type == "vote" else -1
            await room.facilitator.vote(session, msg.body.get("id"), delta, req)

    # --- board-wide orders (HTTP API) ----------------------------------------------------

    async def announce(self, board_id: str, kind: str, data: str) -> None:
        """Tell every other process (the caller handles this process's room)."""
        if not self.broker.shared:
            return
        channel = board_channel(self.prefix, board_id)
        await self.broker.publish(channel, BusMessage(Kind(kind), self.process_id, data).encode())

    async def board_changed(self, meta: BoardMeta) -> None:
        data = encode({"type": "board", "board": board_info(meta)})
        room = self.rooms.get(meta.id)
        if room is not None:
            room.send_all(data)
        await self.announce(meta.id, "board", data)

    async def close_board_sessions(
        self, board_id: str, code: CloseCode, reason: str, role: str | None = None
    ) -> None:
        room = self.rooms.get(board_id)
        if room is not None:
            room.close_all(code, reason, role)
        order: dict[str, Any] = {"code": int(code), "reason": reason, "role": role}
        await self.announce(board_id, "close", encode(order))

    async def server_batch(self, board_id: str, ops: list[Any], author: str) -> CommitResult:
        """Commit a server-made batch through the board's room (opened for it if needed),
        so it reaches every socket on every process like any batch (rule V3)."""
        room = await self._room(board_id)
        if room is None:
            raise ProtocolError(ErrorCode.NOT_FOUND, "the board was deleted")
        try:
            return await room.submit_server(ops, author)
        finally:
            await self._release(room)

    async def rotate_keeping_seats(self, board_id: str, role: str) -> str:
        """A new link for `role` that closes nobody; its sockets get it (rule M6)."""
        token, data = await rotate_keeping_seats(self.store, board_id, role)
        room = self.rooms.get(board_id)
        if room is not None:
            room.send_link(role, data)
        await self.announce(board_id, "link", data)
        return token

    async def close(self) -> None:
        for room in list(self.rooms.values()):
            room.close_all(CloseCode.SERVICE_RESTART, "server restarting")
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        # Let them unwind (a query hands its connection back) before the store closes.
        if tasks:
            await asyncio.wait(tasks, timeout=2)
