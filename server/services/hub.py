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
from collections.abc import Coroutine
from typing import Any

from server.config import Limits
from server.domain.errors import CloseCode, ErrorCode, ProtocolError
from server.domain.messages import Join, Ops, Other, Ping, Presence, decode, parse
from server.domain.ratelimit import Windowed

from .access import role_for
from .metrics import Metrics
from .ports import BoardMeta, BoardStore, Broker
from .room import Room, RoomContext, board_channel, board_info, bus_message
from .session import Session, color_for, encode, error_message
from .templates import TemplateCatalog

log = logging.getLogger("samskap.hub")
PONG = encode({"type": "pong"})


class Hub:
    def __init__(
        self,
        store: BoardStore,
        broker: Broker,
        limits: Limits,
        *,
        prefix: str = "samskap",
        templates: TemplateCatalog | None = None,
    ) -> None:
        self.store = store
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
        if not self._joins.allow(address, time.monotonic()):
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
        # Ids starting with "_" are the server's own (`by` of server-made batches).
        free = msg.client and not msg.client.startswith("_") and msg.client not in room.sessions
        client = msg.client if free else None
        client = client or secrets.token_urlsafe(9)
        color = color_for(client, {peer["color"] for peer in room.peers})
        session = Session(client, msg.name, role, address, self.limits, color)
        self._per_address[address] += 1
        try:
            await room.join(session, msg.since)
        except BaseException:
            self._per_address[address] -= 1
            await self._release(room)
            raise
        self.metrics.joins += 1
        return session, room

    async def leave(self, session: Session, room: Room) -> None:
        self._per_address[session.address] -= 1
        if self._per_address[session.address] <= 0:
            del self._per_address[session.address]
        await room.leave(session)
        await self._release(room)

    async def handle(self, session: Session, room: Room, frame: str | bytes) -> None:
        """One frame from a joined client. Refusals become `error` messages."""
        batch: str | None = None
        try:
            data = decode(frame)
            if isinstance(data.get("batch"), str):
                batch = data["batch"]
            msg = parse(data)
            if isinstance(msg, Ops):
                if not session.admit("ops") or not self._address_ops.allow(
                    session.address, time.monotonic()
                ):
                    raise ProtocolError(ErrorCode.RATE_LIMITED, "too many batches: slow down")
                if session.role == "viewer":
                    raise ProtocolError(ErrorCode.FORBIDDEN, "viewers cannot edit")
                room.submit(session, msg.batch, msg.parse())
            elif isinstance(msg, Presence):
                if session.admit("presence") and self._address_presence.allow(
                    session.address, time.monotonic()
                ):
                    room.presence(session, msg)
            elif isinstance(msg, Ping):
                session.send(PONG)
            elif isinstance(msg, Join):
                raise ProtocolError(ErrorCode.BAD_MESSAGE, "already joined")
            else:
                assert isinstance(msg, Other)
                await self._other(session, room, msg)
        except ProtocolError as exc:
            self.metrics.error(exc.code.value)
            session.send(error_message(exc, batch))
        except Exception:
            # A bug must not silently drop a participant: log it, answer, keep the socket.
            log.exception("unexpected error handling a message")
            self.metrics.error("internal")
            refusal = ProtocolError(ErrorCode.BAD_MESSAGE, "the server could not process this")
            session.send(error_message(refusal, batch))

    async def _other(self, session: Session, room: Room, msg: Other) -> None:
        """Facilitation, voting and gap-filling messages."""
        if msg.type not in ("facilitate", "vote", "unvote", "sync"):
            raise ProtocolError(ErrorCode.BAD_MESSAGE, f"unknown message type {msg.type!r}")
        if not session.admit("ops"):
            raise ProtocolError(ErrorCode.RATE_LIMITED, "too many messages: slow down")
        if msg.type == "sync":
            await room.sync(session, msg.body.get("since"))
        elif msg.type == "facilitate":
            await room.facilitator.command(session, msg.body)
        else:
            delta = 1 if msg.type == "vote" else -1
            await room.facilitator.vote(session, msg.body.get("id"), delta)

    # --- board-wide orders (HTTP API) ----------------------------------------------------

    async def announce(self, board_id: str, kind: str, data: str) -> None:
        """Tell every other process (the caller handles this process's room)."""
        channel = board_channel(self.prefix, board_id)
        await self.broker.publish(channel, bus_message(kind, self.process_id, data))

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

    async def close(self) -> None:
        for room in list(self.rooms.values()):
            room.close_all(CloseCode.GOING_AWAY, "server shutting down")
        for task in list(self._tasks):
            task.cancel()
