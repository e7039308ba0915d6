"""The group commit's statements, run on the database driver directly.

SQLAlchemy Core spends about 25 µs of Python per statement (execution context,
parameter processing, result set-up); a one-batch commit runs seven statements, so
three quarters of the SQLite writer thread's time was SQLAlchemy (bench/commit_cpu.py,
cProfile). Here each statement is compiled once, by SQLAlchemy and for the connection's
dialect, and then run with the DBAPI cursor: the SQL text (with PostgreSQL's casts) and
the bind processors (JSON lists, booleans) are SQLAlchemy's own, so what reaches the
database is what `Connection.execute` would send. On PostgreSQL the cursor is
SQLAlchemy's asyncpg adapter, which still starts the transaction and keeps each SQL
text prepared. aiosqlite (SQLite in memory) keeps `Connection.execute`.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection, Dialect

Params = Mapping[str, Any]


_GIVEN = object()  # a parameter the caller passes (not a constant of the statement)


@dataclass(frozen=True, slots=True)
class _Compiled:
    sql: str
    # In placeholder order: the name, its bind processor, and its value where the
    # statement itself holds one (a literal such as json_extract's '$[0]').
    binds: tuple[tuple[str, Callable[[Any], Any] | None, Any], ...]

    def args(self, params: Params) -> tuple[Any, ...]:
        values = []
        for name, process, constant in self.binds:
            value = params[name] if constant is _GIVEN else constant
            values.append(value if process is None else process(value))
        return tuple(values)


_compiled: dict[tuple[int, tuple[str, ...] | None, str, str], tuple[Any, _Compiled]] = {}
_row_types: dict[tuple[str, ...], Any] = {}


def _compile(statement: Any, dialect: Dialect, keys: tuple[str, ...] | None) -> _Compiled:
    """`keys`: the columns an INSERT without `.values()` is given, as `execute` would
    take them from the first row (every column must be given: no defaults are run)."""
    cache_key = (id(statement), keys, dialect.name, dialect.paramstyle)
    hit = _compiled.get(cache_key)
    if hit is not None and hit[0] is statement:
        return hit[1]
    compiled = statement.compile(dialect=dialect, column_keys=list(keys) if keys else None)
    binds = []
    for name in compiled.positiontup or ():
        bind = compiled.binds[name]
        given = bind.required or (keys is not None and name in keys)
        if not given and keys is not None:
            raise ValueError(f"{statement}: column {name} must be given")
        constant = _GIVEN if given else bind.effective_value
        binds.append((name, dialect.type_descriptor(bind.type).bind_processor(dialect), constant))
    result = _Compiled(str(compiled), tuple(binds))
    _compiled[cache_key] = (statement, result)  # the statement is kept: its id stays its own
    return result


def _rows(cursor: Any) -> list[Any]:
    """Rows with attribute access by column name, as `Connection.execute` gives them."""
    if cursor.description is None:
        return []
    names = tuple(column[0] for column in cursor.description)
    row_type = _row_types.get(names)
    if row_type is None:
        row_type = _row_types[names] = namedtuple("Row", names)  # type: ignore[misc]
    return [row_type(*row) for row in cursor.fetchall()]


def _direct(conn: Connection) -> bool:
    """The SQLite writer's pysqlite and PostgreSQL's asyncpg (its DBAPI adapter, which
    starts the transaction and prepares each SQL text once); not aiosqlite."""
    name = conn.dialect.name
    return name == "postgresql" or (name == "sqlite" and not conn.dialect.is_async)


@contextmanager
def _cursor(conn: Connection) -> Iterator[Any]:
    """A DBAPI cursor of the connection's transaction. A connection the database lost
    is invalidated, as `Connection.execute` would do, so the pool never hands it out
    again; the error goes on to the caller (the commit fails: `unavailable`)."""
    cursor = conn.connection.cursor()
    try:
        yield cursor
    except conn.dialect.loaded_dbapi.Error as exc:
        if conn.dialect.is_disconnect(exc, conn.connection.dbapi_connection, cursor):
            conn.invalidate(exc)
        raise
    finally:
        with suppress(Exception):
            cursor.close()


def execute(conn: Connection, statement: Any, params: Params) -> Sequence[Any]:
    """One statement with one set of parameters; its rows (if it returns any)."""
    if not _direct(conn):
        return list(conn.execute(statement, params))
    compiled = _compile(statement, conn.dialect, None)
    with _cursor(conn) as cursor:
        cursor.execute(compiled.sql, compiled.args(params))
        return _rows(cursor)


def execute_many(conn: Connection, statement: Any, rows: Iterable[Params]) -> None:
    """One statement for many rows (an INSERT takes its columns from the first row)."""
    rows = list(rows)
    if not rows:
        return
    if not _direct(conn):
        conn.execute(statement, rows)
        return
    keys = tuple(rows[0]) if statement.is_insert else None
    compiled = _compile(statement, conn.dialect, keys)
    with _cursor(conn) as cursor:
        cursor.executemany(compiled.sql, [compiled.args(row) for row in rows])
