"""SQLite's writer thread takes the waiting groups itself (server/storage/group_writer.py).

What arrives while a commit runs is committed next, in one group, in arrival order,
without the event loop handing it over; a failed group fails only its own callers;
`drained` returns once everything submitted is answered. The commit here is a plain
function that records what it got, run on a real one-thread executor.
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from server.services.ports import PendingBatch
from server.storage.group_writer import GroupWriter


def pending(batch_id: str) -> list[PendingBatch]:
    return [PendingBatch(batch_id, "c1", "Kari", [], "participant")]


class Recorder:
    """Commits by answering each board with its batch ids; can hold the first commit
    (to let others queue behind it) and fail groups holding a given batch."""

    def __init__(self, fail_on: str = "") -> None:
        self.groups: list[list[str]] = []
        self.hold = threading.Event()
        self.holding = threading.Event()
        self.fail_on = fail_on

    def __call__(self, work: list[tuple[str, list[PendingBatch]]]) -> list[Any]:
        if not self.groups:
            self.holding.set()
            assert self.hold.wait(5)
        ids = [p.batch_id for _, batches in work for p in batches]
        self.groups.append(ids)
        if self.fail_on in ids:
            raise RuntimeError("disk full")
        return [[p.batch_id for p in batches] for _, batches in work]


@pytest.fixture
def executor() -> Any:
    pool = ThreadPoolExecutor(1, thread_name_prefix="test-writer")
    yield pool
    pool.shutdown(wait=True)


async def test_what_arrives_during_a_commit_is_the_next_group(executor: Any) -> None:
    commit = Recorder()
    writer = GroupWriter(commit, executor)
    first = writer.submit("a", pending("a1"))
    assert await asyncio.to_thread(commit.holding.wait, 5)
    later = [writer.submit(board, pending(f"{board}2")) for board in ("b", "a", "c")]
    commit.hold.set()
    assert await first == ["a1"]
    assert await asyncio.gather(*later) == [["b2"], ["a2"], ["c2"]]
    assert commit.groups == [["a1"], ["b2", "a2", "c2"]]


async def test_a_failed_group_fails_its_callers_only(executor: Any) -> None:
    commit = Recorder(fail_on="b2")
    writer = GroupWriter(commit, executor)
    first = writer.submit("a", pending("a1"))
    assert await asyncio.to_thread(commit.holding.wait, 5)
    failing = [writer.submit("b", pending("b2")), writer.submit("c", pending("c2"))]
    commit.hold.set()
    assert await first == ["a1"]
    for future in failing:
        with pytest.raises(RuntimeError, match="disk full"):
            await future
    assert await writer.submit("d", pending("d3")) == ["d3"]  # the thread goes on


async def test_drained_waits_for_every_answer(executor: Any) -> None:
    commit = Recorder()
    writer = GroupWriter(commit, executor)
    futures = [writer.submit("a", pending("a1"))]
    assert await asyncio.to_thread(commit.holding.wait, 5)
    futures.append(writer.submit("b", pending("b2")))
    waiting = asyncio.ensure_future(writer.drained())
    await asyncio.sleep(0.05)
    assert not waiting.done()  # the first commit is still held
    commit.hold.set()
    await asyncio.wait_for(waiting, 5)
    assert all(future.done() for future in futures)
