"""One transaction commits many boards' groups with a handful of statements.

The set-based round must answer every board exactly as committing it alone would: its
own seq, its own records (an object id may live on several boards), retried batch ids
answered with their first seq, a deleted board answered `BoardGone` without touching
the others, and a board listed twice committed in order.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from server.config import Settings
from server.domain.ops import parse_ops
from server.services.ports import BoardGone, CommitResult, CommitStatus, PendingBatch
from server.storage.engine import create_engine, migrate
from server.storage.store import SqlBoardStore
from server.storage.writer_process import WriterGone
from tests.support.processes import alive, ended


@pytest.fixture
async def store(db_settings: Settings) -> AsyncIterator[SqlBoardStore]:
    engine = create_engine(db_settings.database_url, schema=db_settings.database_schema)
    await migrate(engine)
    store = SqlBoardStore(engine)
    yield store
    await store.close()


def batch(batch_id: str, *ops: dict[str, Any], role: str = "participant") -> PendingBatch:
    return PendingBatch(batch_id, "c1", "Kari", parse_ops(list(ops)), role)


def create(object_id: str, x: float = 0) -> dict[str, Any]:
    return {"op": "create", "object": {"id": object_id, "kind": "note", "x": x, "y": 0}}


def move(object_id: str, x: float) -> dict[str, Any]:
    return {"op": "update", "id": object_id, "set": {"x": x}}


async def commit_group(
    store: SqlBoardStore, work: list[tuple[str, list[PendingBatch]]]
) -> list[list[CommitResult] | BoardGone]:
    """One group commit the way the store runs it: on SQLite, on the writer thread with
    the driver-level statements (driver_sql.py); on PostgreSQL, through SQLAlchemy."""
    return await store._commit_group(work)


async def xs(store: SqlBoardStore, board_id: str) -> dict[str, float]:
    snapshot = await store.snapshot(board_id)
    assert snapshot is not None
    return {o["id"]: o["x"] for o in snapshot.objects}


async def test_one_round_answers_each_board_as_alone(store: SqlBoardStore) -> None:
    for board_id in ("a", "b", "gone"):
        await store.create_board(board_id, board_id, {}, {"participant": "0" * 64}, [])
    await store.delete_board("gone")

    first = await commit_group(
        store,
        [
            ("a", [batch("a1", create("n1", 1)), batch("a2", create("n2", 2))]),
            ("gone", [batch("g1", create("n1"))]),
            ("b", [batch("b1", create("n1", 10))]),
        ],
    )
    a, gone, b = first
    assert isinstance(gone, BoardGone)
    assert not isinstance(a, BoardGone) and not isinstance(b, BoardGone)
    assert [(r.status, r.seq) for r in a] == [(CommitStatus.APPLIED, 1), (CommitStatus.APPLIED, 2)]
    assert [(r.status, r.seq) for r in b] == [(CommitStatus.APPLIED, 1)]

    # b's "n1" is its own object: moving a's "n1" leaves it alone; a retry of "a1"
    # is a duplicate with its first seq; "a" listed twice commits its groups in order.
    second = await commit_group(
        store,
        [
            ("a", [batch("a1", create("n1", 1)), batch("a3", move("n1", 5))]),
            ("b", [batch("b2", move("n1", 20))]),
            ("a", [batch("a4", move("n1", 7)), batch("a3", move("n1", 5))]),
        ],
    )
    a_first, b_second, a_again = second
    assert not isinstance(a_first, BoardGone)
    assert not isinstance(b_second, BoardGone)
    assert not isinstance(a_again, BoardGone)
    assert [(r.status, r.seq) for r in a_first] == [
        (CommitStatus.DUPLICATE, 1),
        (CommitStatus.APPLIED, 3),
    ]
    assert [(r.status, r.seq) for r in a_again] == [
        (CommitStatus.APPLIED, 4),
        (CommitStatus.DUPLICATE, 3),
    ]
    assert [(r.status, r.seq) for r in b_second] == [(CommitStatus.APPLIED, 2)]

    assert await xs(store, "a") == {"n1": 7, "n2": 2}
    assert await xs(store, "b") == {"n1": 20}
    meta_a, meta_b = await store.board("a"), await store.board("b")
    assert meta_a is not None and (meta_a.seq, meta_a.object_count) == (4, 2)
    assert meta_b is not None and (meta_b.seq, meta_b.object_count) == (2, 1)
    caught_up = await store.batches_since("a", 0)
    assert caught_up is not None
    assert [logged.seq for logged in caught_up[1]] == [1, 2, 3, 4]


async def test_a_refused_batch_leaves_the_rest_of_the_round(store: SqlBoardStore) -> None:
    await store.create_board("a", "a", {}, {"participant": "0" * 64}, [])
    await store.create_board("b", "b", {}, {"participant": "0" * 64}, [])
    answers = await commit_group(
        store,
        [
            ("a", [batch("v1", create("n1"), role="viewer"), batch("a1", create("n2", 3))]),
            ("b", [batch("b1", create("n3", 4))]),
        ],
    )
    a, b = answers
    assert not isinstance(a, BoardGone) and not isinstance(b, BoardGone)
    assert [r.status for r in a] == [CommitStatus.REFUSED, CommitStatus.APPLIED]
    assert await xs(store, "a") == {"n2": 3}
    assert await xs(store, "b") == {"n3": 4}


async def test_many_boards_through_the_store_at_once(store: SqlBoardStore) -> None:
    """Concurrent commits (on SQLite: one group commit across boards) each get their seq."""
    board_ids = [f"r{i}" for i in range(40)]
    for board_id in board_ids:
        await store.create_board(board_id, board_id, {}, {"participant": "0" * 64}, [])
    results = await asyncio.gather(
        *(
            store.commit(b, [batch(f"{b}-1", create("n", 1)), batch(f"{b}-2", move("n", 2))])
            for b in board_ids
        )
    )
    for result in results:
        assert [(r.status, r.seq) for r in result] == [
            (CommitStatus.APPLIED, 1),
            (CommitStatus.APPLIED, 2),
        ]
    for board_id in board_ids:
        assert await xs(store, board_id) == {"n": 2}


async def test_boards_from_one_template_read_each_its_own_records_past_a_chunk(
    store: SqlBoardStore,
) -> None:
    """Boards made from one template share their object ids: a group that touches the
    same 250 ids on three boards (750 board-and-id pairs, more than one read of 500)
    moves each board's own notes, and each keeps its own text."""
    ids = [f"t{i}" for i in range(250)]
    for board_id in ("k1", "k2", "k3"):
        notes = [{"id": i, "kind": "note", "x": 0, "y": 0, "text": f"{board_id}:{i}"} for i in ids]
        await store.create_board(board_id, board_id, {}, {"participant": "0" * 64}, notes)
    work = [
        (b, [batch(f"{b}-move", *(move(i, n) for i in ids))])
        for n, b in enumerate(("k1", "k2", "k3"), start=1)
    ]
    answers = await commit_group(store, work)
    for answer in answers:
        assert not isinstance(answer, BoardGone)
        assert [(r.status, r.seq) for r in answer] == [(CommitStatus.APPLIED, 1)]
    for n, board_id in enumerate(("k1", "k2", "k3"), start=1):
        snapshot = await store.snapshot(board_id)
        assert snapshot is not None
        assert {o["id"]: (o["x"], o["text"]) for o in snapshot.objects} == {
            i: (n, f"{board_id}:{i}") for i in ids
        }


