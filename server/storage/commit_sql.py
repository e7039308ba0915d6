"""The group commit's statements, built once per dialect with bind parameters.

Building `where(...)` clauses per call and computing their cache keys took about a
fifth of the SQLite writer thread's time at 1,000 batches/s over 50 boards (py-spy,
bench/rooms.py); `commit.py` only fills in the parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import (
    ARRAY,
    Column,
    Connection,
    String,
    TypeDecorator,
    and_,
    any_,
    bindparam,
    delete,
    func,
    insert,
    literal_column,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql

from .tables import batch_ids, batches, boards, links, objects


class Json(TypeDecorator[Any]):
    """A list sent to SQLite as one JSON text (read back with `json_each`)."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        return None if value is None else orjson.dumps(value).decode()


def _member(column: Any, name: str, array: bool) -> Any:
    """`column` is one of the list `:name`, as one parameter and one SQL text for every
    length: `= ANY(:name)` with an array (PostgreSQL), `IN (SELECT value FROM
    json_each(:name))` with a JSON text (SQLite). A list expanded into the SQL makes new
    text for every length: asyncpg prepared each new text again (a round trip and a parse,
    a tenth of a busy process's main thread, bench/scaleout.py), and SQLAlchemy rewrote
    the SQL for each call (a sixth of the SQLite writer's CPU, bench/commit_cpu.py)."""
    if array:
        return column == any_(bindparam(name, type_=ARRAY(String)))
    members: Any = select(literal_column("value")).select_from(
        func.json_each(bindparam(name, type_=Json()))
    )
    return column.in_(members.scalar_subquery())


@dataclass(frozen=True, slots=True)
class Reads:
    """The group's reads, built once per dialect."""

    lock: Any
    logged: Any
    links: Any
    records: Any


def _reads(array: bool) -> Reads:
    heads = (boards.c.id, boards.c.seq, boards.c.object_count, boards.c.settings)
    if array:
        # PostgreSQL locks rows one by one: two processes whose groups share boards must
        # take them in the same order, or each waits for the other (a deadlock, one
        # group refused). The subquery takes the row locks in id order; the UPDATE then
        # holds them already. (SQLite locks the whole database at BEGIN IMMEDIATE.)
        in_order = (
            select(boards.c.id)
            .where(_member(boards.c.id, "l_ids", array))
            .order_by(boards.c.id)
            .with_for_update()
        )
        locked = boards.c.id.in_(in_order.scalar_subquery())
    else:
        locked = _member(boards.c.id, "l_ids", array)
    pairs = _pairs(array)
    return Reads(
        lock=update(boards).where(locked).values(seq=boards.c.seq).returning(*heads),
        logged=select(
            batch_ids.c.board_id,
            batch_ids.c.batch_id,
            batch_ids.c.seq,
            batch_ids.c.skipped,
            batch_ids.c.applied,
        ).where(
            _member(batch_ids.c.board_id, "g_boards", array),
            _member(batch_ids.c.batch_id, "g_ids", array),
        ),
        links=select(links.c.board_id, links.c.role, links.c.token_hash).where(
            _member(links.c.board_id, "k_ids", array)
        ),
        records=select(
            objects.c.board_id, objects.c.id, objects.c.data, objects.c.deleted
        ).select_from(
            pairs.join(objects, _pair_is(objects.c.board_id, objects.c.id, pairs, array))
        ),
    )


# The records a group touches are looked up as (board, id) pairs, each by the primary key.
# A board list times an id list returned every board's copy of every id: boards made
# from one template share their object ids, and 50 such boards in a group read 1,000
# rows for the 50 they needed (bench/commit_cpu.py).
def _pairs(array: bool) -> Any:
    """The pairs as a table: `unnest(:r_boards, :r_ids)` (PostgreSQL, two arrays) or
    `json_each(:r_pairs)` (SQLite, one JSON list of [board, id])."""
    if array:
        return (
            func.unnest(
                bindparam("r_boards", type_=ARRAY(String)), bindparam("r_ids", type_=ARRAY(String))
            )
            .table_valued("board", "id")
            .render_derived()
        )
    return func.json_each(bindparam("r_pairs", type_=Json())).table_valued("value")


def _pair_is(board: Any, object_id: Any, pairs: Any, array: bool) -> Any:
    if array:
        return and_(board == pairs.c.board, object_id == pairs.c.id)
    return and_(
        board == func.json_extract(pairs.c.value, "$[0]"),
        object_id == func.json_extract(pairs.c.value, "$[1]"),
    )


def pair_params(pairs: list[tuple[str, str]], array: bool) -> dict[str, Any]:
    if array:
        return {"r_boards": [b for b, _ in pairs], "r_ids": [i for _, i in pairs]}
    return {"r_pairs": pairs}


READS = {False: _reads(array=False), True: _reads(array=True)}


def reads_for(conn: Connection) -> Reads:
    return READS[conn.dialect.name == "postgresql"]


