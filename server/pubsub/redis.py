"""Redis pub/sub between app processes.

Redis is a hint, not the truth: a message lost while Redis is away is recovered
from the database, because every room resyncs by `seq` when the connection returns
(the `on_reconnect` callbacks).
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import os
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import hiredis
from redis.asyncio import Redis
from redis.exceptions import RedisError

from server.services.ports import Handler

from .resp import RespConnection

log = logging.getLogger("samskap.redis")
MAX_OUTGOING = 50_000
PUBLISH_TIMEOUT = 10.0  # a flush waits this long for Redis's replies, then reconnects
KEEPALIVE = "samskap:__keepalive__"
# A subscriber that has heard nothing this long sends PING; no answer in as long again
# and the connection counts as dead. A network path that drops silently (a NAT or a
# firewall forgetting the connection) otherwise looks like a quiet Redis for ever, and
# this process would stop hearing the others' edits and people without noticing.
HEALTH_INTERVAL = 15.0


class RedisBroker:
    def __init__(self, url: str, *, health_interval: float = HEALTH_INTERVAL) -> None:
        self._health_interval = health_interval
        self._redis = Redis.from_url(url, socket_connect_timeout=2, socket_timeout=None)
        self._handlers: dict[str, list[Handler]] = defaultdict(list)
        self._reconnect: list[Callable[[], None]] = []
        self._connected = False
        # The hot path, on connections of our own (resp.py); redis-py keeps `ping`.
        self._subscriber = RespConnection(url, name=f"samskap-{os.getpid()}-subscribe")
        self._publisher = RespConnection(url, name=f"samskap-{os.getpid()}-publish")
        self._reader: asyncio.Task[None] | None = None
        self._outgoing: list[tuple[str, bytes]] = []
        self._flusher: asyncio.Task[None] | None = None

    @property
    def connected(self) -> bool:
        return self._connected

    @property
    def shared(self) -> bool:
        return True  # other processes may subscribe at any time

    async def start(self) -> None:
        self._reader = asyncio.create_task(self._read_loop(), name="redis-reader")

    async def publish(self, channel: str, data: bytes) -> None:
        """Queue and return; one flusher sends all that is queued in one write, in order.

        Waiting a round trip per batch made a busy board's commit loop fall behind
        (docs/performance.md, proposal A). The queue is bounded: past it the oldest
        messages are dropped, which peers recover from by `seq` (the database is the truth).
        """
        if len(self._outgoing) >= MAX_OUTGOING:
            del self._outgoing[: len(self._outgoing) // 2]
            log.warning("redis publish queue full: dropped messages; peers resync by seq")
        self._outgoing.append((channel, data))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush(), name="redis-publish")

    async def _flush(self) -> None:
        while self._outgoing:
            items, self._outgoing = self._outgoing, []
            try:
                async with asyncio.timeout(PUBLISH_TIMEOUT):
                    await self._publish_all(items)
            except (TimeoutError, OSError) as exc:
                # Committed data is safe in the database; peers catch up by seq later.
                log.warning("redis publish failed: %s", type(exc).__name__)
                await self._publisher.close()

    async def _publish_all(self, items: list[tuple[str, bytes]]) -> None:
        """One write of every PUBLISH, then their replies (one per command)."""
        publisher = self._publisher
        if not publisher.open:
            await publisher.connect()
        publisher.send(*(("PUBLISH", channel, data) for channel, data in items))
        await publisher.drain()
        answered = 0
        while answered < len(items):
            replies = await publisher.read()
            answered += len(replies)
            for reply in replies:
                if isinstance(reply, hiredis.ReplyError):
                    log.warning("redis refused a publish: %s", reply)

    async def subscribe(self, channel: str, handler: Handler) -> None:
        first = not self._handlers[channel]
        self._handlers[channel].append(handler)
        if first and self._connected:
            try:
                self._subscriber.send(("SUBSCRIBE", channel))
            except OSError:
                self._connected = False  # the read loop reconnects and resubscribes

    async def unsubscribe(self, channel: str, handler: Handler) -> None:
        handlers = self._handlers.get(channel, [])
        if handler in handlers:
            handlers.remove(handler)
        if not handlers:
            self._handlers.pop(channel, None)
            if self._connected:
                try:
                    self._subscriber.send(("UNSUBSCRIBE", channel))
                except OSError:
                    self._connected = False

    def on_reconnect(self, callback: Callable[[], None]) -> None:
        self._reconnect.append(callback)

    async def ping(self) -> None:
        await self._redis.ping()

    async def _connect(self) -> None:
        await self._subscriber.connect()
        # One subscription at all times puts the connection in pub/sub mode, where the
        # server's idle `timeout` does not close it.
        self._subscriber.send(("SUBSCRIBE", KEEPALIVE, *self._handlers))
        self._connected = True

    async def _read_loop(self) -> None:
        delay = 0.1
        first = True
        while True:
            try:
                if not self._connected:
                    await self._connect()
                    delay = 0.1
                    if not first:
                        log.info("redis reconnected; rooms resync from the database")
                        for callback in list(self._reconnect):
                            callback()
                    first = False
                await self._read_until_lost()
            except asyncio.CancelledError:
                raise
            except (RedisError, OSError) as exc:
                if self._connected:
                    log.warning("redis connection lost: %s", type(exc).__name__)
                self._connected = False
                first = False
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)
            except Exception:  # a bug here: start the connection anew rather than spin
                log.exception("redis read loop failed; reconnecting")
                self._connected = False
                await asyncio.sleep(delay)

    async def _read_until_lost(self) -> None:
        """Dispatch what arrives; PING a silent connection, and give up on one that
        does not answer (ConnectionError)."""
        pinged = False
        while True:
            try:
                # asyncio.timeout, not wait_for: in Python 3.11 wait_for can swallow a
                # cancellation that arrives as the read completes, and the broker's close
                # then waited for this loop for ever.
                async with asyncio.timeout(self._health_interval):
                    replies = await self._subscriber.read()
            except TimeoutError:
                if pinged:
                    raise ConnectionError("redis did not answer PING") from None
                self._subscriber.send(("PING",))
                pinged = True
                continue
            pinged = False
            await self._dispatch(replies)

    async def _dispatch(self, replies: list[Any]) -> None:
        """Hand each message to its channel's handlers, in order (subscription
        confirmations are skipped); one failing handler is logged and the rest go on."""
        for reply in replies:
            if not (isinstance(reply, list) and len(reply) == 3 and reply[0] == b"message"):
                if isinstance(reply, hiredis.ReplyError):
                    log.warning("redis refused a subscription: %s", reply)
                continue
            _, channel, data = reply
            for handler in list(self._handlers.get(channel.decode(), ())):
                try:
                    result = handler(data)
                    if inspect.isawaitable(result):
                        await result
                except Exception:
                    log.exception("redis message handler failed")

    async def close(self) -> None:
        if self._flusher is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._flusher, 2.0)
        if self._reader:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        await self._subscriber.close()
        await self._publisher.close()
        await self._redis.aclose()
