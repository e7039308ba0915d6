"""A small protocol client for tests and benches: real WebSockets, explicit waits."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable
from typing import Any

import orjson
import websockets

from server.domain.objects import validate_new, validate_patch

Message = dict[str, Any]


def normalised(op: Message) -> Message:
    """An own op as the server stored it (defaults filled in, colours lower-cased)."""
    if op["op"] == "create":
        return {"op": "create", "object": validate_new(op["object"])}
    if op["op"] == "update":
        return {"op": "update", "id": op["id"], "set": validate_patch(op["set"])}
    return op


def new_id(prefix: str = "") -> str:
    return prefix + secrets.token_urlsafe(9)


class Client:
    """One participant. Incoming messages are unpacked (arrays too) into a queue."""

    def __init__(self, ws: websockets.ClientConnection) -> None:
        self.ws = ws
        self.inbox: asyncio.Queue[Message] = asyncio.Queue()
        self.seen: list[Message] = []
        self.welcome: Message = {}
        self.objects: dict[str, Message] = {}
        self.seq = 0
        self._buffer: dict[int, list[Message]] = {}
        self._sent: dict[str, list[Message]] = {}
        self._reader = asyncio.create_task(self._read())

    @classmethod
    async def connect(
        cls,
        base_url: str,
        board_id: str,
        token: str,
        *,
        name: str = "Test",
        since: int | None = None,
        client: str | None = None,
        resume: str | None = None,
        origin: str | None = None,
        expect_welcome: bool = True,
        objects: dict[str, Message] | None = None,
        ssl: Any = None,
    ) -> Client:
        ws_url = base_url.replace("http", "ws", 1) + f"/ws/boards/{board_id}"
        headers = {"Origin": origin} if origin else None
        ws = await websockets.connect(
            ws_url, additional_headers=headers, max_size=None, compression=None, ssl=ssl
        )
        self = cls(ws)
        join: Message = {"type": "join", "token": token, "name": name}
        if since is not None:
            join["since"] = since
        if client is not None:
            join["client"] = client
        if resume is not None:
            join["resume"] = resume
        await self.send(join)
        if expect_welcome:
            self.welcome = await self.expect("welcome")
            if "objects" in self.welcome:
                self.seq = self.welcome["seq"]
                self.objects = {o["id"]: o for o in self.welcome["objects"]}
            else:  # a catch-up continues from `since` on the caller's copy
                self.seq = since or 0
                self.objects = {k: dict(v) for k, v in (objects or {}).items()}
                for batch in self.welcome.get("catchup", []):
                    self.apply(batch)
        return self

    @property
    def me(self) -> str:
        return str(self.welcome["you"]["client"])

    @property
    def resume(self) -> str:
        """This seat's secret (rule S18): give it to `connect` to get the seat back."""
        return str(self.welcome["you"]["resume"])

    async def _read(self) -> None:
        try:
            async for frame in self.ws:
                data = orjson.loads(frame)
                for message in data if isinstance(data, list) else [data]:
                    await self.inbox.put(message)
        except websockets.ConnectionClosed:
            pass
        finally:
            await self.inbox.put({"type": "_closed"})

    async def send(self, message: Message) -> None:
        await self.ws.send(orjson.dumps(message).decode())

    async def request(self, message: Message, timeout: float = 5.0) -> Message:
        """Send a message with a fresh `req` and wait for the reply that echoes it."""
        req = new_id("r")
        await self.send({**message, "req": req})
        return await self.expect_reply(req, timeout)

    async def expect_reply(self, req: str, timeout: float = 5.0) -> Message:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            message = await self.next(max(0.01, deadline - loop.time()))
            if message.get("req") == req:
                return message
            if message.get("type") == "_closed":
                raise ConnectionError(f"closed while waiting for reply {req}")

    async def send_raw(self, frame: str | bytes) -> None:
        await self.ws.send(frame)

    async def next(self, timeout: float = 5.0) -> Message:
        message = await asyncio.wait_for(self.inbox.get(), timeout)
        self.seen.append(message)
        if message.get("type") == "ops":
            self.apply(message)
        elif message.get("type") == "ack" and message.get("applied"):
            ops = self._sent.get(message["batch"], [])
            skipped = set(message["skipped"])
            self._buffer[message["seq"]] = [
                normalised(op) for i, op in enumerate(ops) if i not in skipped
            ]
            self._advance()
        return message

    async def expect(
        self, kind: str, where: Callable[[Message], bool] | None = None, timeout: float = 5.0
    ) -> Message:
        """Wait for the next message of `kind` (matching `where`), skipping others."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"no {kind} message within {timeout}s")
            message = await self.next(remaining)
            if message.get("type") == kind and (where is None or where(message)):
                return message
            if message.get("type") == "_closed" and kind != "_closed":
                raise ConnectionError(f"closed while waiting for {kind}: {self.close_code}")

    async def next_of(self, kinds: tuple[str, ...], timeout: float = 5.0) -> Message:
        """The next message whose type is one of `kinds`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            message = await self.next(max(0.01, deadline - loop.time()))
            if message.get("type") in kinds:
                return message

    def apply(self, message: Message) -> None:
        """Apply a broadcast or catch-up batch to the local copy, strictly in seq order."""
        self._buffer[message["seq"]] = message["ops"]
        self._advance()

    def _advance(self) -> None:
        while self.seq + 1 in self._buffer:
            self.seq += 1
            self.apply_ops(self._buffer.pop(self.seq))
        for seq in [s for s in self._buffer if s <= self.seq]:
            del self._buffer[seq]

    def apply_ops(self, ops: list[Message]) -> None:
        for op in ops:
            if op["op"] == "create":
                self.objects[op["object"]["id"]] = dict(op["object"])
            elif op["op"] == "update" and op["id"] in self.objects:
                self.objects[op["id"]].update(op["set"])
            elif op["op"] == "delete":
                self.objects.pop(op["id"], None)

    async def ops(self, ops: list[Message], batch: str | None = None) -> Message:
        """Send a batch and wait for its ack or error (the reply names the batch)."""
        batch = batch or new_id("b")
        await self.send({"type": "ops", "batch": batch, "ops": ops})
        self._sent[batch] = ops
        return await self._reply(batch)

    async def _reply(self, batch: str, timeout: float = 10.0) -> Message:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            message = await self.next(max(0.01, deadline - loop.time()))
            if message.get("batch") == batch and message.get("type") in ("ack", "error"):
                return message
            if message.get("type") == "_closed":
                raise ConnectionError(f"closed while waiting for batch {batch}")

    async def wait_seq(self, seq: int, timeout: float = 10.0) -> None:
        """Read until this client has applied everything up to `seq`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self.seq < seq:
            await self.next(max(0.01, deadline - loop.time()))

    @property
    def close_code(self) -> int | None:
        return self.ws.close_code

    async def wait_closed(self, timeout: float = 5.0) -> int | None:
        await asyncio.wait_for(self.ws.wait_closed(), timeout)
        return self.ws.close_code

    async def close(self) -> None:
        await self.ws.close()
        self._reader.cancel()
