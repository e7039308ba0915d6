"""The baseline relay: the practical limit of this stack for WebSocket fan-out.

Starlette + uvicorn (same options as `samskap serve`), one room, no validation, no
storage, no parsing: every text frame a client sends goes to every connected client,
the sender included (its echo stands in for Samskap's ack, so both servers write
one message per receiver per batch). Each connection has an outbox and a writer
that joins what is queued into one JSON array frame, as Samskap's sessions do, so
the comparison measures validation, storage and ordering, not framing.

    python bench/baseline_relay.py --port 8765    # ws://127.0.0.1:8765/ws
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib

import uvicorn
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket

MAX_FRAME_MESSAGES = 256


class Peer:
    def __init__(self, ws: WebSocket) -> None:
        self.ws = ws
        self.outbox: asyncio.Queue[str] = asyncio.Queue()

    async def write(self) -> None:
        while True:
            first = await self.outbox.get()
            batch = [first]
            while len(batch) < MAX_FRAME_MESSAGES and not self.outbox.empty():
                batch.append(self.outbox.get_nowait())
            frame = batch[0] if len(batch) == 1 else "[" + ",".join(batch) + "]"
            await self.ws.send({"type": "websocket.send", "text": frame})


PEERS: set[Peer] = set()


async def relay(ws: WebSocket) -> None:
    await ws.accept()
    peer = Peer(ws)
    PEERS.add(peer)
    writer = asyncio.create_task(peer.write())
    try:
        while True:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect":
                return
            text = message.get("text")
            if text is None:
                continue
            for other in PEERS:
                other.outbox.put_nowait(text)
    finally:
        PEERS.discard(peer)
        writer.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await writer


async def index(_request: object) -> PlainTextResponse:
    return PlainTextResponse("relay")


app = Starlette(routes=[Route("/", index), WebSocketRoute("/ws", relay)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=args.port,
        log_level="warning",
        ws_max_size=512 * 1024,
        ws_per_message_deflate=False,
        ws_ping_interval=20.0,
        ws_ping_timeout=20.0,
        server_header=False,
    )


if __name__ == "__main__":
    main()
