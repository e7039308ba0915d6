"""In-process pub/sub: the fan-out when no Redis is configured, and a test double
that several app instances in one process can share (so "two processes" can be
tested deterministically)."""

from __future__ import annotations

import inspect
from collections import defaultdict
from collections.abc import Callable

from server.services.ports import Handler


class MemoryBus:
    """A shared medium; each `MemoryBroker` attached to it acts like one process."""

    def __init__(self) -> None:
        self.handlers: dict[str, list[Handler]] = defaultdict(list)
        self.brokers = 0  # attached and not closed: the "processes" on this bus


class MemoryBroker:
    def __init__(self, bus: MemoryBus | None = None) -> None:
        self.bus = bus or MemoryBus()
        self.bus.brokers += 1
        self._attached = True
        self._mine: list[tuple[str, Handler]] = []

    @property
    def connected(self) -> bool:
        return True

    @property
    def shared(self) -> bool:
        """False for one process's own bus (no Redis): its rooms skip publishing, which
        cost them an encoding and a decoding of every batch to hear themselves."""
        return self.bus.brokers > 1

    async def publish(self, channel: str, data: bytes) -> None:
        for handler in list(self.bus.handlers.get(channel, ())):
            result = handler(data)
            if inspect.isawaitable(result):
                await result

    async def subscribe(self, channel: str, handler: Handler) -> None:
        self.bus.handlers[channel].append(handler)
        self._mine.append((channel, handler))

    async def unsubscribe(self, channel: str, handler: Handler) -> None:
        handlers = self.bus.handlers.get(channel, [])
        if handler in handlers:
            handlers.remove(handler)
        if (channel, handler) in self._mine:
            self._mine.remove((channel, handler))

    def on_reconnect(self, callback: Callable[[], None]) -> None:
        """Memory never disconnects."""

    async def close(self) -> None:
        for channel, handler in list(self._mine):
            await self.unsubscribe(channel, handler)
        if self._attached:
            self._attached = False
            self.bus.brokers -= 1
