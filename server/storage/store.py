"""The SQL board store: the one place where batches become durable.

`commit` is the ordering point of a board across all processes: its transaction holds the
board rows' locks (PostgreSQL) or the database's write lock (SQLite, BEGIN IMMEDIATE)
before it reads a board's `seq`, so `seq` is assigned in commit order with no gaps. The
transaction itself is written once, synchronously, in `commit.py`.
"""

from __future__ import annotations

import asyncio
import hmac
from collections.abc import Callable, Sequence
from typing import Any

import orjson
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from server.domain.errors import ErrorCode, ProtocolError
from server.domain.ops import Record
from server.domain.revert import LogEntry
from server.services.ports import (
    Asset,
    BoardGone,
    BoardMeta,
    BreakoutKeys,
    CommitResult,
    LoggedBatch,
    PendingBatch,
    RawBatch,
    Snapshot,
    VersionInfo,
)

from . import activity as _activity
from . import address_days as _address_days
from . import history as _history
from . import seats as _seats
from . import versions as _versions
from .commit import Work, commit_group, now_ms, object_row
from .commit import dumps as _dumps
from .engine import READ_ONLY, sqlite_writer_url
from .tables import (
    activity,
    assets,
    batch_ids,
    batches,
    boards,
    links,
    objects,
    seats,
    versions,
    votes,
)
from .writer_process import WriterProcess

