"""The SQLite writer's driver-level statements send what `Connection.execute` would:
SQLAlchemy's SQL text, its bind processors, a statement's own constants, and rows read
back by column name. (The group commit tests run every commit through them.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import (
    Boolean,
    Column,
    Integer,
    MetaData,
    String,
    Table,
    TypeDecorator,
    bindparam,
    func,
    select,
)
from sqlalchemy import create_engine as sync_engine
from sqlalchemy import insert as insert_into

from server.storage.driver_sql import execute, execute_many


class Json(TypeDecorator[Any]):
    """A list sent as one JSON text: a type with a bind processor."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        return None if value is None else orjson.dumps(value).decode()


meta = MetaData()
things = Table(
    "things",
    meta,
    Column("id", String, primary_key=True),
    Column("size", Integer, nullable=False),
    Column("done", Boolean, nullable=False, default=False),
)


@pytest.fixture
def conn(tmp_path: Path) -> Any:
    engine = sync_engine(f"sqlite:///{tmp_path / 'd.db'}")
    meta.create_all(engine)
    with engine.begin() as connection:
        yield connection
    engine.dispose()


def test_rows_constants_and_bind_processors_match_sqlalchemy(conn: Any) -> None:
    rows = [{"id": f"t{i}", "size": i, "done": i % 2 == 0} for i in range(5)]
    execute_many(conn, insert_into(things), rows)
    # A JSON list parameter (bind processor), a literal '$[1]' (the statement's own).
    pick = select(
        things.c.id, things.c.done, func.json_extract(bindparam("j", type_=Json()), "$[1]")
    ).where(things.c.size >= bindparam("least"))
    ours = execute(conn, pick, {"j": ["a", "b"], "least": 3})
    theirs = list(conn.execute(pick, {"j": ["a", "b"], "least": 3}))
    # Booleans come back as SQLite keeps them (0/1): callers read them with bool().
    assert (
        [tuple(r) for r in ours] == [tuple(r) for r in theirs] == [("t3", 0, "b"), ("t4", 1, "b")]
    )
    assert [(r.id, r.done) for r in ours] == [("t3", 0), ("t4", 1)]


def test_an_insert_must_give_every_column(conn: Any) -> None:
    """No column defaults run at this level: a row without `done` is refused, not
    written with NULL."""
    with pytest.raises(ValueError, match="done must be given"):
        execute_many(conn, insert_into(things), [{"id": "x", "size": 1}])
    assert execute(conn, select(func.count()).select_from(things), {})[0][0] == 0
