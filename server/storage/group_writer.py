"""SQLite's group commit, fed straight to the writer thread.

Boards' batches wait in a list that the writer thread itself empties: when a commit
ends, the thread takes whatever arrived meanwhile and commits it at once, and only the
answers go back to the event loop. Before, each group went out from a task on the event
loop, so between two commits the writer waited for the loop to run that task: under load
a loop lag of 6-15 ms between commits of 4-6 ms, and a batch waited for the commit in
flight, the lag, and its own commit (bench/rooms.py with the path probe,
docs/performance.md, session 14).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from typing import Any

from server.services.ports import CommitResult, PendingBatch

from .commit import Answer, Work

_Entry = tuple[str, list[PendingBatch], "asyncio.Future[list[CommitResult]]"]


class GroupWriter:
    """Commits what is waiting, group after group, on one executor thread.

    `commit` runs on that thread and gets every waiting board's batches in arrival order
    (a board may appear more than once: `commit_boards` takes it round by round). Each
    caller's future gets its board's answer, or the exception that failed the group.
    """

    def __init__(self, commit: Callable[[Work], list[Answer]], executor: Executor) -> None:
        self._commit = commit
        self._executor = executor
        self._lock = threading.Lock()
        self._waiting: list[_Entry] = []
        self._draining = False  # a drain runs or is queued on the executor

    def submit(
        self, board_id: str, pending: list[PendingBatch]
    ) -> asyncio.Future[list[CommitResult]]:
        """The board's answer, or `BoardGone`, or the exception that failed its group."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[list[CommitResult]] = loop.create_future()
        with self._lock:
            self._waiting.append((board_id, pending, done))
            start, self._draining = not self._draining, True
        if start:
            self._executor.submit(self._drain, loop)
        return done

    def _drain(self, loop: asyncio.AbstractEventLoop) -> None:
        """On the writer thread: commit until nothing is waiting."""
        while True:
            with self._lock:
                work, self._waiting = self._waiting, []
                if not work:
                    self._draining = False
                    return
            answers: list[Any]
            try:
                answers = self._commit([(board_id, pending) for board_id, pending, _ in work])
            except Exception as exc:  # the transaction failed: nobody's batches are saved
                answers = [exc] * len(work)
            try:
                loop.call_soon_threadsafe(answer_each, work, answers)
            except RuntimeError:  # the loop is closed: nobody waits for these answers
                return

    async def drained(self) -> None:
        """Wait until every group submitted so far is committed and answered."""
        await asyncio.get_running_loop().run_in_executor(self._executor, _nothing)


def answer_each(work: Sequence[tuple[Any, Any, asyncio.Future[Any]]], answers: list[Any]) -> None:
    """Each waiting caller gets its board's answer, or the exception that failed them."""
    for (_, _, done), answer in zip(work, answers, strict=True):
        if done.done():
            continue
        if isinstance(answer, BaseException):
            done.set_exception(answer)
        else:
            done.set_result(answer)


def _nothing() -> None:
    """A job behind the drains queued so far: its end means theirs have ended."""
