"""The shipped page sync engine (under Node) on a real WebSocket to a real server.

`NodePages` runs `web/js/store.js` + `web/js/sync/engine.js` as the browser builds
them; `LivePage` is its socket: it sends what the page sends and hands the page every
message the server sends (arrays unpacked), so a test sees what a person's page does.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

import orjson
import websockets

from tests.support.jsengine import NodePages


class LivePage:
    def __init__(self, pages: NodePages, name: str, url: str, board_id: str, token: str) -> None:
        self.pages = pages
        self.name = name
        self.ws_url = url.replace("http", "ws", 1) + f"/ws/boards/{board_id}"
        self.token = token
        self.ws: Any = None
        self.closed: int | None = None

    async def open(self) -> None:
        self.pages.call("token", token=self.token)
        self.pages.call("new", self.name)
        self.ws = await websockets.connect(self.ws_url, max_size=None, compression=None)
        out, _ = self.pages.call("open", self.name)
        await self._send(out)
        await self.until(lambda s: s["client"] is not None)

    async def _send(self, frames: list[str]) -> None:
        for frame in frames:
            await self.ws.send(frame)

    def state(self) -> dict[str, Any]:
        return self.pages.call("state", self.name)[1]  # type: ignore[no-any-return]

    async def edit(self, ops: list[dict[str, Any]]) -> str:
        out, batch = self.pages.call("edit", self.name, ops=ops)
        await self._send(out)
        return str(batch)

    async def until(self, done: Any, timeout: float = 10.0) -> dict[str, Any]:
        """Deliver the server's messages to the page until `done(state)` holds."""
        deadline = time.monotonic() + timeout
        while True:
            state = self.state()
            if done(state):
                return state
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"page {self.name} never got there: {state['pending']}")
            try:
                frame = await asyncio.wait_for(self.ws.recv(), left)
            except TimeoutError:
                continue
            except websockets.ConnectionClosed as exc:
                self.closed = exc.rcvd.code if exc.rcvd else None
                raise
            data = orjson.loads(frame)
            for message in data if isinstance(data, list) else [data]:
                out, _ = self.pages.call("recv", self.name, msg=message)
                await self._send(out)

    async def settled(self, timeout: float = 10.0) -> dict[str, Any]:
        """Until nothing is pending: every batch acknowledged or refused for good."""
        return await self.until(lambda s: not s["pending"], timeout)

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            self.pages.call("close", self.name)
        if self.ws is not None:
            await self.ws.close()