async def test_s13_a_batch_over_a_replaced_link_is_refused_in_the_commit(
    store: SqlBoardStore,
) -> None:
    """The link is checked in the commit's own transaction: a batch sent over a link
    that was replaced is refused `unauthorized` and writes nothing, batches over the
    current link (and the other boards of the group) commit as usual."""
    old, new = "1" * 64, "2" * 64
    for board_id in ("a", "b"):
        await store.create_board(board_id, board_id, {}, {"participant": old}, [])
    await store.replace_link("a", "participant", "new-token", new)  # "a" rotated its link

    def linked(batch_id: str, link_hash: str, *ops: dict[str, Any]) -> PendingBatch:
        return PendingBatch(batch_id, "c1", "Kari", parse_ops(list(ops)), "participant", link_hash)

    a, b = await commit_group(
        store,
        [
            ("a", [linked("a1", old, create("n1")), linked("a2", new, create("n2"))]),
            ("b", [linked("b1", old, create("n1"))]),
        ],
    )
    assert not isinstance(a, BoardGone) and not isinstance(b, BoardGone)
    assert a[0].status is CommitStatus.REFUSED
    assert a[0].error is not None and a[0].error.code.value == "unauthorized"
    assert [(r.status, r.seq) for r in a[1:]] == [(CommitStatus.APPLIED, 1)]
    assert [(r.status, r.seq) for r in b] == [(CommitStatus.APPLIED, 1)]
    assert await xs(store, "a") == {"n2": 0}
    assert await xs(store, "b") == {"n1": 0}


