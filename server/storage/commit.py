"""The commit transaction, written once over a synchronous SQLAlchemy `Connection`.

PostgreSQL runs it with `AsyncConnection.run_sync` (asyncpg under SQLAlchemy's greenlet
bridge); SQLite runs it in the writer process over a pysqlite connection
(writer_process.py), so a whole group commit is one trip there and back instead of a
thread hop per statement (aiosqlite hops to its thread for every cursor, execute, fetch
and close).

On PostgreSQL the first statement bumps the board rows, which takes their row locks; on
SQLite BEGIN IMMEDIATE has taken the database's write lock before the first read. So
`seq` is assigned in commit order with no gaps.
"""

from __future__ import annotations

import hmac
import logging
import time
from dataclasses import dataclass, field
from typing import Any, NamedTuple, TypeVar

import orjson
from sqlalchemy import Connection

from server.domain.errors import ErrorCode, ProtocolError
from server.domain.facilitation import policy_for, rules_of
from server.domain.ops import Record, apply_ops, touched_ids
from server.services.ports import (
    BoardGone,
    CommitResult,
    CommitStatus,
    LoggedBatch,
    PendingBatch,
)

from .commit_sql import (
    BATCH_ID_DAYS,
    BATCH_ID_KEEP,
    READS_PG,
    SQLITE_READ_GROUP,
    SQLITE_WRITES,
    TRIM_IDS,
    TRIM_LOG,
    WRITE_ONCE_PG,
    pair_params,
    write_once_params,
)
from .driver_sql import execute, execute_many

log = logging.getLogger("samskap.commit")
# Answer to every batch of a board whose commit failed for a reason that is not the
# client's (a damaged stored row, a bug): that board alone is refused, never its group.
BOARD_FAILED = ProtocolError(
    ErrorCode.UNAVAILABLE, "this board could not be saved (a server error, logged); not saved"
)
# Answer to a batch sent over a link that was replaced since the socket joined (rule S13).
LINK_REPLACED = ProtocolError(ErrorCode.UNAUTHORIZED, "this link was replaced: ask for the new one")


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


_CHUNK = 500  # ids per IN list: far below SQLite's and asyncpg's parameter limits

Work = list[tuple[str, list[PendingBatch]]]
_T = TypeVar("_T")
Answer = list[CommitResult] | BoardGone


@dataclass(slots=True)
class _Writes:
    """The rows one round of a group commit writes, gathered over all its boards."""

    fresh: list[dict[str, Any]] = field(default_factory=list)
    ids: list[dict[str, Any]] = field(default_factory=list)
    moved: list[dict[str, Any]] = field(default_factory=list)
    log: list[dict[str, Any]] = field(default_factory=list)
    heads: list[dict[str, Any]] = field(default_factory=list)
    trims: list[dict[str, Any]] = field(default_factory=list)

    def extend(self, other: _Writes) -> None:
        self.fresh += other.fresh
        self.ids += other.ids
        self.moved += other.moved
        self.log += other.log
        self.heads += other.heads
        self.trims += other.trims

    def add_objects(
        self,
        board_id: str,
        changed: dict[str, tuple[Record, int, str]],
        stored: set[str],
        stamp: int,
    ) -> None:
        """New objects are inserted, stored ones updated (one executemany each)."""
        for object_id, (record, seq, author) in changed.items():
            if object_id in stored:
                self.moved.append(
                    {
                        "w_board": board_id,
                        "w_id": object_id,
                        "w_data": dumps(record.data),
                        "w_deleted": record.deleted,
                        "w_seq": seq,
                        "w_at": stamp,
                    }
                )
            else:
                row = object_row(board_id, record.data, seq, author, stamp)
                row["deleted"] = record.deleted
                self.fresh.append(row)


def commit_boards(
    conn: Connection, work: Work, log_retain: int, one_by_one: bool = False
) -> list[Answer]:
    """Every board's group in the caller's transaction, in order.

    One round of a handful of statements covers all boards of the group, however many
    there are (a board listed twice, say a room reopened, waits for the next round).
    A board that is gone is answered with its `BoardGone` and nothing is written for
    it. A board whose batches fail for any other reason (a damaged stored row, a bug)
    has them all refused with `unavailable` and is logged with its id and traceback;
    the other boards of the group commit as if it were not there. Only a failure of
    the database itself fails the whole transaction. When the group's shared write
    fails, `GroupWriteFailed` asks the caller for a new transaction with `one_by_one`
    (`commit_group`).
    """
    answers: dict[int, Answer] = {}
    while len(answers) < len(work):
        seen: set[str] = set()
        round_: list[int] = []
        for i, (board_id, _pending) in enumerate(work):
            if i not in answers and board_id not in seen:
                seen.add(board_id)
                round_.append(i)
        done = _commit_round(conn, [work[i] for i in round_], log_retain, one_by_one)
        answers.update(zip(round_, done, strict=True))
    return [answers[i] for i in range(len(work))]


