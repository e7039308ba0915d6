"""The SQL board store: the one place where batches become durable.

`commit` is the ordering point of a board across all processes: its first statement
bumps the board row, which takes the row lock (PostgreSQL) or the write lock
(SQLite, BEGIN IMMEDIATE), so `seq` is assigned in commit order with no gaps.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import orjson
from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from server.domain.errors import ErrorCode, ProtocolError
from server.domain.facilitation import current as session_of
from server.domain.facilitation import policy_for
from server.domain.ops import Record, apply_ops, touched_ids
from server.services.ports import (
    Asset,
    BoardGone,
    BoardMeta,
    CommitResult,
    CommitStatus,
    LoggedBatch,
    PendingBatch,
    Snapshot,
)

from .engine import READ_ONLY
from .tables import assets, batches, boards, links, objects, votes


def now_ms() -> int:
    return int(time.time() * 1000)


def _dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


def _meta(row: Row[Any] | Any) -> BoardMeta:
    return BoardMeta(
        id=row.id,
        title=row.title,
        settings=orjson.loads(row.settings),
        seq=row.seq,
        object_count=row.object_count,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


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

_BOARD_COLUMNS = (
    boards.c.id,
    boards.c.title,
    boards.c.settings,
    boards.c.seq,
    boards.c.object_count,
    boards.c.created_at,
    boards.c.updated_at,
)


class SqlBoardStore:
    """BoardStore over SQLAlchemy Core; works on SQLite and PostgreSQL alike."""

    def __init__(self, engine: AsyncEngine, *, log_retain: int = 10_000) -> None:
        self.engine = engine
        self.log_retain = log_retain
        self._is_pg = engine.dialect.name == "postgresql"
        # SQLite has one writer, so commits of all boards queue here and one writer task
        # commits everything waiting in one transaction (see `commit`).
        self._waiting: list[tuple[str, list[PendingBatch], asyncio.Future[Any]]] = []
        self._writer: asyncio.Task[None] | None = None
        self._reader = engine.execution_options(**{READ_ONLY: True})
        snapshot_options: dict[str, Any] = {READ_ONLY: True}
        if self._is_pg:
            snapshot_options["isolation_level"] = "REPEATABLE READ"
        self._snapshots = engine.execution_options(**snapshot_options)

    def _read(self) -> Any:
        """A consistent read-only snapshot (REPEATABLE READ on PostgreSQL)."""
        return self._snapshots.begin()

    # --- boards ---------------------------------------------------------------------

    async def create_board(
        self,
        board_id: str,
        title: str,
        settings: dict[str, Any],
        token_hashes: dict[str, str],
        objects_: list[dict[str, Any]],
        assets_: list[Asset] | None = None,
    ) -> BoardMeta:
        stamp = now_ms()
        async with self.engine.begin() as conn:
            await conn.execute(
                insert(boards).values(
                    id=board_id,
                    title=title,
                    settings=_dumps(settings),
                    seq=0,
                    object_count=len(objects_),
                    created_at=stamp,
                    updated_at=stamp,
                    opened_at=stamp,
                )
            )
            await conn.execute(
                insert(links),
                [
                    {"board_id": board_id, "role": role, "token_hash": h, "created_at": stamp}
                    for role, h in token_hashes.items()
                ],
            )
            if objects_:
                await conn.execute(
                    insert(objects),
                    [self._object_row(board_id, obj, 0, "", stamp) for obj in objects_],
                )
            for asset in assets_ or ():
                await self._insert_asset(conn, board_id, asset, stamp)
        return BoardMeta(board_id, title, settings, 0, len(objects_), stamp, stamp)

    @staticmethod
    def _object_row(
        board_id: str, obj: dict[str, Any], seq: int, author: str, stamp: int
    ) -> dict[str, Any]:
        return {
            "board_id": board_id,
            "id": obj["id"],
            "kind": obj["kind"],
            "data": _dumps(obj),
            "deleted": False,
            "author": author,
            "created_seq": seq,
            "updated_seq": seq,
            "created_at": stamp,
            "updated_at": stamp,
        }

    async def board(self, board_id: str) -> BoardMeta | None:
        async with self._reader.connect() as conn:
            row = (
                await conn.execute(select(*_BOARD_COLUMNS).where(boards.c.id == board_id))
            ).first()
            await conn.rollback()
        return _meta(row) if row else None

    async def token_hashes(self, board_id: str) -> dict[str, str]:
        async with self._reader.connect() as conn:
            rows = await conn.execute(
                select(links.c.role, links.c.token_hash).where(links.c.board_id == board_id)
            )
            result = {row.role: row.token_hash for row in rows}
            await conn.rollback()
        return result

    async def set_token_hash(self, board_id: str, role: str, token_hash: str) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(
                update(links)
                .where(links.c.board_id == board_id, links.c.role == role)
                .values(token_hash=token_hash, created_at=now_ms())
            )

    async def update_board(
        self, board_id: str, *, title: str | None = None, settings: dict[str, Any] | None = None
    ) -> BoardMeta | None:
        values: dict[str, Any] = {"updated_at": now_ms()}
        if title is not None:
            values["title"] = title
        if settings is not None:
            values["settings"] = _dumps(settings)
        async with self.engine.begin() as conn:
            row = (
                await conn.execute(
                    update(boards)
                    .where(boards.c.id == board_id)
                    .values(**values)
                    .returning(*_BOARD_COLUMNS)
                )
            ).first()
        return _meta(row) if row else None

    async def touch(self, board_id: str) -> None:
        """Remember that the board was opened (for `samskap purge`)."""
        async with self.engine.begin() as conn:
            await conn.execute(
                update(boards).where(boards.c.id == board_id).values(opened_at=now_ms())
            )

    async def delete_board(self, board_id: str) -> bool:
        async with self.engine.begin() as conn:
            # Explicit child deletes: SQLite only cascades with foreign_keys on.
            for table in (votes, assets, batches, objects, links):
                await conn.execute(delete(table).where(table.c.board_id == board_id))
            result = await conn.execute(delete(boards).where(boards.c.id == board_id))
        return bool(result.rowcount)

    async def boards_idle_since(self, cutoff_ms: int) -> list[str]:
        async with self._reader.connect() as conn:
            rows = await conn.execute(select(boards.c.id).where(boards.c.opened_at < cutoff_ms))
            result = [row.id for row in rows]
            await conn.rollback()
        return result

    # --- reading state --------------------------------------------------------------

    async def snapshot(self, board_id: str) -> Snapshot | None:
        async with self._read() as conn:
            row = (
                await conn.execute(select(*_BOARD_COLUMNS).where(boards.c.id == board_id))
            ).first()
            if row is None:
                return None
            rows = await conn.execute(
                select(objects.c.data).where(
                    objects.c.board_id == board_id, objects.c.deleted.is_(False)
                )
            )
            live = [orjson.loads(r.data) for r in rows]
        return Snapshot(_meta(row), live)

    async def object_meta(self, board_id: str) -> dict[str, dict[str, Any]]:
        """Author and times per live object (for CSV exports and reports)."""
        async with self._reader.connect() as conn:
            rows = await conn.execute(
                select(
                    objects.c.id, objects.c.author, objects.c.created_at, objects.c.updated_at
                ).where(objects.c.board_id == board_id, objects.c.deleted.is_(False))
            )
            result = {
                r.id: {"author": r.author, "created": r.created_at, "updated": r.updated_at}
                for r in rows
            }
            await conn.rollback()
        return result

    async def batches_since(
        self, board_id: str, since: int
    ) -> tuple[int, list[LoggedBatch]] | None:
        async with self._read() as conn:
            seq = (await conn.execute(select(boards.c.seq).where(boards.c.id == board_id))).scalar()
            if seq is None or since > seq:
                return None
            if since == seq:
                return seq, []
            rows = (
                await conn.execute(
                    select(batches.c.seq, batches.c.batch_id, batches.c.client, batches.c.ops)
                    .where(batches.c.board_id == board_id, batches.c.seq > since)
                    .order_by(batches.c.seq)
                )
            ).all()
        if not rows or rows[0].seq != since + 1 or len(rows) != seq - since:
            return None  # trimmed past `since`: the caller sends a full snapshot
        return seq, [LoggedBatch(r.seq, r.batch_id, r.client, orjson.loads(r.ops)) for r in rows]

    # --- committing -----------------------------------------------------------------

    async def commit(self, board_id: str, pending: list[PendingBatch]) -> list[CommitResult]:
        if self._is_pg:  # row locks: boards commit in parallel on their own connections
            async with self.engine.begin() as conn:
                return await self._commit(conn, board_id, pending)
        # SQLite: group commit across boards. Rooms committing one transaction each used
        # to queue for the single write lock (in SQLite's busy handler, which sleeps up to
        # 100 ms a try): 50 boards at 20 batches/s each had p99 3.9 s (bench/rooms.py).
        done: asyncio.Future[list[CommitResult]] = asyncio.get_running_loop().create_future()
        self._waiting.append((board_id, pending, done))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_waiting(), name="sqlite-writer")
        return await done

    async def _write_waiting(self) -> None:
        """Commit every waiting board's group in one transaction; answer only after it."""
        while self._waiting:
            work, self._waiting = self._waiting, []
            answers: list[tuple[asyncio.Future[Any], Any, BaseException | None]] = []
            try:
                async with self.engine.begin() as conn:
                    for board_id, pending, done in work:
                        try:  # BoardGone comes before anything is written for that board
                            result = await self._commit(conn, board_id, pending)
                            answers.append((done, result, None))
                        except BoardGone as exc:
                            answers.append((done, None, exc))
            except Exception as exc:  # the transaction failed: nobody's batches are saved
                answers = [(done, None, exc) for _, _, done in work]
            for done, result, error in answers:
                if done.done():
                    continue
                if error is None:
                    done.set_result(result)
                else:
                    done.set_exception(error)

    async def _commit(
        self, conn: AsyncConnection, board_id: str, pending: list[PendingBatch]
    ) -> list[CommitResult]:
        head = (
            await conn.execute(
                update(boards)
                .where(boards.c.id == board_id)
                .values(seq=boards.c.seq)
                .returning(boards.c.seq, boards.c.object_count, boards.c.settings)
            )
        ).first()
        if head is None:
            raise BoardGone(board_id)
        seq, count = head.seq, head.object_count
        session = session_of(orjson.loads(head.settings))
        stamp = now_ms()

        known = await self._logged(conn, board_id, [p.batch_id for p in pending])
        ids: set[str] = set()
        for batch in pending:
            ids |= touched_ids(batch.ops)
        records, stored = await self._records(conn, board_id, ids)

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
                    "ops": _dumps(outcome.applied),
                    "skipped": _dumps(outcome.skipped),
                    "created_at": stamp,
                }
            )
            results.append(CommitResult(CommitStatus.APPLIED, seq, outcome.skipped, logged))

        if log_rows:
            await self._write_objects(conn, board_id, changed, stored, stamp)
            await conn.execute(insert(batches), log_rows)
            await conn.execute(
                update(boards)
                .where(boards.c.id == board_id)
                .values(seq=seq, object_count=count, updated_at=stamp)
            )
            first = log_rows[0]["seq"]
            if (first - 1) // 1000 != seq // 1000:  # trim once per thousand batches
                await conn.execute(
                    delete(batches).where(
                        batches.c.board_id == board_id, batches.c.seq <= seq - self.log_retain
                    )
                )
        return results

    @staticmethod
    async def _logged(
        conn: AsyncConnection, board_id: str, batch_ids: list[str]
    ) -> dict[str, tuple[int, list[int]]]:
        rows = await conn.execute(
            select(batches.c.batch_id, batches.c.seq, batches.c.skipped).where(
                batches.c.board_id == board_id, batches.c.batch_id.in_(set(batch_ids))
            )
        )
        return {r.batch_id: (r.seq, orjson.loads(r.skipped)) for r in rows}

    @staticmethod
    async def _records(
        conn: AsyncConnection, board_id: str, ids: set[str]
    ) -> tuple[dict[str, Record | None], set[str]]:
        records: dict[str, Record | None] = dict.fromkeys(ids)
        if not ids:
            return records, set()
        rows = await conn.execute(
            select(objects.c.id, objects.c.data, objects.c.deleted).where(
                objects.c.board_id == board_id, objects.c.id.in_(ids)
            )
        )
        for r in rows:
            records[r.id] = Record(orjson.loads(r.data), bool(r.deleted))
        return records, {i for i, rec in records.items() if rec is not None}

    async def _write_objects(
        self,
        conn: AsyncConnection,
        board_id: str,
        changed: dict[str, tuple[Record, int, str]],
        stored: set[str],
        stamp: int,
    ) -> None:
        fresh = []
        for object_id, (record, seq, author) in changed.items():
            if object_id in stored:
                continue
            row = self._object_row(board_id, record.data, seq, author, stamp)
            row["deleted"] = record.deleted
            fresh.append(row)
        if fresh:
            await conn.execute(insert(objects), fresh)
        moved = [
            {
                "w_board": board_id,
                "w_id": object_id,
                "w_data": _dumps(record.data),
                "w_deleted": record.deleted,
                "w_seq": seq,
                "w_at": stamp,
            }
            for object_id, (record, seq, _author) in changed.items()
            if object_id in stored
        ]
        if moved:
            await conn.execute(_UPDATE_OBJECT, moved)

    # --- facilitation ---------------------------------------------------------------

    async def _lock_settings(self, conn: AsyncConnection, board_id: str) -> dict[str, Any]:
        row = (
            await conn.execute(
                update(boards)
                .where(boards.c.id == board_id)
                .values(seq=boards.c.seq)
                .returning(boards.c.settings)
            )
        ).first()
        if row is None:
            raise BoardGone(board_id)
        return orjson.loads(row.settings)  # type: ignore[no-any-return]

    async def update_settings(
        self, board_id: str, change: Callable[[dict[str, Any]], dict[str, Any]]
    ) -> BoardMeta | None:
        async with self.engine.begin() as conn:
            try:
                settings = await self._lock_settings(conn, board_id)
            except BoardGone:
                return None
            row = (
                await conn.execute(
                    update(boards)
                    .where(boards.c.id == board_id)
                    .values(settings=_dumps(change(settings)), updated_at=now_ms())
                    .returning(*_BOARD_COLUMNS)
                )
            ).first()
        return _meta(row) if row else None

    async def private_ids(self, board_id: str) -> list[str]:
        async with self._reader.connect() as conn:
            rows = await conn.execute(
                select(objects.c.id, objects.c.data).where(
                    objects.c.board_id == board_id, objects.c.deleted.is_(False)
                )
            )
            found = [r.id for r in rows if orjson.loads(r.data).get("private")]
            await conn.rollback()
        return found

    async def cast_vote(
        self,
        board_id: str,
        voter: str,
        object_id: str,
        delta: int,
        check: Callable[[dict[str, Any], dict[str, int]], None],
    ) -> dict[str, int]:
        async with self.engine.begin() as conn:
            settings = await self._lock_settings(conn, board_id)
            target = (
                await conn.execute(
                    select(objects.c.kind, objects.c.data).where(
                        objects.c.board_id == board_id,
                        objects.c.id == object_id,
                        objects.c.deleted.is_(False),
                    )
                )
            ).first()
            data = orjson.loads(target.data) if target else None
            if (
                data is None
                or data["kind"] != "note"
                or (data.get("private") and data.get("owner") != voter)
            ):
                raise ProtocolError(ErrorCode.NOT_FOUND, "no such note")
            mine = await self._votes_of(conn, board_id, voter)
            check(settings, mine)
            count = mine.get(object_id, 0) + delta
            where = (
                votes.c.board_id == board_id,
                votes.c.object_id == object_id,
                votes.c.voter == voter,
            )
            if object_id in mine:
                if count:
                    await conn.execute(update(votes).where(*where).values(count=count))
                else:
                    await conn.execute(delete(votes).where(*where))
            else:
                await conn.execute(
                    insert(votes).values(
                        board_id=board_id, object_id=object_id, voter=voter, count=count
                    )
                )
            mine[object_id] = count
        return {k: v for k, v in mine.items() if v}

    @staticmethod
    async def _votes_of(conn: AsyncConnection, board_id: str, voter: str) -> dict[str, int]:
        rows = await conn.execute(
            select(votes.c.object_id, votes.c.count.label("n")).where(
                votes.c.board_id == board_id, votes.c.voter == voter
            )
        )
        return {r.object_id: r.n for r in rows}

    async def votes_of(self, board_id: str, voter: str) -> dict[str, int]:
        async with self._reader.connect() as conn:
            result = await self._votes_of(conn, board_id, voter)
            await conn.rollback()
        return result

    async def vote_totals(self, board_id: str) -> dict[str, int]:
        async with self._reader.connect() as conn:
            rows = await conn.execute(
                select(votes.c.object_id, func.sum(votes.c.count).label("total"))
                .where(votes.c.board_id == board_id)
                .group_by(votes.c.object_id)
            )
            result = {r.object_id: int(r.total) for r in rows}
            await conn.rollback()
        return result

    async def clear_votes(self, board_id: str) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(delete(votes).where(votes.c.board_id == board_id))

    # --- assets ---------------------------------------------------------------------

    @staticmethod
    async def _insert_asset(conn: AsyncConnection, board_id: str, asset: Asset, stamp: int) -> None:
        await conn.execute(
            insert(assets).values(
                board_id=board_id,
                id=asset.id,
                mime=asset.mime,
                width=asset.width,
                height=asset.height,
                data=asset.data,
                created_at=stamp,
            )
        )

    async def put_asset(self, board_id: str, asset: Asset) -> None:
        async with self.engine.begin() as conn:
            await self._insert_asset(conn, board_id, asset, now_ms())

    async def get_asset(self, board_id: str, asset_id: str) -> Asset | None:
        async with self._reader.connect() as conn:
            row = (
                await conn.execute(
                    select(assets).where(assets.c.board_id == board_id, assets.c.id == asset_id)
                )
            ).first()
            await conn.rollback()
        return Asset(row.id, row.mime, row.width, row.height, row.data) if row else None

    async def assets(self, board_id: str) -> list[Asset]:
        async with self._reader.connect() as conn:
            rows = await conn.execute(select(assets).where(assets.c.board_id == board_id))
            result = [Asset(r.id, r.mime, r.width, r.height, r.data) for r in rows]
            await conn.rollback()
        return result

    # --- health ---------------------------------------------------------------------

    async def ping(self) -> None:
        async with self._reader.connect() as conn:
            await conn.execute(select(func.count()).select_from(boards))
            await conn.rollback()

    async def close(self) -> None:
        await self.engine.dispose()
