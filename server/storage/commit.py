"""The commit transaction, written once over a synchronous SQLAlchemy `Connection`.

PostgreSQL runs it with `AsyncConnection.run_sync` (asyncpg under SQLAlchemy's greenlet
bridge); SQLite runs it on the store's writer thread over a pysqlite connection, so a
whole group commit is one thread hop instead of several per statement (aiosqlite hops
to its thread for every cursor, execute, fetch and close).

The first statement bumps the board row, which takes the row lock (PostgreSQL) or comes
after the write lock (SQLite, BEGIN IMMEDIATE), so `seq` is assigned in commit order
with no gaps.
"""

from __future__ import annotations

import time
from typing import Any

import orjson
from sqlalchemy import Connection, bindparam, delete, insert, select, update

from server.domain.errors import ProtocolError
from server.domain.facilitation import current as session_of
from server.domain.facilitation import policy_for
from server.domain.ops import Record, apply_ops, touched_ids
from server.services.ports import (
    BoardGone,
    CommitResult,
    CommitStatus,
    LoggedBatch,
    PendingBatch,
)

from .tables import batches, boards, objects


def now_ms() -> int:
    return int(time.time() * 1000)


def dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


def object_row(
    board_id: str, obj: dict[str, Any], seq: int, author: str, stamp: int
) -> dict[str, Any]:
    return {
        "board_id": board_id,
        "id": obj["id"],
        "kind": obj["kind"],
        "data": dumps(obj),
        "deleted": False,
        "author": author,
        "created_seq": seq,
        "updated_seq": seq,
        "created_at": stamp,
        "updated_at": stamp,
    }


# Every changed object in one executemany: building and sending one UPDATE per object
# took 80 % of a 64-batch commit touching 64 notes (bench/commit.py, docs/performance.md).
_UPDATE_OBJECT = (
    update(objects)
    .where(objects.c.board_id == bindparam("w_board"), objects.c.id == bindparam("w_id"))
    .values(
        data=bindparam("w_data"),
        deleted=bindparam("w_deleted"),
        updated_seq=bindparam("w_seq"),
        updated_at=bindparam("w_at"),
    )
)

Work = list[tuple[str, list[PendingBatch]]]


def commit_boards(
    conn: Connection, work: Work, log_retain: int
) -> list[list[CommitResult] | BoardGone]:
    """Every board's group in the caller's transaction, in order.

    A board that is gone is answered with its `BoardGone` (raised before anything is
    written for it); any other error propagates and fails the whole transaction.
    """
    answers: list[list[CommitResult] | BoardGone] = []
    for board_id, pending in work:
        try:
            answers.append(commit_board(conn, board_id, pending, log_retain))
        except BoardGone as exc:
            answers.append(exc)
    return answers


def commit_board(
    conn: Connection, board_id: str, pending: list[PendingBatch], log_retain: int
) -> list[CommitResult]:
    """Apply `pending` to one board in order, inside the caller's transaction."""
    head = conn.execute(
        update(boards)
        .where(boards.c.id == board_id)
        .values(seq=boards.c.seq)
        .returning(boards.c.seq, boards.c.object_count, boards.c.settings)
    ).first()
    if head is None:
        raise BoardGone(board_id)
    seq, count = head.seq, head.object_count
    session = session_of(orjson.loads(head.settings))
    stamp = now_ms()

    known = _logged(conn, board_id, [p.batch_id for p in pending])
    ids: set[str] = set()
    for batch in pending:
        ids |= touched_ids(batch.ops)
    records, stored = _records(conn, board_id, ids)

    results: list[CommitResult] = []
    log_rows: list[dict[str, Any]] = []
    changed: dict[str, tuple[Record, int, str]] = {}
    for batch in pending:
        if batch.batch_id in known:
            original_seq, original_skipped = known[batch.batch_id]
            results.append(CommitResult(CommitStatus.DUPLICATE, original_seq, original_skipped))
            continue
        try:
            policy = policy_for(batch.role, batch.client, session)
            outcome = apply_ops(batch.ops, records, count, policy)
        except ProtocolError as exc:
            results.append(CommitResult(CommitStatus.REFUSED, seq, error=exc))
            continue
        if not outcome.effective:
            results.append(CommitResult(CommitStatus.NOOP, seq, outcome.skipped))
            continue
        seq += 1
        count += outcome.live_delta
        for object_id, record in outcome.changed.items():
            records[object_id] = record
            changed[object_id] = (record, seq, batch.author)
        logged = LoggedBatch(seq, batch.batch_id, batch.client, outcome.applied)
        known[batch.batch_id] = (seq, outcome.skipped)
        log_rows.append(
            {
                "board_id": board_id,
                "seq": seq,
                "batch_id": batch.batch_id,
                "client": batch.client,
                "ops": dumps(outcome.applied),
                "skipped": dumps(outcome.skipped),
                "created_at": stamp,
            }
        )
        results.append(CommitResult(CommitStatus.APPLIED, seq, outcome.skipped, logged))

    if log_rows:
        _write_objects(conn, board_id, changed, stored, stamp)
        conn.execute(insert(batches), log_rows)
        conn.execute(
            update(boards)
            .where(boards.c.id == board_id)
            .values(seq=seq, object_count=count, updated_at=stamp)
        )
        first = log_rows[0]["seq"]
        if (first - 1) // 1000 != seq // 1000:  # trim once per thousand batches
            conn.execute(
                delete(batches).where(
                    batches.c.board_id == board_id, batches.c.seq <= seq - log_retain
                )
            )
    return results


def _logged(
    conn: Connection, board_id: str, batch_ids: list[str]
) -> dict[str, tuple[int, list[int]]]:
    rows = conn.execute(
        select(batches.c.batch_id, batches.c.seq, batches.c.skipped).where(
            batches.c.board_id == board_id, batches.c.batch_id.in_(set(batch_ids))
        )
    )
    return {r.batch_id: (r.seq, orjson.loads(r.skipped)) for r in rows}


def _records(
    conn: Connection, board_id: str, ids: set[str]
) -> tuple[dict[str, Record | None], set[str]]:
    records: dict[str, Record | None] = dict.fromkeys(ids)
    if not ids:
        return records, set()
    rows = conn.execute(
        select(objects.c.id, objects.c.data, objects.c.deleted).where(
            objects.c.board_id == board_id, objects.c.id.in_(ids)
        )
    )
    for r in rows:
        records[r.id] = Record(orjson.loads(r.data), bool(r.deleted))
    return records, {i for i, rec in records.items() if rec is not None}


def _write_objects(
    conn: Connection,
    board_id: str,
    changed: dict[str, tuple[Record, int, str]],
    stored: set[str],
    stamp: int,
) -> None:
    fresh = []
    for object_id, (record, seq, author) in changed.items():
        if object_id in stored:
            continue
        row = object_row(board_id, record.data, seq, author, stamp)
        row["deleted"] = record.deleted
        fresh.append(row)
    if fresh:
        conn.execute(insert(objects), fresh)
    moved = [
        {
            "w_board": board_id,
            "w_id": object_id,
            "w_data": dumps(record.data),
            "w_deleted": record.deleted,
            "w_seq": seq,
            "w_at": stamp,
        }
        for object_id, (record, seq, _author) in changed.items()
        if object_id in stored
    ]
    if moved:
        conn.execute(_UPDATE_OBJECT, moved)