async def test_two_processes_commit_overlapping_groups_without_deadlock(
    store: SqlBoardStore, db_settings: Settings
) -> None:
    """Two stores (as two processes) commit groups over the same ten boards, one listing
    them forwards, the other backwards, at once: rows are locked in id order, so no
    group waits in a circle (PostgreSQL would abort one as a deadlock); every batch is
    applied once and each board's seqs have no gaps."""
    engine = create_engine(db_settings.database_url, schema=db_settings.database_schema)
    other = SqlBoardStore(engine)
    names = [f"b{i}" for i in range(10)]
    for board_id in names:
        await store.create_board(board_id, board_id, {}, {"participant": "0" * 64}, [])

    async def rounds(on: SqlBoardStore, order: list[str], tag: str) -> None:
        for r in range(15):
            work = [(b, [batch(f"{tag}{r}{b}", create(f"{tag}{r}{b}"))]) for b in order]
            answers = await commit_group(on, work)
            assert all(not isinstance(a, BoardGone) for a in answers)

    try:
        await asyncio.gather(
            rounds(store, names, "f"), rounds(other, names[::-1], "r"), rounds(store, names, "g")
        )
    finally:
        await other.close()
    for board_id in names:
        meta = await store.board(board_id)
        assert meta is not None and meta.seq == 45
        assert len(await xs(store, board_id)) == 45


async def test_the_sqlite_writer_process_survives_a_failed_commit_and_its_own_death(
    store: SqlBoardStore,
) -> None:
    """SQLite commits run in a writer process (writer_process.py). A commit that raises
    there is raised here and the next one lands; a writer killed between commits is
    replaced unseen; one killed with a commit in flight fails that commit only, with
    `WriterGone` (its senders resend by batch id), and the next commit lands."""
    writer = store._sync_writer
    if writer is None:
        pytest.skip("PostgreSQL commits through the async engine's pool")
    await store.create_board("a", "a", {}, {"participant": "0" * 64}, [])
    await commit_group(store, [("a", [batch("a1", create("n1", 1))])])
    first = writer.pid
    assert first is not None and first != os.getpid()
    await commit_group(store, [("a", [batch("a2", move("n1", 2))])])
    assert writer.pid == first  # one process for every commit

    with pytest.raises(TypeError):  # raised in the child, pickled back
        await commit_group(store, [("a", None)])  # type: ignore[list-item]
    assert writer.pid == first
    await commit_group(store, [("a", [batch("a3", move("n1", 3))])])

    os.kill(first, signal.SIGKILL)
    assert await ended(first)
    [answer] = await commit_group(store, [("a", [batch("a4", move("n1", 4))])])
    assert not isinstance(answer, BoardGone) and answer[0].status is CommitStatus.APPLIED
    second = writer.pid
    assert second not in (None, first)

    assert second is not None
    os.kill(second, signal.SIGSTOP)  # it takes the next group and never answers ...
    in_flight = asyncio.ensure_future(commit_group(store, [("a", [batch("a5", move("n1", 5))])]))
    await asyncio.sleep(0.2)
    assert not in_flight.done()
    os.kill(second, signal.SIGKILL)  # ... then dies
    with pytest.raises(WriterGone):
        await in_flight
    [answer] = await commit_group(store, [("a", [batch("a6", move("n1", 6))])])
    assert not isinstance(answer, BoardGone) and answer[0].status is CommitStatus.APPLIED
    assert await xs(store, "a") == {"n1": 6}


