"""One room's ordered stream: every connection sees each `seq` once, in rising order.

A committed batch reaches each socket of the room exactly once, in `seq` order (rules
S10 and S17): as an `ack` to the socket that sent it, as `ops` to every other socket.
A batch at or below `delivered` is a duplicate and dropped; one beyond `delivered + 1`
means something came in a different order: most often another process committed the
seq before it and its pub/sub copy is a moment behind our own commit's return, rarely a
pub/sub message was lost. Such a batch is held, and the gap is waited for: what fills
it is delivered, then the held batches in order. Only a gap still open after
`GAP_WAIT_SEC` is read from the database (reading it at once cost a log read per commit
group with sockets of a board on several processes: issue 18, `bench/scaleout.py`). A
batch this room is still committing (`inflight`) may be found by such a gap fill before
its own commit returns: its sender then gets the ack right there, in its slot.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from server.domain.errors import CloseCode
from server.domain.ops import has_private, visible_ops

from .metrics import Metrics
from .ports import BoardStore, LoggedBatch
from .session import Session, encode

log = logging.getLogger("samskap.room")

# How long a batch beyond a gap waits for the gap's pub/sub copies before the database
# is read. Redis delivers within a millisecond on one machine; 50 ms also covers a
# process paused by its CPU quota (10 ms periods) or a busy event loop, and stays far
# below what a person notices.
GAP_WAIT_SEC = 0.05


def public_message(logged: LoggedBatch) -> dict[str, Any]:
    """A logged batch as everyone but a private object's owner may see it."""
    message = logged.message()
    if has_private(logged.ops):
        message["ops"] = visible_ops(logged.ops, None)
    return message


def message_for(logged: LoggedBatch, client: str) -> dict[str, Any]:
    """A logged batch as one seat may see it (catch-ups include the seat's own batches)."""
    message = logged.message()
    message["ops"] = visible_ops(logged.ops, client)
    return message


def private_messages(logged: LoggedBatch) -> dict[str, str]:
    """Per owner, the batch with their private ops, for owners other than its sender.

    Only a server batch (a restore, a revert) carries private ops of someone else:
    the owner gets them, everybody else the public message (rules F3, V3).
    """
    if not has_private(logged.ops):
        return {}
    owners = {op["owner"] for op in logged.ops if "owner" in op} - {logged.client}
    return {owner: encode(message_for(logged, owner)) for owner in owners}


def ack_message(
    batch: str, seq: int, skipped: Collection[int], *, applied: bool, duplicate: bool = False
) -> str:
    body: dict[str, Any] = {
        "type": "ack",
        "batch": batch,
        "seq": seq,
        "skipped": list(skipped),
        # false: nothing changed, no seq was taken (seq is the board's current one)
        "applied": applied,
    }
    if duplicate:
        body["duplicate"] = True  # a resend: confirms what the stream already carried
    return encode(body)


@dataclass(slots=True)
class Held:
    """A batch that arrived beyond a gap, kept until the gap is filled."""

    batch: str
    data: str
    skipped: tuple[int, ...]
    private: Mapping[str, str] | None
    sender: Session | None  # its socket here, acknowledged when it is delivered
    at: float  # when it arrived (the event loop's clock)