def _commit_round(conn: Connection, work: Work, log_retain: int, one_by_one: bool) -> list[Answer]:
    """Lock, read, apply and write boards that each appear once in `work`."""
    read = _read_group_sqlite if conn.dialect.name == "sqlite" else _read_group_pg
    heads, known, records, hashes = read(conn, work)
    stamp = now_ms()
    per_board: dict[str, _Writes] = {}
    answers: list[Answer] = []
    for board_id, pending in work:
        head = heads.get(board_id)
        if head is None:
            answers.append(BoardGone(board_id))
            continue
        # Each board's rows are gathered apart, so a board that fails halfway leaves
        # nothing behind in the shared statements.
        mine = _Writes()
        try:
            answer = _apply_board(
                board_id,
                pending,
                head,
                (known[board_id], records[board_id], hashes.get(board_id, {})),
                stamp,
                mine,
            )
        except Exception:
            log.exception(
                "commit of board %s failed; its %d batch(es) refused", board_id, len(pending)
            )
            answers.append(_refused(head.seq, pending))
            continue
        per_board[board_id] = mine
        answers.append(answer)
    failed = _write_contained(conn, per_board, log_retain, one_by_one)
    for index, (board_id, pending) in enumerate(work):
        if board_id in failed:
            answers[index] = _refused(heads[board_id].seq, pending)
    return answers


def commit_group(conn: Connection, work: Work, log_retain: int) -> list[Answer]:
    """`commit_boards` in a transaction of its own; if the group's shared write fails,
    once more in a new one with each board's writes in a savepoint of its own."""
    try:
        with conn.begin():
            return commit_boards(conn, work, log_retain)
    except GroupWriteFailed:
        with conn.begin():
            return commit_boards(conn, work, log_retain, one_by_one=True)


def _refused(seq: int, pending: list[PendingBatch]) -> list[CommitResult]:
    return [CommitResult(CommitStatus.REFUSED, seq, error=BOARD_FAILED) for _ in pending]


class GroupWriteFailed(Exception):
    """The set-based write of a group of several boards failed. The caller rolls the
    transaction back and commits the group again with `one_by_one` (each board's writes
    in a savepoint of its own), so only the failing board is refused."""


def _write_contained(
    conn: Connection, per_board: dict[str, _Writes], log_retain: int, one_by_one: bool
) -> set[str]:
    """Write every board's rows in one go, or (`one_by_one`) board by board in savepoints.

    Returns the boards whose rows could not be written (nothing of theirs is kept). The
    common case has no savepoint: SAVEPOINT and RELEASE were two more steps of the
    database per group, and on SQLite each step lets go of the GIL and waits to take it
    back (rooms.py p99 about a quarter lower without them, docs/performance.md, session
    14). A failure then costs a second transaction (`GroupWriteFailed`).
    """
    if len(per_board) <= 1:  # one board: a failure fails the caller's transaction
        for mine in per_board.values():
            _write(conn, mine, log_retain)
        return set()
    if not one_by_one:
        writes = _Writes()
        for mine in per_board.values():
            writes.extend(mine)
        try:
            _write(conn, writes, log_retain)
        except Exception as exc:
            log.warning("a group write failed; writing its %d boards one by one", len(per_board))
            raise GroupWriteFailed from exc
        return set()
    failed: set[str] = set()
    for board_id, mine in per_board.items():
        try:
            with conn.begin_nested():
                _write(conn, mine, log_retain)
        except Exception:
            log.exception("writing board %s failed; its batches refused", board_id)
            failed.add(board_id)
    return failed


