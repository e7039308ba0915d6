"""SQLite's group-commit statements look every row up by its primary key.

Each statement takes its rows as one JSON list (commit_sql.py); a join the planner chose
to run the other way round would scan a whole table for every row of the list. The plan
of each statement, on the migrated schema, may scan only the JSON lists.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from server.storage.commit_sql import SQLITE_READ_GROUP, SQLITE_WRITES
from server.storage.engine import create_engine, migrate

STATEMENTS = [("read", SQLITE_READ_GROUP)] + [(kind, w.statement) for kind, w in SQLITE_WRITES]


@pytest.fixture
async def schema(tmp_path: Path) -> Path:
    path = tmp_path / "plans.db"
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    await migrate(engine)
    await engine.dispose()
    return path


@pytest.mark.parametrize(("kind", "statement"), STATEMENTS, ids=[k for k, _ in STATEMENTS])
def test_only_the_json_lists_are_scanned(schema: Path, kind: str, statement: object) -> None:
    sql = re.sub(r":\w+", "?", statement.text)  # type: ignore[attr-defined]
    with sqlite3.connect(schema) as conn:
        plan = [
            row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}", ["[]"] * sql.count("?"))
        ]
    scans = [step for step in plan if step.startswith("SCAN") and step != "SCAN CONSTANT ROW"]
    assert scans, plan  # the lists themselves are read
    assert all("VIRTUAL TABLE" in step for step in scans), (kind, plan)
    if kind in ("read", "moved", "heads"):  # these join stored rows: by their key
        assert any(step.startswith("SEARCH") and "INDEX" in step for step in plan), plan
