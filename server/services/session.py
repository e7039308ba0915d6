"""One connected client: identity, role, rate limits and a bounded outbox.

The transport (server.http.ws) reads `frames()` and writes them to the socket; the
services only ever enqueue text. A full outbox means the client cannot keep up:
it is closed as a slow consumer (4008) and resumes by `seq` (rule S9).
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections import OrderedDict, deque
from collections.abc import AsyncIterator, Callable, Collection
from typing import Any

import orjson

from server.config import Limits
from server.domain.errors import CloseCode, ErrorCode, ProtocolError
from server.domain.ratelimit import TokenBucket

PALETTE = (
    "#d81b60",
    "#8e24aa",
    "#3949ab",
    "#1e88e5",
    "#00897b",
    "#43a047",
    "#f4511e",
    "#6d4c41",
    "#546e7a",
    "#c0ca33",
)
MAX_FRAME_MESSAGES = 256
MAX_ARRIVALS = 4096  # batches whose arrival order a socket remembers (far above any burst)


def color_for(client: str, taken: Collection[str] = ()) -> str:
    """A cursor colour nobody on the board has yet, so two people never look alike.

    The search starts at the client id's own colour, so someone who reconnects with the
    same id on a quiet board gets their colour back; with all ten taken, that one.
    """
    start = sum(client.encode()) % len(PALETTE)
    for step in range(len(PALETTE)):
        color = PALETTE[(start + step) % len(PALETTE)]
        if color not in taken:
            return color
    return PALETTE[start]


def encode(message: Any) -> str:
    """Serialise once; the same text goes to every socket (ASGI text frames take str)."""
    return orjson.dumps(message).decode()


def error_message(exc: ProtocolError, batch: str | None = None, req: str | None = None) -> str:
    body: dict[str, Any] = {"type": "error", "code": exc.code.value, "message": exc.message}
    if batch is not None:
        body["batch"] = batch
    if req is not None:
        body["req"] = req
    return encode(body)


class Session:
    def __init__(
        self,
        client: str,
        name: str,
        role: str,
        address: str,
        limits: Limits,
        color: str,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._clock = clock
        self.link_hash = ""  # the hash of the link it joined with (re-checked: S13)
        self.fresh_seat = False  # its seat was made for it (not claimed with a secret)
        self.acted = False  # it edited, voted or ran a command: its seat owns something
        self.client = client  # the seat (rule S18)
        self.conn = secrets.token_hex(6)  # this socket: a seat may move to a newer one
        self.name = name or "Gjest"
        self.role = role
        self.address = address
        self.color = color  # color_for(): unlike anyone else's on the board
        self.limits = limits
        # A deque and one wake-up future instead of an asyncio.Queue: the writer used to
        # spawn a task and an asyncio.wait per frame (docs/performance.md, profile).
        self._outbox: deque[str] = deque()
        self._outbox_bytes = 0  # characters queued (about bytes: JSON is mostly ASCII)
        # Replies this socket asked for (welcome, catch-up) may be larger than the byte
        # bound (a big board's snapshot): they are queued, and the bound counts the rest.
        self._big: set[int] = set()  # id() of such replies still queued
        self._big_bytes = 0
        self._wakeup: asyncio.Future[None] | None = None
        self.closed: asyncio.Future[tuple[int, str]] = asyncio.get_running_loop().create_future()
        self._held: list[tuple[int, str]] | None = []  # batches that arrive before welcome
        self._base_seq = 0
        self._batches = TokenBucket(limits.batches_per_sec, limits.batch_burst)
        self._presence = TokenBucket(limits.presence_per_sec, limits.presence_burst)
        self._syncs = TokenBucket(limits.syncs_per_sec, limits.sync_burst)
        self._strikes = 0
        self._last_limit_notice = 0.0
        # A batch refused with "try again": later batches wait for it (see `in_order`).
        self._retry_from: tuple[str, ProtocolError] | None = None
        self._arrivals: OrderedDict[str, int] = OrderedDict()  # batch -> arrival number
        self._arrived = 0
        self._settled: OrderedDict[str, None] = OrderedDict()  # batches answered for good

    @property
    def peer(self) -> dict[str, str]:
        return {
            "client": self.client,
            "conn": self.conn,
            "name": self.name,
            "role": self.role,
            "color": self.color,
        }

    # --- resend order ---------------------------------------------------------------

    def arrived(self, batch: str) -> None:
        """Note the order batches come in on this socket (the order the client sent them)."""
        self._arrived += 1
        self._arrivals[batch] = self._arrived
        self._arrivals.move_to_end(batch)
        if len(self._arrivals) > MAX_ARRIVALS:
            self._arrivals.popitem(last=False)

    def hold_retries(self, batch: str, refusal: ProtocolError) -> None:
        """`batch` was refused with "try again": refuse later ones until it is resent.

        With several refused (one rate-limited while an earlier one's commit failed),
        the one the client sent first is the one to wait for: the client resends from
        its earliest refused batch on, in order.
        """
        if batch in self._settled:
            return  # a repeat of a batch already committed: nothing can overtake it
        held = self._retry_from
        if held is None or self._arrivals.get(batch, 0) < self._arrivals.get(held[0], 0):
            self._retry_from = (batch, refusal)

    def settled(self, batch: str) -> None:
        """`batch` was answered for good (committed, or a resend of a committed one):
        nothing waits for it any more (it may have been refused as a duplicate frame
        while its first copy was still committing)."""
        self._settled[batch] = None
        if len(self._settled) > MAX_ARRIVALS:
            self._settled.popitem(last=False)
        if self._retry_from is not None and self._retry_from[0] == batch:
            self._retry_from = None

    def in_order(self, batch: str) -> None:
        """Raise for a batch sent after one that must be resent first (never reordered)."""
        if self._retry_from is None:
            return
        waiting, refusal = self._retry_from
        if batch == waiting:
            self._retry_from = None
            return
        raise ProtocolError(refusal.code, f"{refusal.message} (send the earlier batch first)")

    # --- sending --------------------------------------------------------------------

    def send(self, data: str, *, reply: bool = False) -> None:
        """Queue a message; `reply`: one this socket asked for (see `_big`)."""
        if self.closed.done():
            return
        limits = self.limits
        over = self._outbox_bytes - self._big_bytes + len(data) > limits.outbox_bytes > 0
        if len(self._outbox) >= limits.outbox_messages > 0 or (over and not reply):
            self.close(CloseCode.SLOW_CONSUMER, "slow consumer: reconnect with since")
            return
        if over:
            self._big.add(id(data))
            self._big_bytes += len(data)
        self._outbox.append(data)
        self._outbox_bytes += len(data)
        self._wake()

    def _taken(self, data: str) -> None:
        self._outbox_bytes -= len(data)
        if self._big and id(data) in self._big:
            self._big.discard(id(data))
            self._big_bytes -= len(data)

    def _wake(self) -> None:
        waiter = self._wakeup
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def take(self) -> str | None:
        """The next queued message, if any (a transport that reads one at a time)."""
        if not self._outbox:
            return None
        data = self._outbox.popleft()
        self._taken(data)
        return data

    def queued(self) -> list[str]:
        """Take what is still waiting in the outbox (flushed before a close)."""
        pending = list(self._outbox)
        self._outbox.clear()
        self._outbox_bytes = self._big_bytes = 0
        self._big.clear()
        return pending

    def send_batch(self, seq: int, data: str) -> None:
        """A live batch; held until the welcome is out, dropped if the welcome covered it."""
        if self._held is not None:
            self._held.append((seq, data))
        elif seq > self._base_seq:
            self.send(data)

    def start(self, welcome: str, base_seq: int) -> None:
        """Send the welcome, then what arrived meanwhile and is newer (rule S7)."""
        held, self._held, self._base_seq = self._held or [], None, base_seq
        self.send(welcome, reply=True)
        for seq, data in held:
            if seq > base_seq:
                self.send(data)

    def close(self, code: int, reason: str) -> None:
        if not self.closed.done():
            self.closed.set_result((code, reason))
            self._wake()

    async def frames(self) -> AsyncIterator[str]:
        """Frames for the socket: one message, or a JSON array of the queued ones."""
        outbox = self._outbox
        while not self.closed.done():
            if not outbox:
                self._wakeup = asyncio.get_running_loop().create_future()
                try:
                    await self._wakeup
                finally:
                    self._wakeup = None
                continue
            if len(outbox) == 1:
                one = outbox.popleft()
                self._taken(one)
                yield one
            else:
                count = min(len(outbox), MAX_FRAME_MESSAGES)
                taken = [outbox.popleft() for _ in range(count)]
                for data in taken:
                    self._taken(data)
                yield "[" + ",".join(taken) + "]"

    # --- limits ---------------------------------------------------------------------

    def admit(self, kind: str) -> bool:
        """Rate-limit one incoming message; too many refusals in a row close the socket.

        The caller answers refused batches itself (the error names the batch);
        refused presence gets at most one notice a second.
        """
        now = self._clock()
        buckets = {"presence": self._presence, "sync": self._syncs}
        bucket = buckets.get(kind, self._batches)
        if bucket.allow(now):
            self._strikes = 0
            return True
        self._strikes += 1
        if self._strikes >= self.limits.flood_strikes:
            self.close(CloseCode.FLOODING, "too many messages")
        elif kind == "presence" and now - self._last_limit_notice > 1.0:
            self._last_limit_notice = now
            self.send(
                error_message(ProtocolError(ErrorCode.RATE_LIMITED, f"too many {kind} messages"))
            )
        return False