# Every changed object in one executemany: building and sending one UPDATE per object
# took 80 % of a 64-batch commit touching 64 notes (bench/commit.py, docs/performance.md).
UPDATE_OBJECT = (
    update(objects)
    .where(objects.c.board_id == bindparam("w_board"), objects.c.id == bindparam("w_id"))
    .values(
        data=bindparam("w_data"),
        deleted=bindparam("w_deleted"),
        updated_seq=bindparam("w_seq"),
        updated_at=bindparam("w_at"),
    )
)
INSERT_OBJECTS = insert(objects)
INSERT_LOG = insert(batches)
INSERT_IDS = insert(batch_ids)
SAVE_HEAD = (
    update(boards)
    .where(boards.c.id == bindparam("h_id"))
    .values(seq=bindparam("h_seq"), object_count=bindparam("h_count"), updated_at=bindparam("h_at"))
)
TRIM_LOG = delete(batches).where(
    batches.c.board_id == bindparam("t_board"), batches.c.seq <= bindparam("t_upto")
)
# Batch ids are remembered for the last BATCH_ID_KEEP batches or BATCH_ID_DAYS, whichever
# reaches further back (rule S11), independent of how much of the ops log is kept.
BATCH_ID_KEEP = 100_000
BATCH_ID_DAYS = 30
TRIM_IDS = delete(batch_ids).where(
    batch_ids.c.board_id == bindparam("t_board"),
    batch_ids.c.seq <= bindparam("t_ids_upto"),
    batch_ids.c.created_at < bindparam("t_ids_before"),
)


# PostgreSQL: the round's rows in one statement, one round trip. Each kind of row goes as
# one array per column (`unnest`), in a data-modifying CTE; the kinds touch disjoint
# rows (an object is either new or stored), as one statement requires. Five round trips
# (four executemany and their prepares) were a third of a one-board commit's CPU in the
# app process: on this machine a round trip costs ~130 µs of the sender's CPU
# (bench/commit_cpu.py --database).
def _unnest(name: str, columns: list[tuple[str, Column[Any]]]) -> str:
    arrays = ", ".join(f"CAST(:{name}_{key} AS {_array_of(column)}[])" for key, column in columns)
    return f"unnest({arrays})"


def _array_of(column: Column[Any]) -> str:
    """The column's type for the cast, without a length: a cast to VARCHAR(32) would cut
    a longer value silently, where writing it to the column must fail."""
    kind = column.type
    if isinstance(kind, String):
        kind = type(kind)()
    return str(kind.compile(dialect=_PG))


_PG = postgresql.dialect()
# Each parameter's array type is its column's, read from `tables.py`; inserts take every
# column of their table (as the SQLite path's rows give them).
_IDS_COLUMNS = [(column.name, column) for column in batch_ids.columns]
_LOG_COLUMNS = [(column.name, column) for column in batches.columns]
_FRESH_COLUMNS = [(column.name, column) for column in objects.columns]
_MOVED_COLUMNS = [
    ("w_board", objects.c.board_id),
    ("w_id", objects.c.id),
    ("w_data", objects.c.data),
    ("w_deleted", objects.c.deleted),
    ("w_seq", objects.c.updated_seq),
    ("w_at", objects.c.updated_at),
]
_HEAD_COLUMNS = [
    ("h_id", boards.c.id),
    ("h_seq", boards.c.seq),
    ("h_count", boards.c.object_count),
    ("h_at", boards.c.updated_at),
]


def _names(columns: list[tuple[str, Column[Any]]]) -> str:
    return ", ".join(key for key, _ in columns)


# The text is built from the column lists above only: no value reaches it.
WRITE_ONCE_PG = text(
    f"""WITH
ids AS (INSERT INTO batch_ids ({_names(_IDS_COLUMNS)})
        SELECT * FROM {_unnest("i", _IDS_COLUMNS)}),
log AS (INSERT INTO batches ({_names(_LOG_COLUMNS)})
        SELECT * FROM {_unnest("l", _LOG_COLUMNS)}),
fresh AS (INSERT INTO objects ({_names(_FRESH_COLUMNS)})
          SELECT * FROM {_unnest("f", _FRESH_COLUMNS)}),
moved AS (UPDATE objects SET data = m.w_data, deleted = m.w_deleted,
                 updated_seq = m.w_seq, updated_at = m.w_at
          FROM {_unnest("m", _MOVED_COLUMNS)} AS m({_names(_MOVED_COLUMNS)})
          WHERE objects.board_id = m.w_board AND objects.id = m.w_id)
UPDATE boards SET seq = h.h_seq, object_count = h.h_count, updated_at = h.h_at
FROM {_unnest("h", _HEAD_COLUMNS)} AS h({_names(_HEAD_COLUMNS)})
WHERE boards.id = h.h_id"""  # noqa: S608
)


def _columns(
    name: str, rows: list[dict[str, Any]], columns: list[tuple[str, Column[Any]]]
) -> dict[str, Any]:
    return {f"{name}_{key}": [row[key] for row in rows] for key, _ in columns}


def write_once_params(
    ids: list[dict[str, Any]],
    log: list[dict[str, Any]],
    fresh: list[dict[str, Any]],
    moved: list[dict[str, Any]],
    heads: list[dict[str, Any]],
) -> dict[str, Any]:
    """WRITE_ONCE_PG's parameters: each kind's rows as one array per column."""
    return {
        **_columns("i", ids, _IDS_COLUMNS),
        **_columns("l", log, _LOG_COLUMNS),
        **_columns("f", fresh, _FRESH_COLUMNS),
        **_columns("m", moved, _MOVED_COLUMNS),
        **_columns("h", heads, _HEAD_COLUMNS),
    }