ROWS_PER_READ = 200  # rows per chunk of a big read: the event loop runs between chunks


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
        # Commits of all boards queue here and one writer task commits everything waiting
        # in one transaction (see `commit`): PostgreSQL, and SQLite in memory.
        self._waiting: list[tuple[str, list[PendingBatch], asyncio.Future[Any]]] = []
        self._writer: asyncio.Task[None] | None = None
        # SQLite on a file: in a writer process of its own, which groups what waits
        # itself (writer_process.py).
        url = None if self._is_pg else sqlite_writer_url(engine)
        self._sync_writer = None if url is None else WriterProcess(url, log_retain)
        self._reader = engine.execution_options(**{READ_ONLY: True})
        snapshot_options: dict[str, Any] = {READ_ONLY: True}
        if self._is_pg:
            snapshot_options["isolation_level"] = "REPEATABLE READ"
        self._snapshots = engine.execution_options(**snapshot_options)
        self._swept_day = -1  # the day old per-address counts were last dropped

    async def start(self) -> None:
        """Start SQLite's writer process (0.4 s of imports) before the first commit needs it.

        The server is not ready until it runs: the first edits after a start would
        otherwise wait for it, and a child that cannot start is an error at start-up.
        """
        if self._sync_writer is not None:
            await self._sync_writer.start()

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
                    [object_row(board_id, obj, 0, "", stamp) for obj in objects_],
                )
            for asset in assets_ or ():
                await self._insert_asset(conn, board_id, asset, stamp)
        return BoardMeta(board_id, title, settings, 0, len(objects_), stamp, stamp)

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

    @staticmethod
    async def _set_hash(conn: AsyncConnection, board_id: str, role: str, token_hash: str) -> None:
        await conn.execute(
            update(links)
            .where(links.c.board_id == board_id, links.c.role == role)
            .values(token_hash=token_hash, created_at=now_ms())
        )

    async def replace_link(
        self,
        board_id: str,
        role: str,
        token: str,
        token_hash: str,
        breakout_keys: BreakoutKeys | None = None,
    ) -> list[str] | None:
        async with self.engine.begin() as conn:
            try:
                settings = await self._lock_settings(conn, board_id)
            except BoardGone:
                return None
            await self._set_hash(conn, board_id, role, token_hash)
            if breakout_keys is None:
                return []
            rekeyed: list[str] = []
            todo = [(board_id, token, settings)]
            seen = {board_id}
            while todo:  # copies of copies derive from their own parent's token
                parent, parent_token, parent_settings = todo.pop()
                for item in parent_settings.get("breakouts", []):
                    child = item.get("id") if isinstance(item, dict) else None
                    if not isinstance(child, str) or child in seen:
                        continue
                    try:
                        child_settings = await self._lock_settings(conn, child)
                    except BoardGone:
                        continue
                    if child_settings.get("parent") != parent:
                        continue  # a list entry alone (editable) never re-keys a board
                    seen.add(child)
                    child_token, hashes = breakout_keys(parent_token, child)
                    for child_role, child_hash in hashes.items():
                        await self._set_hash(conn, child, child_role, child_hash)
                    rekeyed.append(child)
                    todo.append((child, child_token, child_settings))
            return rekeyed

    async def add_breakouts(
        self, board_id: str, facilitator_hash: str, made: list[dict[str, Any]]
    ) -> bool:
        async with self.engine.begin() as conn:
            try:
                settings = await self._lock_settings(conn, board_id)
            except BoardGone:
                return False
            stored = (
                await conn.execute(
                    select(links.c.token_hash).where(
                        links.c.board_id == board_id, links.c.role == "facilitator"
                    )
                )
            ).scalar()
            if stored is None or not hmac.compare_digest(stored, facilitator_hash):
                return False
            settings["breakouts"] = [*settings.get("breakouts", []), *made]
            await conn.execute(
                update(boards)
                .where(boards.c.id == board_id)
                .values(settings=_dumps(settings), updated_at=now_ms())
            )
        return True

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
            for table in (
                activity,
                versions,
                votes,
                assets,
                batch_ids,
                seats,
                batches,
                objects,
                links,
            ):
                await conn.execute(delete(table).where(table.c.board_id == board_id))
            result = await conn.execute(delete(boards).where(boards.c.id == board_id))
        return bool(result.rowcount)

    async def boards_idle_since(self, cutoff_ms: int) -> list[str]:
        async with self._reader.connect() as conn:
            # Idle = neither opened nor changed since: a room kept open for weeks opens
            # once, but every edit (and facilitation change) moves `updated_at`.
            rows = await conn.execute(
                select(boards.c.id).where(
                    boards.c.opened_at < cutoff_ms, boards.c.updated_at < cutoff_ms
                )
            )
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

    async def snapshot_text(self, board_id: str) -> tuple[BoardMeta, list[str]] | None:
        """The live objects as their stored JSON text, read in chunks (the loop runs
        between them): for joins and syncs of big boards (`services/reads.py`)."""
        async with self._read() as conn:
            row = (
                await conn.execute(select(*_BOARD_COLUMNS).where(boards.c.id == board_id))
            ).first()
            if row is None:
                return None
            parts: list[str] = []
            result = await conn.stream(
                select(objects.c.data).where(
                    objects.c.board_id == board_id, objects.c.deleted.is_(False)
                )
            )
            async for chunk in result.partitions(ROWS_PER_READ):
                parts.extend(r.data for r in chunk)
        return _meta(row), parts

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
        found = await self._log_since(board_id, since, batches.c.skipped)
        if found is None:
            return None
        seq, rows = found
        return seq, [
            LoggedBatch(r.seq, r.batch_id, r.client, orjson.loads(r.ops), orjson.loads(r.skipped))
            for r in rows
        ]

    async def batch_texts_since(
        self, board_id: str, since: int
    ) -> tuple[int, list[RawBatch]] | None:
        """Like `batches_since`, with each batch's ops as the stored JSON text (for
        catch-ups of big boards, `services/reads.py`)."""
        found = await self._log_since(board_id, since)
        if found is None:
            return None
        seq, rows = found
        return seq, [RawBatch(r.seq, r.batch_id, r.client, r.ops) for r in rows]

    async def _log_since(
        self, board_id: str, since: int, *extra: Any
    ) -> tuple[int, list[Row[Any]]] | None:
        """(seq, the log's rows after `since`), read in chunks (the loop runs between
        them); None when the log no longer reaches back to `since`."""
        async with self._read() as conn:
            seq = (await conn.execute(select(boards.c.seq).where(boards.c.id == board_id))).scalar()
            if seq is None or since > seq:
                return None
            if since == seq:
                return seq, []
            # The log's first wanted row first: a client too far behind gets a snapshot
            # without the whole retained log being read for nothing.
            first = await conn.execute(
                select(batches.c.seq).where(
                    batches.c.board_id == board_id, batches.c.seq == since + 1
                )
            )
            if first.first() is None:
                return None
            result = await conn.stream(
                select(batches.c.seq, batches.c.batch_id, batches.c.client, batches.c.ops, *extra)
                .where(batches.c.board_id == board_id, batches.c.seq > since)
                .order_by(batches.c.seq)
            )
            rows: list[Row[Any]] = []
            async for chunk in result.partitions(ROWS_PER_READ):
                rows.extend(chunk)
        if not rows or rows[0].seq != since + 1 or len(rows) != seq - since:
            return None  # trimmed past `since`: the caller sends a full snapshot
        return seq, rows

    # --- seats (rule S18) -------------------------------------------------------------

    async def claim_seat(self, board_id: str, secret_hash: str) -> str | None:
        return await _seats.claim_seat(self.engine, board_id, secret_hash)

    async def add_seat(self, board_id: str, client: str, secret_hash: str) -> bool:
        return await _seats.add_seat(self.engine, board_id, client, secret_hash)

    async def drop_unused_seat(self, board_id: str, client: str) -> None:
        await _seats.drop_unused_seat(self.engine, board_id, client)

    async def seat_removed(self, board_id: str, secret_hash: str) -> bool:
        return await _seats.seat_removed(self.engine, board_id, secret_hash)

    async def remove_seat(self, board_id: str, client: str) -> bool:
        return await _seats.remove_seat(self.engine, board_id, client)

    async def seat_number(self, board_id: str, client: str) -> int:
        return await _seats.seat_number(self.engine, board_id, client)

    # --- versions (rules V1-V6) --------------------------------------------------------

    async def save_version(
        self, board_id: str, kind: str, label: str, by: str, *, unless_since: int | None = None
    ) -> VersionInfo | None:
        return await _versions.save(
            self._snapshots, self.engine, board_id, kind, label, by, unless_since=unless_since
        )

    async def versions(self, board_id: str) -> list[VersionInfo]:
        return await _versions.listed(self._reader, board_id)

    async def version(
        self, board_id: str, version_id: str
    ) -> tuple[VersionInfo, list[dict[str, Any]]] | None:
        return await _versions.load(self._reader, board_id, version_id)

    # --- activity (rules A1-A3) -----------------------------------------------------------

    async def record(
        self, board_id: str, kind: str, client: str, name: str, detail: dict[str, Any]
    ) -> None:
        await _activity.record(self.engine, board_id, kind, client, name, detail)

    async def activity(self, board_id: str, since: int) -> dict[str, Any]:
        return await _activity.read(self._reader, board_id, since)

    async def log_entries(self, board_id: str) -> list[LogEntry]:
        return await _history.log_entries(self._reader, board_id)

    async def records(self, board_id: str, ids: set[str]) -> dict[str, Record]:
        return await _history.records(self._reader, board_id, ids)

    # --- committing -----------------------------------------------------------------

    async def commit(self, board_id: str, pending: list[PendingBatch]) -> list[CommitResult]:
        # Group commit across boards: what every waiting room has goes in one transaction.
        # SQLite: rooms committing one transaction each used to queue for the single
        # write lock (in SQLite's busy handler, which sleeps up to 100 ms a try): 50
        # boards at 20 batches/s each had p99 3.9 s (bench/rooms.py). PostgreSQL: a
        # transaction per board cost its dozen round trips for each batch or two at a
        # middle load, three times the CPU per batch of a full group (bench/scaleout.py).
        if self._sync_writer is not None:
            [answer] = await self._sync_writer.commit([(board_id, pending)])
            if isinstance(answer, BoardGone):
                raise answer
            return answer
        done: asyncio.Future[list[CommitResult]] = asyncio.get_running_loop().create_future()
        self._waiting.append((board_id, pending, done))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_waiting(), name="group-writer")
        return await done

    async def _write_waiting(self) -> None:
        """Commit every waiting board's group in one transaction; answer only after it."""
        while self._waiting:
            work, self._waiting = self._waiting, []
            boards_: Work = [(board_id, pending) for board_id, pending, _ in work]
            try:
                answers: list[Any] = await self._commit_group(boards_)
            except Exception as exc:  # the transaction failed: nobody's batches are saved
                answers = [exc] * len(work)
            answer_each(work, answers)

    async def _commit_group(self, work: Work) -> list[list[CommitResult] | BoardGone]:
        if self._sync_writer is None:  # PostgreSQL; or SQLite in memory (one engine)
            async with self.engine.connect() as conn:  # commit_group begins its transactions
                return await conn.run_sync(commit_group, work, self.log_retain)
        return await self._sync_writer.commit(work)

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

    async def private_owners(self, board_id: str) -> list[str]:
        """The owner of each private object (counts for the facilitator, never contents)."""
        async with self._reader.connect() as conn:
            rows = await conn.execute(
                select(objects.c.data).where(
                    objects.c.board_id == board_id,
                    objects.c.deleted.is_(False),
                    # A cheap first sieve (orjson writes no spaces); each row is checked below.
                    objects.c.data.like('%"private":true%'),
                )
            )
            found = [d.get("owner", "") for r in rows if (d := orjson.loads(r.data)).get("private")]
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

    async def board_bytes(self, board_id: str) -> int:
        """Objects (deleted ones stay, as tombstones), images, the log and versions (V6),
        in bytes (characters for text columns: close enough for a quota)."""
        total = 0
        async with self._reader.connect() as conn:
            for table, column in (
                (objects, objects.c.data),
                (assets, assets.c.data),
                (batches, batches.c.ops),
                (versions, versions.c.data),
            ):
                query = select(func.coalesce(func.sum(func.length(column)), 0)).where(
                    table.c.board_id == board_id
                )
                total += int((await conn.execute(query)).scalar_one())
            await conn.rollback()
        return total

    # --- per-address daily counters (issue 13) --------------------------------------

    async def spend_daily(self, address: str, kind: str, cost: int, limit: int) -> bool:
        """Count `cost` toward today's `limit` of `kind` for `address`, in the database
        (every process shares it); False, and nothing counted, when over."""
        day = _address_days.today()
        sweep, self._swept_day = self._swept_day != day, day
        return await _address_days.spend(self.engine, address, kind, cost, limit, sweep=sweep)

    # --- health ---------------------------------------------------------------------

    async def ping(self) -> None:
        async with self._reader.connect() as conn:
            await conn.execute(select(func.count()).select_from(boards))
            await conn.rollback()

    async def close(self) -> None:
        if self._writer is not None and not self._writer.done():
            await asyncio.gather(self._writer, return_exceptions=True)
        if self._sync_writer is not None:
            await self._sync_writer.close()  # a later commit starts a new one
        await self.engine.dispose()


def answer_each(work: Sequence[tuple[Any, Any, asyncio.Future[Any]]], answers: list[Any]) -> None:
    """Each waiting caller gets its board's answer, or the exception that failed them."""
    for (_, _, done), answer in zip(work, answers, strict=True):
        if done.done():
            continue
        if isinstance(answer, BaseException):
            done.set_exception(answer)
        else:
            done.set_result(answer)
