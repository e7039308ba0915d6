"""Bytes of live edits: a board's quota and the disk's hard floor, without a query per batch.

Uploads, image copies and imports are checked against `SAMSKAP_LIMIT_BOARD_BYTES` with
one query each (`BoardService.check_room_for`). Batches over a socket come far more
often, so each room keeps a running count instead: seeded from `store.board_bytes`
on the room's first batch, raised by every batch it lets through (a batch costs about
twice its frame: once in the log, once in its object row), and read again from the
database every `RESEED_SEC` in the background (that corrects for trimmed log entries,
refused batches and other processes' edits).

Below the hard disk floor (`SAMSKAP_HARD_FREE_BYTES`) no edit is taken at all
(`storage_full`); between it and `SAMSKAP_MIN_FREE_BYTES` only new boards, imports and
uploads are refused (HTTP), and existing boards stay editable.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from server.domain.errors import ErrorCode, ProtocolError
from server.domain.ops import Delete, Op

from .ports import BoardStore

log = logging.getLogger("samskap.quota")

RESEED_SEC = 30.0  # the running count is read again from the database this often
RECHECK_SEC = 2.0  # a refusal is checked against the database if the count is older
DISK_CHECK_SEC = 1.0  # free disk space is asked at most this often per process


class DiskFloor:
    """The hard floor of free disk space below which no edit is saved (per process)."""

    def __init__(self, free_bytes: Callable[[], int], hard_floor: int) -> None:
        self._free_bytes = free_bytes
        self.hard_floor = hard_floor
        self._checked = -DISK_CHECK_SEC
        self._free = 0

    def check(self) -> None:
        if self.hard_floor <= 0:
            return
        now = time.monotonic()
        if now - self._checked >= DISK_CHECK_SEC:
            self._checked = now
            self._free = self._free_bytes()
        if self._free < self.hard_floor:
            raise ProtocolError(
                ErrorCode.STORAGE_FULL,
                "not saved: the server's disk is full. Nothing can be saved until the"
                " library's IT staff frees space; your edit was undone.",
            )


class BoardBytes:
    """One room's running count of its board's bytes (objects, tombstones, assets, log)."""

    def __init__(self, store: BoardStore, board_id: str, limit: int) -> None:
        self.store = store
        self.board_id = board_id
        self.limit = limit
        self.bytes: int | None = None  # None until seeded
        self._seeded = 0.0
        self._reseeding: asyncio.Task[None] | None = None

    async def admit(self, frame_bytes: int, ops: list[Op]) -> None:
        """Refuse (too_large) a batch that would take the board over its limit.

        A batch of deletes only is always let through: it is how a full board is
        tidied, and it adds only a short log entry (tombstones keep their row).
        """
        if self.limit <= 0:
            return
        if self.bytes is None:
            await self._seed()
        elif time.monotonic() - self._seeded >= RESEED_SEC and not self._reseeding:
            self._reseeding = asyncio.create_task(self._reseed(), name=f"bytes-{self.board_id}")
        cost = 2 * frame_bytes
        if (self.bytes or 0) + cost > self.limit and time.monotonic() - self._seeded > RECHECK_SEC:
            await self._seed()  # counted high (refused batches count too): ask before refusing
        held = self.bytes or 0
        if held + cost > self.limit and not all(isinstance(op, Delete) for op in ops):
            raise ProtocolError(
                ErrorCode.TOO_LARGE,
                f"not saved: this board is full (it holds {held / 1e6:,.1f} MB of at most"
                f" {self.limit / 1e6:,.1f} MB). Delete images or old objects, or start a"
                " new board.",
            )
        self.bytes = held + cost

    async def _seed(self) -> None:
        self.bytes = await self.store.board_bytes(self.board_id)
        self._seeded = time.monotonic()

    async def _reseed(self) -> None:
        try:
            await self._seed()
        except Exception as exc:  # keep the running count; try again later
            log.warning("could not recount a board's bytes: %s", type(exc).__name__)
            self._seeded = time.monotonic()
        finally:
            self._reseeding = None

    def close(self) -> None:
        if self._reseeding is not None:
            self._reseeding.cancel()