def _apply_board(
    board_id: str,
    pending: list[PendingBatch],
    head: Any,
    stored_state: tuple[
        dict[str, tuple[int, list[int], bool]], dict[str, Record | None], dict[str, str]
    ],
    stamp: int,
    writes: _Writes,
) -> list[CommitResult]:
    """Run one board's batches through the reducer; queue the rows they change."""
    known, records, hashes = stored_state
    seq, count = head.seq, head.object_count
    rules = rules_of(orjson.loads(head.settings))
    records = _parsed(records)
    stored = {object_id for object_id, record in records.items() if record is not None}
    results: list[CommitResult] = []
    changed: dict[str, tuple[Record, int, str]] = {}
    for batch in pending:
        if batch.link_hash and not hmac.compare_digest(hashes.get(batch.role, ""), batch.link_hash):
            results.append(CommitResult(CommitStatus.REFUSED, seq, error=LINK_REPLACED))
            continue
        if batch.batch_id in known:
            original_seq, original_skipped, was_applied = known[batch.batch_id]
            status = CommitStatus.DUPLICATE if was_applied else CommitStatus.NOOP
            results.append(CommitResult(status, original_seq, original_skipped))
            continue
        try:
            policy = policy_for(batch.role, batch.client, rules)
            outcome = apply_ops(batch.ops, records, count, policy)
        except ProtocolError as exc:
            results.append(CommitResult(CommitStatus.REFUSED, seq, error=exc))
            continue
        if not outcome.effective:
            # Remembered too, so that a resend is never applied later (rule S11).
            known[batch.batch_id] = (seq, outcome.skipped, False)
            writes.ids.append(_id_row(board_id, batch.batch_id, seq, outcome.skipped, False, stamp))
            results.append(CommitResult(CommitStatus.NOOP, seq, outcome.skipped))
            continue
        seq += 1
        count += outcome.live_delta
        for object_id, record in outcome.changed.items():
            records[object_id] = record
            changed[object_id] = (record, seq, batch.author)
        known[batch.batch_id] = (seq, outcome.skipped, True)
        writes.ids.append(_id_row(board_id, batch.batch_id, seq, outcome.skipped, True, stamp))
        writes.log.append(
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
        logged = LoggedBatch(seq, batch.batch_id, batch.client, outcome.applied, outcome.skipped)
        results.append(CommitResult(CommitStatus.APPLIED, seq, outcome.skipped, logged))
    if seq != head.seq:
        writes.add_objects(board_id, changed, stored, stamp)
        writes.heads.append({"h_id": board_id, "h_seq": seq, "h_count": count, "h_at": stamp})
        if head.seq // 1000 != seq // 1000:  # trim the log once per thousand batches
            writes.trims.append({"t_board": board_id, "t_upto": seq})
    return results


def _id_row(
    board_id: str, batch_id: str, seq: int, skipped: list[int], applied: bool, stamp: int
) -> dict[str, Any]:
    return {
        "board_id": board_id,
        "batch_id": batch_id,
        "seq": seq,
        "skipped": dumps(skipped),
        "applied": applied,
        "created_at": stamp,
    }


def _chunks(items: list[_T]) -> list[list[_T]]:
    return [items[i : i + _CHUNK] for i in range(0, len(items), _CHUNK)] or [[]]


Records = dict[str, dict[str, Record | None]]  # per board, by object id (None: not stored)
Known = dict[str, dict[str, tuple[int, list[int], bool]]]  # per board, by batch id
Read = tuple[dict[str, Any], Known, Records, dict[str, dict[str, str]]]


def _read_group_pg(conn: Connection, work: Work) -> Read:
    """PostgreSQL: lock the board rows (in id order), then read what the group needs."""
    heads = {
        row.id: row
        for part in _chunks(sorted(board_id for board_id, _ in work))
        for row in execute(conn, READS_PG.lock, {"l_ids": part})
    }
    live = [(board_id, pending) for board_id, pending in work if board_id in heads]
    return heads, _logged(conn, live), _records(conn, live), _link_hashes(conn, live)


class _Head(NamedTuple):
    id: str
    seq: int
    object_count: int
    settings: str


def _read_group_sqlite(conn: Connection, work: Work) -> Read:
    """SQLite: the heads, resends, stored records and link hashes in one statement."""
    records = _touched(work)
    params = {
        "boards": dumps([board_id for board_id, _ in work]),
        "batches": dumps([[board_id, p.batch_id] for board_id, pending in work for p in pending]),
        "pairs": dumps(
            [[board_id, object_id] for board_id, ids in records.items() for object_id in ids]
        ),
        "linked": dumps(
            [board_id for board_id, pending in work if any(p.link_hash for p in pending)]
        ),
    }
    [(heads_json, logged_json, records_json, links_json)] = execute(conn, SQLITE_READ_GROUP, params)
    heads = {row[0]: _Head(*row) for row in orjson.loads(heads_json)}
    known: Known = {board_id: {} for board_id, _ in work}
    for board_id, batch_id, seq, skipped, applied in orjson.loads(logged_json):
        known[board_id][batch_id] = (seq, orjson.loads(skipped), bool(applied))
    for board_id, object_id, data, deleted in orjson.loads(records_json):
        records[board_id][object_id] = _Stored(data, bool(deleted))  # type: ignore[assignment]
    hashes: dict[str, dict[str, str]] = {}
    for board_id, role, token_hash in orjson.loads(links_json):
        hashes.setdefault(board_id, {})[role] = token_hash
    return heads, known, records, hashes


def _logged(conn: Connection, work: Work) -> Known:
    """Per board, which of its pending batch ids it has answered before (resends)."""
    wanted = {board_id: {p.batch_id for p in pending} for board_id, pending in work}
    known: Known = {b: {} for b in wanted}
    ids = sorted(set().union(*wanted.values())) if wanted else []
    for board_part in _chunks(list(wanted)) if ids else []:
        for id_part in _chunks(ids):
            params = {"g_boards": board_part, "g_ids": id_part}
            for r in execute(conn, READS_PG.logged, params):
                if r.batch_id in wanted[r.board_id]:
                    known[r.board_id][r.batch_id] = (
                        r.seq,
                        orjson.loads(r.skipped),
                        bool(r.applied),
                    )
    return known


def _link_hashes(conn: Connection, work: Work) -> dict[str, dict[str, str]]:
    """Each board's current link hashes by role, read only where a batch carries one.

    Read in the commit's own transaction: a link replaced on another process is seen
    even when the pub/sub message that closes its sockets was lost (rule S13)."""
    ids = [board_id for board_id, pending in work if any(p.link_hash for p in pending)]
    hashes: dict[str, dict[str, str]] = {}
    for part in _chunks(ids) if ids else []:
        for row in execute(conn, READS_PG.links, {"k_ids": part}):
            hashes.setdefault(row.board_id, {})[row.role] = row.token_hash
    return hashes


def _records(conn: Connection, work: Work) -> Records:
    """Per board, the stored records its batches touch (None where there is none yet)."""
    records = _touched(work)
    pairs = [(board_id, object_id) for board_id, ids in records.items() for object_id in ids]
    for part in _chunks(pairs) if pairs else []:
        for r in execute(conn, READS_PG.records, pair_params(part)):
            records[r.board_id][r.id] = _Stored(r.data, bool(r.deleted))  # type: ignore[assignment]
    return records


def _touched(work: Work) -> Records:
    """Per board, the ids its batches touch, none read yet."""
    records: Records = {}
    for board_id, pending in work:
        touched: set[str] = set()
        for batch in pending:
            touched |= touched_ids(batch.ops)
        records[board_id] = dict.fromkeys(touched)
    return records


@dataclass(slots=True)
class _Stored:
    """A stored row not yet parsed: parsing belongs to its board's own (contained) part."""

    data: str
    deleted: bool


def _parsed(records: dict[str, Record | None]) -> dict[str, Record | None]:
    for object_id, record in records.items():
        if isinstance(record, _Stored):
            data = orjson.loads(record.data)
            if not isinstance(data, dict):
                raise ValueError(f"stored object {object_id} is not an object")
            records[object_id] = Record(data, record.deleted)
    return records


def _write_once_pg(conn: Connection, w: _Writes) -> None:
    """PostgreSQL: the round's rows in one statement, one round trip (commit_sql.py)."""
    execute(conn, WRITE_ONCE_PG, write_once_params(w.ids, w.log, w.fresh, w.moved, w.heads))


def _write(conn: Connection, writes: _Writes, log_retain: int) -> None:
    """The round's rows: one statement on PostgreSQL, one per kind of row on SQLite."""
    if conn.dialect.name == "postgresql":
        if writes.ids or writes.heads:  # else every batch was a resend: nothing to write
            _write_once_pg(conn, writes)
    else:
        _write_sqlite(conn, writes)
    if writes.trims:
        _trim(conn, writes.trims, log_retain)


def _write_sqlite(conn: Connection, writes: _Writes) -> None:
    """SQLite: one statement per kind of row (commit_sql.py, SQLITE_WRITES)."""
    for kind, write in SQLITE_WRITES:
        rows = getattr(writes, kind)
        if rows:
            execute(conn, write.statement, write.params(rows))


def _trim(conn: Connection, trims: list[dict[str, Any]], log_retain: int) -> None:
    """The log beyond `log_retain` batches and old batch ids (once per 1,000 batches)."""
    execute_many(conn, TRIM_LOG, [{**t, "t_upto": t["t_upto"] - log_retain} for t in trims])
    before = now_ms() - BATCH_ID_DAYS * 86_400_000
    id_trims = [
        {"t_board": t["t_board"], "t_ids_upto": t["t_upto"] - BATCH_ID_KEEP, "t_ids_before": before}
        for t in trims
    ]
    execute_many(conn, TRIM_IDS, id_trims)
