"""The board WebSocket: handshake checks, the join, then a reader and a writer.

Invalid UTF-8 (→ 1007), compression (off) and a hard cap on frames (twice the message
limit → 1009) are enforced by the server's WebSocket implementation before any of this
runs; see `server.cli.uvicorn_options`. The message limit itself (512 KiB → 1009) is
checked here: a socket closed from the app finishes the closing handshake, so the
client reads the 1009. The WebSocket implementation closes the connection at once, with
the rest of the frame unread, and the kernel's reset can then wipe the close frame
before the client reads it (it sees 1006).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from server.domain.errors import CloseCode, ErrorCode, ProtocolError
from server.domain.messages import Join, decode, parse
from server.services.hub import Hub
from server.services.room import Room
from server.services.session import Session, error_message

from .security import client_address

log = logging.getLogger("samskap.ws")

# The close code for a join refused with this error (anything else: 4002, bad join).
JOIN_CLOSE = {
    ErrorCode.UNAUTHORIZED: CloseCode.UNAUTHORIZED,
    ErrorCode.NOT_FOUND: CloseCode.BOARD_DELETED,
    ErrorCode.RATE_LIMITED: CloseCode.FLOODING,
    ErrorCode.REMOVED: CloseCode.REMOVED,
    ErrorCode.TOO_LARGE: CloseCode.TOO_BIG,  # the join message itself was over the limit
}


async def _refuse(ws: WebSocket, exc: ProtocolError, code: int) -> None:
    with contextlib.suppress(Exception):
        await ws.send_text(error_message(exc))
        await ws.close(code, exc.message[:120])


def _frame(message: Mapping[str, Any]) -> str | bytes | None:
    text = message.get("text")
    data = message.get("bytes")
    return text if isinstance(text, str) else data if isinstance(data, bytes) else None


def over_limit(frame: str | bytes, limit: int) -> bool:
    """Is the frame longer than `limit` bytes on the wire (UTF-8)? Encodes only when
    the character count cannot tell (a character is 1 to 4 bytes)."""
    if isinstance(frame, bytes) or len(frame) > limit:
        return len(frame) > limit
    return len(frame) * 4 > limit and len(frame.encode()) > limit


def _too_big(limit: int) -> ProtocolError:
    return ProtocolError(ErrorCode.TOO_LARGE, f"a message is at most {limit:,} bytes")


async def _first_join(ws: WebSocket, wait: float, limit: int) -> Join:
    try:
        message = await asyncio.wait_for(ws.receive(), wait)
    except TimeoutError:
        raise ProtocolError(ErrorCode.BAD_MESSAGE, "send a join message first") from None
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message.get("code", 1000))
    frame = _frame(message)
    if frame is None:
        raise ProtocolError(ErrorCode.BAD_MESSAGE, "send a join message first")
    if over_limit(frame, limit):
        raise _too_big(limit)
    msg = parse(decode(frame))
    if not isinstance(msg, Join):
        raise ProtocolError(ErrorCode.BAD_MESSAGE, "the first message must be a join")
    return msg


# Where `ServerSend` leaves the server's own `send` in the scope.
SERVER_SEND = "samskap.server_send"


class ServerSend:
    """Keeps the server's `send` in a WebSocket's scope, for the board socket's frames.

    Placed first in the middleware chain. The middlewares after it look at a socket's
    handshake and close only, yet each wraps `send` in a coroutine of its own: four
    awaits for every frame, which the board socket's writer skips (one frame per
    receiver of every batch is the server's hottest path). The handshake and the close
    still go through the whole chain.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            scope[SERVER_SEND] = send
        await self.app(scope, receive, send)


async def _write(ws: WebSocket, session: Session) -> None:
    send = ws.scope.get(SERVER_SEND, ws.send)
    async for frame in session.frames():
        await send({"type": "websocket.send", "text": frame})


async def _read(ws: WebSocket, hub: Hub, session: Session, room: Room, limit: int) -> None:
    while not session.closed.done():
        message = await ws.receive()
        if message["type"] == "websocket.disconnect":
            return
        frame = _frame(message)
        if frame is None:
            continue
        if over_limit(frame, limit):
            session.close(CloseCode.TOO_BIG, _too_big(limit).message)
            return
        await hub.handle(session, room, frame)


async def board_socket(ws: WebSocket) -> None:
    state = ws.app.state
    hub: Hub = state.hub
    if not state.origins.allows(ws.headers.get("origin")):
        await ws.close(1008, "origin not allowed")  # before accept: the handshake gets 403
        return
    address = client_address(ws.scope, state.settings.trusted_proxies)
    limits = state.settings.limits
    await ws.accept()
    try:
        hub.admit_address(address)
        join = await _first_join(ws, limits.join_timeout_sec, limits.max_message_bytes)
    except ProtocolError as exc:
        await _refuse(ws, exc, JOIN_CLOSE.get(exc.code, CloseCode.BAD_JOIN))
        return
    except WebSocketDisconnect:
        return
    try:
        session, room = await hub.join(ws.path_params["board_id"], join, address)
    except ProtocolError as exc:
        await _refuse(ws, exc, JOIN_CLOSE.get(exc.code, CloseCode.BAD_JOIN))
        return
    reader = asyncio.create_task(_read(ws, hub, session, room, limits.max_message_bytes))
    writer = asyncio.create_task(_write(ws, session))
    try:
        await asyncio.wait((reader, writer, session.closed), return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (reader, writer):
            task.cancel()
        for task in (reader, writer):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await hub.leave(session, room)
    if session.closed.done() and ws.application_state is WebSocketState.CONNECTED:
        code, reason = session.closed.result()
        with contextlib.suppress(Exception):
            # Flush what is queued (the error that explains the close) before closing.
            for data in session.queued() if code != CloseCode.SLOW_CONSUMER else ():
                await ws.send_text(data)
            await ws.close(code, reason)
