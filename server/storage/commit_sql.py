"""The group commit's statements, built once per dialect with bind parameters.

Building `where(...)` clauses per call and computing their cache keys took about a
fifth of the SQLite writer thread's time at 1,000 batches/s over 50 boards (py-spy,
bench/rooms.py); `commit.py` only fills in the parameters. PostgreSQL reads with four
statements and writes with one (`WRITE_ONCE_PG`); SQLite reads with one
(`SQLITE_READ_GROUP`) and writes one statement per kind of row (`SQLITE_WRITES`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import (
    ARRAY,
    Column,
    String,
    and_,
    any_,
    bindparam,
    delete,
    func,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql

from .tables import batch_ids, batches, boards, links, objects


def _member(column: Any, name: str) -> Any:
    """`column` is one of the array `:name`: one parameter and one SQL text for every
    length. A list expanded into the SQL makes new text for every length, and asyncpg
    prepared each new text again (a round trip and a parse, a tenth of a busy process's
    main thread, bench/scaleout.py)."""
    return column == any_(bindparam(name, type_=ARRAY(String)))


@dataclass(frozen=True, slots=True)
class Reads:
    """The group's reads on PostgreSQL (SQLite reads in one statement: SQLITE_READ_GROUP)."""

    lock: Any
    logged: Any
    links: Any
    records: Any


def _reads() -> Reads:
    heads = (boards.c.id, boards.c.seq, boards.c.object_count, boards.c.settings)
    # PostgreSQL locks rows one by one: two processes whose groups share boards must take
    # them in the same order, or each waits for the other (a deadlock, one group refused).
    # The subquery takes the row locks in id order; the UPDATE then holds them already.
    in_order = (
        select(boards.c.id)
        .where(_member(boards.c.id, "l_ids"))
        .order_by(boards.c.id)
        .with_for_update()
    )
    locked = boards.c.id.in_(in_order.scalar_subquery())
    # The records a group touches are looked up as (board, id) pairs, each by the primary
    # key: a board list times an id list returned every board's copy of every id (boards
    # made from one template share their object ids: 50 such boards in a group read 1,000
    # rows for the 50 they needed, bench/commit_cpu.py).
    pairs = (
        func.unnest(
            bindparam("r_boards", type_=ARRAY(String)), bindparam("r_ids", type_=ARRAY(String))
        )
        .table_valued("board", "id")
        .render_derived()
    )
    return Reads(
        lock=update(boards).where(locked).values(seq=boards.c.seq).returning(*heads),
        logged=select(
            batch_ids.c.board_id,
            batch_ids.c.batch_id,
            batch_ids.c.seq,
            batch_ids.c.skipped,
            batch_ids.c.applied,
        ).where(_member(batch_ids.c.board_id, "g_boards"), _member(batch_ids.c.batch_id, "g_ids")),
        links=select(links.c.board_id, links.c.role, links.c.token_hash).where(
            _member(links.c.board_id, "k_ids")
        ),
        records=select(
            objects.c.board_id, objects.c.id, objects.c.data, objects.c.deleted
        ).select_from(
            pairs.join(
                objects, and_(objects.c.board_id == pairs.c.board, objects.c.id == pairs.c.id)
            )
        ),
    )


def pair_params(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    return {"r_boards": [b for b, _ in pairs], "r_ids": [i for _, i in pairs]}


READS_PG = _reads()


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


# SQLite: each statement takes its rows as one JSON list (`json_each`), so it runs in one
# step of the database however many rows it reads or writes. pysqlite lets go of the GIL
# around every step (each executemany row, each fetched row) and takes it back after; with
# the event loop thread busy, taking it back waited for the loop, and a group commit of
# ~60 such steps spent three quarters of its wall time waiting (bench/rooms.py, py-spy and
# the probe; docs/performance.md, session 14).
def _field(index: int) -> str:
    return f"json_extract(r.value, '$[{index}]')"


@dataclass(frozen=True, slots=True)
class JsonWrite:
    """One kind of row written by one statement; `columns` give each row's JSON array."""

    statement: Any
    columns: list[tuple[str, Column[Any]]]

    def params(self, rows: list[dict[str, Any]]) -> dict[str, str]:
        return {
            "rows": orjson.dumps([[row[key] for key, _ in self.columns] for row in rows]).decode()
        }


def _insert_from_json(columns: list[tuple[str, Column[Any]]]) -> JsonWrite:
    table = columns[0][1].table.name
    names = ", ".join(column.name for _, column in columns)
    values = ", ".join(_field(i) for i in range(len(columns)))
    sql = f"INSERT INTO {table} ({names}) SELECT {values} FROM json_each(:rows) AS r"  # noqa: S608
    return JsonWrite(text(sql), columns)


def _update_from_json(columns: list[tuple[str, Column[Any]]], keys: int) -> JsonWrite:
    """The first `keys` columns are the table's primary key: one index lookup a row
    (EXPLAIN QUERY PLAN: SEARCH ... USING ... INDEX)."""
    table = columns[0][1].table.name
    sets = ", ".join(f"{c.name} = {_field(i)}" for i, (_, c) in enumerate(columns) if i >= keys)
    where = " AND ".join(
        f"{table}.{c.name} = {_field(i)}" for i, (_, c) in enumerate(columns[:keys])
    )
    sql = f"UPDATE {table} SET {sets} FROM json_each(:rows) AS r WHERE {where}"  # noqa: S608
    return JsonWrite(text(sql), columns)


# In the order the executemany path wrote them; each built from the column lists above
# only: no value reaches the SQL text.
SQLITE_WRITES = (
    ("fresh", _insert_from_json(_FRESH_COLUMNS)),
    ("moved", _update_from_json(_MOVED_COLUMNS, keys=2)),
    ("log", _insert_from_json(_LOG_COLUMNS)),
    ("ids", _insert_from_json(_IDS_COLUMNS)),
    ("heads", _update_from_json(_HEAD_COLUMNS, keys=1)),
)

# The group's four reads in one statement and one row, each a JSON list of arrays. The
# write lock is already held (BEGIN IMMEDIATE), so the heads need no UPDATE to lock them.
# A stored object's `data` comes back as a JSON string, parsed later by its own board's
# (contained) part, so one damaged row cannot fail the group's read.
SQLITE_READ_GROUP = text(
    """SELECT
 (SELECT json_group_array(json_array(id, seq, object_count, settings))
  FROM boards WHERE id IN (SELECT value FROM json_each(:boards))) AS heads,
 (SELECT json_group_array(json_array(b.board_id, b.batch_id, b.seq, b.skipped, b.applied))
  FROM json_each(:batches) AS p JOIN batch_ids AS b
  ON b.board_id = json_extract(p.value, '$[0]')
  AND b.batch_id = json_extract(p.value, '$[1]')) AS logged,
 (SELECT json_group_array(json_array(o.board_id, o.id, o.data, o.deleted))
  FROM json_each(:pairs) AS p JOIN objects AS o
  ON o.board_id = json_extract(p.value, '$[0]')
  AND o.id = json_extract(p.value, '$[1]')) AS records,
 (SELECT json_group_array(json_array(board_id, role, token_hash))
  FROM links WHERE board_id IN (SELECT value FROM json_each(:linked))) AS links"""
)
