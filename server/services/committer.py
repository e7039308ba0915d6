"""One room's commit queue: batches that arrive together are committed together (S8).

One committer task per room drains the queue in groups. After a group's transaction,
its results go out in the group's order under the delivery lock (rule S17): applied
batches through `Delivery` (ack to the sender, ops to the others, in `seq` order), the
rest as acks or refusals. A batch refused with "try again" (`unavailable`) puts its
socket behind a barrier (`Session.retry_from`): that socket's later batches are refused
the same way until the refused one comes back, so a resend never lands behind a newer
edit of the same socket.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import secrets
import time
from collections.abc import Awaitable, Callable

from server.domain.errors import CloseCode, ErrorCode, ProtocolError
from server.domain.ops import SERVER_CLIENT, Op

from .delivery import Delivery, ack_message, private_messages, public_message
from .metrics import Metrics
from .ports import BoardGone, BoardStore, CommitResult, CommitStatus, LoggedBatch, PendingBatch
from .session import Session, encode, error_message

log = logging.getLogger("samskap.room")

MAX_GROUP = 256  # batches per transaction
SERVER = SERVER_CLIENT  # `by` of batches the server makes (reveal, template, revert)

Entry = tuple[Session | None, PendingBatch, asyncio.Future[CommitResult] | None]


def revoked(session: Session, hashes: dict[str, str]) -> ProtocolError | None:
    """The refusal for a socket whose link is no longer the board's (None: still valid)."""
    if not hmac.compare_digest(hashes.get(session.role, ""), session.link_hash):
        return ProtocolError(ErrorCode.UNAUTHORIZED, "this link was replaced: ask for the new one")
    return None


Published = Callable[[list[tuple[LoggedBatch, str]]], Awaitable[None]]


class CommitQueue:
    def __init__(
        self,
        store: BoardStore,
        board_id: str,
        delivery: Delivery,
        metrics: Metrics,
        *,
        publish: Published,
        close_all: Callable[[int, str], None],
    ) -> None:
        self.store = store
        self.board_id = board_id
        self.delivery = delivery
        self.metrics = metrics
        self.publish = publish
        self.close_all = close_all
        self._pending: list[Entry] = []
        self._task: asyncio.Task[None] | None = None

    def submit(self, session: Session, batch_id: str, ops: list[Op]) -> None:
        pending = PendingBatch(
            batch_id, session.client, session.name, ops, session.role, session.link_hash
        )
        self._pending.append((session, pending, None))
        self._start()

    async def submit_server(self, ops: list[Op], author: str) -> CommitResult:
        """Commit a server-made batch (as a facilitator) and wait for its result."""
        future: asyncio.Future[CommitResult] = asyncio.get_running_loop().create_future()
        batch_id = "srv-" + secrets.token_urlsafe(9)
        self._pending.append(
            (None, PendingBatch(batch_id, SERVER, author, ops, "facilitator"), future)
        )
        self._start()
        return await future

    def _start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._loop(), name=f"commit-{self.board_id}")

    async def _loop(self) -> None:
        while self._pending:
            group, self._pending = self._pending[:MAX_GROUP], self._pending[MAX_GROUP:]
            for session, pending, _ in group:
                if session is not None:
                    self.delivery.inflight[pending.batch_id] = session
            started = time.perf_counter()
            try:
                results = await self.store.commit(self.board_id, [p for _, p, _ in group])
            except BoardGone:
                self._forget(group)
                self.close_all(CloseCode.BOARD_DELETED, "the board was deleted")
                gone = ProtocolError(ErrorCode.NOT_FOUND, "board deleted")
                for _, _, waiter in group:
                    if waiter:
                        waiter.set_exception(gone)
                return
            except Exception as exc:  # database down: refuse, never acknowledge
                log.warning("commit failed on a board: %s", type(exc).__name__)
                self._forget(group)
                self._refuse_for_retry(group)
                continue
            self.metrics.observe_commit(time.perf_counter() - started)
            applied = await self._answer(group, results)
            self._forget(group)
            if applied:
                await self.publish(applied)
            self.metrics.batches += len(applied)

    def _forget(self, group: list[Entry]) -> None:
        for _, pending, _ in group:
            self.delivery.inflight.pop(pending.batch_id, None)
            self.delivery.acked.pop(pending.batch_id, None)

    async def _answer(
        self, group: list[Entry], results: list[CommitResult]
    ) -> list[tuple[LoggedBatch, str]]:
        """Send each result in its place in every socket's stream (rule S17)."""
        applied: list[tuple[LoggedBatch, str]] = []
        delivery = self.delivery
        async with delivery.lock:
            for (session, pending, waiter), result in zip(group, results, strict=True):
                if waiter:
                    waiter.set_result(result)
                if result.applied is not None:
                    logged = result.applied
                    data = encode(public_message(logged))
                    applied.append((logged, data))
                    delivery.deliver(
                        logged.seq, logged.batch_id, data, logged.skipped, private_messages(logged)
                    )
                if session is None:
                    continue
                if result.status is not CommitStatus.REFUSED:
                    session.settled(pending.batch_id)
                if delivery.acked.get(pending.batch_id) is session:
                    del delivery.acked[pending.batch_id]
                    continue  # its ack went out in its slot
                if result.status is CommitStatus.REFUSED:
                    assert result.error is not None
                    session.send(error_message(result.error, pending.batch_id))
                    if result.error.code is ErrorCode.UNAUTHORIZED:  # link replaced (S13)
                        session.close(CloseCode.UNAUTHORIZED, result.error.message)
                elif result.status is CommitStatus.DUPLICATE:
                    if result.seq > delivery.delivered:
                        await delivery.fill_gap()  # the original comes first, as ops
                    session.send(
                        ack_message(
                            pending.batch_id,
                            result.seq,
                            result.skipped,
                            applied=True,
                            duplicate=True,
                        )
                    )
                else:  # NOOP; or APPLIED, acked in its slot to a later copy's socket
                    session.send(
                        ack_message(
                            pending.batch_id,
                            result.seq,
                            result.skipped,
                            applied=result.status is CommitStatus.APPLIED,
                        )
                    )
        return applied

    def _refuse_for_retry(self, group: list[Entry]) -> None:
        """Refuse a failed group, and every later batch of its sockets, as `unavailable`."""
        refusal = ProtocolError(ErrorCode.UNAVAILABLE, "not saved: storage unavailable")
        for session, pending, waiter in group:
            if waiter:
                waiter.set_exception(refusal)
            if session is not None:
                session.hold_retries(pending.batch_id, refusal)
                session.send(error_message(refusal, pending.batch_id))
        behind = {id(s) for s, _, _ in group if s is not None}
        keep: list[Entry] = []
        for entry in self._pending:
            session, pending, _ = entry
            if session is not None and id(session) in behind:
                session.send(error_message(refusal, pending.batch_id))
            else:
                keep.append(entry)
        self._pending = keep