class Delivery:
    """The room's delivery order. Callers hold `lock` around `deliver` and `fill_gap`."""

    def __init__(
        self,
        store: BoardStore,
        board_id: str,
        sessions: Mapping[str, Session],
        close_all: Callable[[int, str], None],
        metrics: Metrics,
    ) -> None:
        self.store = store
        self.board_id = board_id
        self.sessions = sessions
        self.close_all = close_all
        self.metrics = metrics
        self.delivered = 0
        self.lock = asyncio.Lock()
        self.inflight: dict[str, Session] = {}  # batch id -> the socket that sent it
        # batch id -> the socket whose ack went out, or goes out, in the batch's slot
        self.acked: dict[str, Session] = {}
        self.held: dict[int, Held] = {}  # seq -> a batch beyond a gap
        self._gap_task: asyncio.Task[None] | None = None

    def deliver(
        self,
        seq: int,
        batch: str,
        data: str,
        skipped: Collection[int] = (),
        private: Mapping[str, str] | None = None,
    ) -> bool:
        """Deliver one batch in its place, or hold it until the seqs before it are in.

        False if it was delivered before. A held batch's sender is recorded in `acked`:
        its ack goes out in its slot. `private` holds the message for owners of private
        ops in it (`private_messages`).
        """
        if seq <= self.delivered:
            return False
        if seq > self.delivered + 1:
            if seq in self.held:
                return False
            sender = self.inflight.pop(batch, None)
            if sender is not None:
                self.acked[batch] = sender
            at = asyncio.get_running_loop().time()
            self.held[seq] = Held(batch, data, tuple(skipped), private, sender, at)
            self._wait_for_gap()
            return True
        self._send(seq, batch, data, skipped, private)
        while self.delivered + 1 in self.held:
            held = self.held[self.delivered + 1]
            self._send(self.delivered + 1, held.batch, held.data, held.skipped, held.private)
        return True

    def _send(
        self,
        seq: int,
        batch: str,
        data: str,
        skipped: Collection[int],
        private: Mapping[str, str] | None,
    ) -> None:
        held = self.held.pop(seq, None)
        sender = self.inflight.pop(batch, None)
        if sender is not None:  # its commit has not returned: tell the committer
            self.acked[batch] = sender
        elif held is not None:  # the committer learned of it when it was held
            sender = held.sender
        ack = "" if sender is None else ack_message(batch, seq, skipped, applied=True)
        for session in self.sessions.values():
            if session is sender:
                session.send(ack)
            elif private and session.client in private:
                session.send_batch(seq, private[session.client])
            else:
                session.send_batch(seq, data)
        self.delivered = seq

    def _wait_for_gap(self) -> None:
        if self._gap_task is None or self._gap_task.done():
            self._gap_task = asyncio.create_task(self._gap_timeout(), name="gap-wait")

    def _overdue(self, now: float) -> float:
        """Seconds until the oldest gap is read from the database (<= 0: now)."""
        return self.held[min(self.held)].at + GAP_WAIT_SEC - now

    async def _gap_timeout(self) -> None:
        """Read from the database what pub/sub did not bring in time."""
        loop = asyncio.get_running_loop()
        while self.held:
            wait = self._overdue(loop.time())
            if wait > 0:
                await asyncio.sleep(wait)
                continue
            try:
                async with self.lock:
                    if self.held and self._overdue(loop.time()) <= 0:
                        await self.fill_gap()
            except Exception as exc:  # the database is away: try again a moment later
                log.warning("could not fill a gap from the database: %s", type(exc).__name__)
                await asyncio.sleep(GAP_WAIT_SEC)

    async def fill_gap(self) -> None:
        self.metrics.gap_reads += 1
        found = await self.store.batches_since(self.board_id, self.delivered)
        if found is None:
            # History no longer reaches back: everyone reloads through a fresh join.
            self.close_all(CloseCode.SLOW_CONSUMER, "resync: reconnect with since")
            meta = await self.store.board(self.board_id)
            self.delivered = meta.seq if meta else self.delivered
            self.held = {seq: held for seq, held in self.held.items() if seq > self.delivered}
            return
        for logged in found[1]:
            if logged.seq > self.delivered:
                data = encode(public_message(logged))
                self.deliver(
                    logged.seq, logged.batch_id, data, logged.skipped, private_messages(logged)
                )

    async def close(self) -> None:
        """Stop waiting for gaps (the room is closing)."""
        if self._gap_task is not None:
            self._gap_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._gap_task

    async def resync(self) -> None:
        """Catch up from the database (after Redis returns, or a suspected gap)."""
        async with self.lock:
            await self.fill_gap()
