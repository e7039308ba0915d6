"""SQLite's writer process groups what waits itself (server/storage/writer_process.py).

What arrives while a group is in the child goes out next, as one group, in arrival
order, from the callback that reads the answer; a failed group fails only its own
callers; `drained` returns once everything given is answered. The child here is the
real one on a real SQLite file, held with SIGSTOP so that others queue behind it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from server.domain.ops import parse_ops
from server.services.ports import CommitStatus, PendingBatch
from server.storage.engine import create_engine, migrate
from server.storage.store import SqlBoardStore
from server.storage.writer_process import WriterProcess


def pending(batch_id: str, note: str, text: str = "") -> list[PendingBatch]:
    new = {"id": note, "kind": "note", "x": 0, "y": 0, "text": text}
    ops = parse_ops([{"op": "create", "object": new}])
    return [PendingBatch(batch_id, "c1", "Kari", ops, "participant")]


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqlBoardStore]:
    store = SqlBoardStore(create_engine(f"sqlite+aiosqlite:///{tmp_path / 'g.db'}"))
    await migrate(store.engine)
    for board in "abcd":
        await store.create_board(board, board, {}, {"participant": "0" * 64}, [])
    await store.start()
    yield store
    await store.close()


def writer_of(store: SqlBoardStore) -> WriterProcess:
    writer = store._sync_writer
    assert writer is not None and writer.pid is not None
    return writer


@contextlib.asynccontextmanager
async def first_group_held(store: SqlBoardStore) -> AsyncIterator[asyncio.Future[Any]]:
    """The child stopped (SIGSTOP) with board a's first batch in it; what the block
    commits waits behind it. The child goes on (SIGCONT) when the block ends."""
    writer = writer_of(store)
    pid, sent = writer.pid or 0, writer.groups
    os.kill(pid, signal.SIGSTOP)
    try:
        first = asyncio.ensure_future(store.commit("a", pending("a1", "n1")))
        for _ in range(200):
            if writer.groups > sent:
                break
            await asyncio.sleep(0.01)
        assert writer.groups == sent + 1, "the first group did not go out"
        yield first
        await asyncio.sleep(0.05)  # room for anything sent too early to show
        assert writer.groups == sent + 1 and not first.done()
    finally:
        os.kill(pid, signal.SIGCONT)
    [one] = await first
    assert (one.status, one.seq) == (CommitStatus.APPLIED, 1)


async def test_what_arrives_during_a_commit_is_the_next_group(store: SqlBoardStore) -> None:
    writer = writer_of(store)
    async with first_group_held(store):
        sent = writer.groups
        later = [
            asyncio.ensure_future(store.commit(board, pending(f"{board}2", f"n{board}")))
            for board in ("b", "a", "c")
        ]
    answers = await asyncio.gather(*later)
    assert [(r.status, r.seq) for [r] in answers] == [(CommitStatus.APPLIED, s) for s in (1, 2, 1)]
    assert writer.groups == sent + 1  # the three went as one group


async def test_a_failed_group_fails_its_callers_only(store: SqlBoardStore) -> None:
    writer = writer_of(store)
    async with first_group_held(store):
        failing = [
            asyncio.ensure_future(writer.commit([("b", None)])),  # type: ignore[list-item]
            asyncio.ensure_future(store.commit("c", pending("c2", "n2"))),
        ]
    for future in failing:  # raised in the child, pickled back to every caller of the group
        with pytest.raises(TypeError):
            await future
    [next_] = await store.commit("d", pending("d3", "n3"))
    assert next_.status is CommitStatus.APPLIED  # the same child goes on
    meta = await store.board("c")
    assert meta is not None and meta.seq == 0  # nothing of the failed group was written


async def test_drained_waits_for_every_answer(store: SqlBoardStore) -> None:
    writer = writer_of(store)
    async with first_group_held(store) as first:
        second = asyncio.ensure_future(store.commit("b", pending("b2", "n2")))
        waiting = asyncio.ensure_future(writer.drained())
        await asyncio.sleep(0.05)
        assert not waiting.done()  # the first group is still held
    async with asyncio.timeout(5):
        await waiting
    assert first.done() and second.done()


async def test_a_group_larger_than_the_sockets_buffers_arrives_whole(
    store: SqlBoardStore,
) -> None:
    """Messages are cut into pieces by the socket (a few hundred KB at most in one go);
    the loop's reader puts them together before it reads a group's answers."""
    writer = writer_of(store)
    text = "ø" * 5_000
    work = [
        (board, [pending(f"{board}{i}", f"{board}n{i}", text)[0] for i in range(150)])
        for board in "abcd"
    ]
    answers = await writer.commit(work)  # about 6 MB out, and the answers back
    seqs = [[r.seq for r in answer] for answer in answers if isinstance(answer, list)]
    assert seqs == [list(range(1, 151))] * 4
    snapshot = await store.snapshot("d")
    assert snapshot is not None and {o["text"] for o in snapshot.objects} == {text}
