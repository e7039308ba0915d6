"""While people write privately, the facilitator sees how many hidden notes exist, and
from how many people, so she can tell when they are done (rule F6).

Counts only, to facilitator sockets only: never an object, a text or a name. Each
process counts from the database after any batch on the board (its own or one heard on
pub/sub), debounced, so a burst of notes is one query.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any, Protocol

from server.domain import facilitation

from .ports import BoardStore
from .session import Session, encode

log = logging.getLogger(__name__)

COUNT_DELAY = 0.3  # seconds: a burst of private notes is counted once


class CountedRoom(Protocol):
    board_id: str
    settings: dict[str, Any]
    sessions: dict[str, Session]

    @property
    def store(self) -> BoardStore: ...


Spawn = Callable[[Coroutine[Any, Any, Any]], None]


class HiddenCount:
    def __init__(self, room: CountedRoom, spawn: Spawn) -> None:
        """`spawn` runs the counting in the background (the hub's, cancelled when it closes)."""
        self.room = room
        self.spawn = spawn
        self._busy = False
        self._recount = False

    def _facilitators(self) -> list[Session]:
        return [s for s in self.room.sessions.values() if s.role == "facilitator"]

    def board_changed(self) -> None:
        """A batch was applied: while people write privately, recount soon."""
        private = facilitation.current(self.room.settings).get("private")
        if not private or not self._facilitators():
            return
        if self._busy:
            self._recount = True  # counted again once the running count is sent
            return
        self._busy = True
        self.spawn(self._count_soon())

    async def _count_soon(self) -> None:
        try:
            while True:
                await asyncio.sleep(COUNT_DELAY)
                self._recount = False
                await self.send()
                if not self._recount:
                    return
        except Exception:
            log.exception("could not count the hidden notes")
        finally:
            self._busy = False

    async def send(self, only: Session | None = None) -> None:
        """`private_count` {notes, people} to the facilitators here (or to `only`)."""
        targets = [only] if only is not None else self._facilitators()
        if not targets:
            return
        owners = await self.room.store.private_owners(self.room.board_id)
        message = encode(
            {"type": "private_count", "notes": len(owners), "people": len(set(owners))}
        )
        for session in targets:
            session.send(message)