async def test_the_sqlite_writer_ignores_ctrl_c_ends_on_sigterm_and_with_the_store(
    tmp_path: Path,
) -> None:
    """Ctrl-C in a terminal signals the whole process group: the writer keeps
    committing (the server decides when to stop). SIGTERM ends an idle writer, and the
    next commit starts a new one. Closing the store ends the writer."""
    store = SqlBoardStore(create_engine(f"sqlite+aiosqlite:///{tmp_path / 'w.db'}"))
    await migrate(store.engine)
    await store.create_board("a", "a", {}, {"participant": "0" * 64}, [])
    await commit_group(store, [("a", [batch("a1", create("n1", 1))])])
    writer = store._sync_writer
    assert writer is not None
    pid = writer.pid
    assert pid is not None
    os.kill(pid, signal.SIGINT)
    [answer] = await commit_group(store, [("a", [batch("a2", move("n1", 2))])])
    assert not isinstance(answer, BoardGone) and answer[0].status is CommitStatus.APPLIED
    assert writer.pid == pid and alive(pid)

    os.kill(pid, signal.SIGTERM)
    assert await ended(pid)
    [answer] = await commit_group(store, [("a", [batch("a3", move("n1", 3))])])
    assert not isinstance(answer, BoardGone) and answer[0].status is CommitStatus.APPLIED
    second = writer.pid
    assert second not in (None, pid)
    await store.close()
    assert second is not None and not alive(second)
    assert await xs_of(tmp_path / "w.db", "a") == {"n1": 3}


def test_a_program_that_never_closes_its_store_still_exits(tmp_path: Path) -> None:
    """multiprocessing ends its children at exit with SIGTERM and waits for them: a
    writer that ignored SIGTERM would hang any program that did not close its store."""
    script = tmp_path / "unclosed.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import asyncio
            from server.storage.engine import create_engine, migrate
            from server.storage.store import SqlBoardStore

            async def main():
                store = SqlBoardStore(create_engine("sqlite+aiosqlite:///{tmp_path}/u.db"))
                await migrate(store.engine)
                await store.start()
                await store.create_board("a", "a", {{}}, {{"participant": "0" * 64}}, [])
                await store.engine.dispose()  # and the store is never closed

            if __name__ == "__main__":
                asyncio.run(main())
                print("done", flush=True)
            """
        )
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, str(script)],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "done"


async def xs_of(database: Path, board_id: str) -> dict[str, float]:
    """A board's x positions read by a store of its own (what another process sees)."""
    store = SqlBoardStore(create_engine(f"sqlite+aiosqlite:///{database}"))
    try:
        return await xs(store, board_id)
    finally:
        await store.close()


async def test_awkward_text_comes_back_as_it_was_written(store: SqlBoardStore) -> None:
    """Every row goes through one JSON parameter on SQLite (commit_sql.py): quotes,
    backslashes, escapes, line breaks, emoji and JSON-looking text come back unchanged.
    (Control characters other than line breaks and tabs are refused by validation.)"""
    await store.create_board("t", "t", {}, {"participant": "0" * 64}, [])
    texts = [
        'say "hi" \\ bye',
        "\\u0000 is six characters",
        "line\nbreak\ttab",
        "😀 æøå ŋ",
        '{"op":"x"}',
    ]
    ops = [
        {"op": "create", "object": {"id": f"n{i}", "kind": "note", "x": 0, "y": 0, "text": t}}
        for i, t in enumerate(texts)
    ]
    [answer] = await commit_group(store, [("t", [batch("t1", *ops)])])
    assert not isinstance(answer, BoardGone) and answer[0].status is CommitStatus.APPLIED
    update = {"op": "update", "id": "n0", "set": {"text": texts[0] + " ✓"}}
    await commit_group(store, [("t", [batch("t2", update)])])
    snapshot = await store.snapshot("t")
    assert snapshot is not None
    got = {o["id"]: o["text"] for o in snapshot.objects}
    assert got == {f"n{i}": t for i, t in enumerate(texts)} | {"n0": texts[0] + " ✓"}
    [again] = await commit_group(store, [("t", [batch("t1", *ops)])])  # a resend
    assert not isinstance(again, BoardGone) and again[0].status is CommitStatus.DUPLICATE
