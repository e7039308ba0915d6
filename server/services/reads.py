"""Snapshots and catch-ups of big boards, built without stalling the event loop.

A `join` or `sync` is a cheap message that can ask for the whole board or its whole
retained log (tens of MB). Decoding, filtering and encoding that on the event loop
delayed every other board's acks (issue 13: four viewers syncing a 25 MB board held
another board's acks up to 514 ms). So:

- rows are read in chunks (the loop runs between them) as the stored JSON text, and
  never decoded unless they may hold something private (`"private"` / `"owner"`);
- joining the text into one reply happens in a worker thread;
- one heavy read per board at a time: viewers of the same board queue behind it and
  reuse its result while the board's `seq` has not moved (the snapshot is cached per
  room at that `seq`);
- at most `heavy_reads` such reads per process at once, so many big boards queue
  rather than take every thread and the database's connections.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import orjson

from server.domain.ops import Record, hidden_from, visible_ops

from .ports import BoardMeta, BoardStore, RawBatch

_PRIVATE = '"private"'  # a key or a value; inside a JSON string a quote is escaped
_OWNER = '"owner"'
PACED_BYTES = 1024 * 1024  # replies from this size on are paced (ReadBudget)
THREAD_BYTES = 256 * 1024  # text from this size on is joined in a worker thread

T = TypeVar("T")


async def _work(size: int, fn: Callable[..., T], *args: Any) -> T:
    """Run `fn` in a worker thread when it handles a lot of text; small work stays here."""
    if size < THREAD_BYTES:
        return fn(*args)
    return await asyncio.to_thread(fn, *args)


@dataclass(frozen=True, slots=True)
class SnapshotText:
    """A board's live objects at `meta.seq` as JSON text, ready for any client."""

    meta: BoardMeta
    parts: tuple[str, ...]  # one JSON object each, as stored
    private: frozenset[int]  # indexes of parts that may be private (decoded per client)
    whole: str | None  # "[...]" of all parts when none is private

    def for_client(self, client: str) -> str:
        if self.whole is not None:
            return self.whole
        kept = [
            part
            for n, part in enumerate(self.parts)
            if n not in self.private or not hidden_from(Record(orjson.loads(part)), client)
        ]
        return "[" + ",".join(kept) + "]"


def prepare(meta: BoardMeta, parts: Sequence[str]) -> SnapshotText:
    """In a worker thread: find the parts that may be private, join the rest once."""
    private = frozenset(n for n, part in enumerate(parts) if _PRIVATE in part)
    if private:
        return SnapshotText(meta, tuple(parts), private, None)
    return SnapshotText(meta, (), private, "[" + ",".join(parts) + "]")  # kept once


def catchup_text(rows: Sequence[RawBatch], client: str) -> str:
    """In a worker thread: the batches as `ops` messages one seat may see, as a JSON array.

    A batch without private ops is its stored text in a message frame; only batches
    that name an owner are decoded and filtered (what `delivery.message_for` does).
    """
    out = []
    for row in rows:
        head = orjson.dumps(
            {"type": "ops", "seq": row.seq, "by": row.client, "batch": row.batch_id}
        ).decode()
        ops = row.ops
        if _OWNER in ops:
            ops = orjson.dumps(visible_ops(orjson.loads(ops), client)).decode()
        out.append(head[:-1] + ',"ops":' + ops + "}")
    return "[" + ",".join(out) + "]"


def with_raw(message: dict[str, Any], raw: dict[str, str]) -> str:
    """`message` encoded, with fields whose values are JSON text already: the big text
    is copied once, never decoded or encoded again."""
    parts = [orjson.dumps(message).decode()[:-1]]
    for key, value in raw.items():
        parts += (f',"{key}":', value)
    parts.append("}")
    return "".join(parts)


class ReadBudget:
    """The process's budget for big replies: reads at once, and bytes per second.

    Replies over `PACED_BYTES` go out at most `bytes_per_sec` together: the next one
    waits its turn (a virtual clock), so viewers of big boards queue behind each other
    instead of taking the process from everyone else. Small replies never wait.
    """

    def __init__(self, concurrent: int, bytes_per_sec: float) -> None:
        self.gate = asyncio.Semaphore(max(1, concurrent))
        self.rate = bytes_per_sec
        self._free_at = 0.0

    async def pace(self, size: int) -> None:
        if self.rate <= 0 or size < PACED_BYTES:
            return
        now = time.monotonic()
        start = max(now, self._free_at)
        self._free_at = start + size / self.rate
        if start > now:
            await asyncio.sleep(start - now)


class BoardReads:
    """One board's heavy reads: serialised per board, bounded per process, cached by seq."""

    def __init__(self, store: BoardStore, board_id: str, budget: ReadBudget) -> None:
        self.store = store
        self.board_id = board_id
        self.budget = budget  # shared by every room of the process
        self.gate = budget.gate
        self._lock = asyncio.Lock()
        self._snapshot: SnapshotText | None = None
        self._log: tuple[int, int, str] | None = None  # since, seq, text (nothing private)

    async def snapshot(self, client: str) -> tuple[BoardMeta, str] | None:
        """The board's live objects that `client` may see, as a JSON array; None: deleted."""
        async with self._lock:
            meta = await self.store.board(self.board_id)
            if meta is None:
                self._snapshot = self._log = None
                return None
            cached = self._snapshot
            if cached is None or cached.meta.seq != meta.seq:
                self._snapshot = None  # free the old one before reading the new
                async with self.gate:
                    found = await self.store.snapshot_text(self.board_id)
                    if found is None:
                        return None
                    size = sum(map(len, found[1]))
                    cached = await _work(size, prepare, *found)
                self._snapshot = cached
                meta = cached.meta  # the objects' seq; settings as read with them
        # Settings change without a seq (facilitation): those come from `meta`.
        if cached.whole is not None:
            return meta, cached.whole
        return meta, await _work(sum(map(len, cached.parts)), cached.for_client, client)

    async def pace(self, reply: str) -> None:
        """Wait for this reply's turn in the process's budget (big replies only)."""
        await self.budget.pace(len(reply))

    async def catchup(
        self, client: str, since: int, *, cache: bool = True
    ) -> tuple[int, str] | None:
        """The batches after `since` as a JSON array; None: not all retained (snapshot).
        `cache=False`: a small top-up, which must not replace the cached catch-up."""
        async with self._lock:
            log = self._log
            if log is not None and log[0] == since:
                meta = await self.store.board(self.board_id)
                if meta is not None and meta.seq == log[1]:
                    return log[1], log[2]
            if cache:
                self._log = None
            async with self.gate:
                found = await self.store.batch_texts_since(self.board_id, since)
                if found is None:
                    return None
                seq, rows = found
                if not rows:
                    return seq, "[]"
                size = sum(len(row.ops) for row in rows)
                text = await _work(size, catchup_text, rows, client)
            if cache and not any(_OWNER in row.ops for row in rows):
                self._log = (since, seq, text)  # the same for every seat
            return seq, text

    def forget(self) -> None:
        self._snapshot = self._log = None
