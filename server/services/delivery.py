"""One room's ordered stream: every connection sees each `seq` once, in rising order.

A committed batch reaches each socket of the room exactly once, in `seq` order (rules
S10 and S17): as an `ack` to the socket that sent it, as `ops` to every other socket.
A batch at or below `delivered` is a duplicate and dropped; one beyond `delivered + 1`
means something was missed (another process's batch, a lost pub/sub message), and the
gap is filled from the database first. A batch this room is still committing
(`inflight`) may be found by such a gap fill before its own commit returns: its sender
then gets the ack right there, in its slot.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection, Mapping
from typing import Any

from server.domain.errors import CloseCode
from server.domain.ops import has_private, visible_ops

from .ports import BoardStore, LoggedBatch
from .session import Session, encode


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


class Delivery:
    """The room's delivery order. Callers hold `lock` around `deliver` and `fill_gap`."""

    def __init__(
        self,
        store: BoardStore,
        board_id: str,
        sessions: Mapping[str, Session],
        close_all: Callable[[int, str], None],
    ) -> None:
        self.store = store
        self.board_id = board_id
        self.sessions = sessions
        self.close_all = close_all
        self.delivered = 0
        self.lock = asyncio.Lock()
        self.inflight: dict[str, Session] = {}  # batch id -> the socket that sent it
        self.acked: dict[str, Session] = {}  # batch id -> the socket acked in its slot

    async def deliver(
        self,
        seq: int,
        batch: str,
        data: str,
        skipped: Collection[int] = (),
        private: Mapping[str, str] | None = None,
    ) -> bool:
        """Deliver one batch in its place; False if it was delivered before.

        `private` holds the message for owners of private ops in it (`private_messages`).
        """
        if seq <= self.delivered:
            return False
        if seq > self.delivered + 1:
            await self.fill_gap()
            if seq <= self.delivered:
                return False
        sender = self.inflight.pop(batch, None)
        ack = ""
        if sender is not None:
            ack = ack_message(batch, seq, skipped, applied=True)
            self.acked[batch] = sender
        for session in self.sessions.values():
            if session is sender:
                session.send(ack)
            elif private and session.client in private:
                session.send_batch(seq, private[session.client])
            else:
                session.send_batch(seq, data)
        self.delivered = seq
        return True

    async def fill_gap(self) -> None:
        found = await self.store.batches_since(self.board_id, self.delivered)
        if found is None:
            # History no longer reaches back: everyone reloads through a fresh join.
            self.close_all(CloseCode.SLOW_CONSUMER, "resync: reconnect with since")
            meta = await self.store.board(self.board_id)
            self.delivered = meta.seq if meta else self.delivered
            return
        for logged in found[1]:
            if logged.seq > self.delivered:
                data = encode(public_message(logged))
                await self.deliver(
                    logged.seq, logged.batch_id, data, logged.skipped, private_messages(logged)
                )

    async def resync(self) -> None:
        """Catch up from the database (after Redis returns, or a suspected gap)."""
        async with self.lock:
            await self.fill_gap()
