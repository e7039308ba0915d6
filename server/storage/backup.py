"""`samskap backup` / `samskap restore`: the whole installation in one file, either database.

Generic over the schema: every table of `server.storage.tables.metadata` is copied, so a
table added by a later migration comes along without a change here. The backup is read in
one snapshot transaction (PostgreSQL REPEATABLE READ, SQLite one deferred transaction on
WAL), so it is consistent while the server runs and commits.

The file is gzip-compressed JSON lines:

    {"format": "samskap-backup", "version": 1, "revision": "0002", "dialect": ..., ...}
    {"table": "boards", "columns": ["id", ...]}
    ["b1", ...]                                   one line per row; bytes as {"$b64": ...}
    ...
    {"end": true, "rows": {"boards": 12, ...}}    missing when the file was cut short

A restore brings an empty database to the backup's migration revision, loads every row
in one transaction (tables in foreign-key order), then migrates to the newest revision,
so a backup made by an older version restores into a newer one.
"""

from __future__ import annotations

import base64
import gzip
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, MetaData, Table, func, inspect, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from .engine import _MIGRATION_LOCK, MIGRATIONS, READ_ONLY
from .tables import metadata

FORMAT = "samskap-backup"
VERSION = 1
CHUNK = 500


class BackupError(Exception):
    """A backup or restore refused, with a message for the operator."""


@dataclass
class Summary:
    revision: str
    dialect: str
    rows: dict[str, int] = field(default_factory=dict)
    bytes: int = 0

    def describe(self) -> str:
        counts = ", ".join(f"{count} {name}" for name, count in self.rows.items())
        return f"{counts} (schema revision {self.revision}, from {self.dialect})"


def _alembic_config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head


def _revision_of(connection: Connection) -> str | None:
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _encode(value: Any) -> Any:
    if isinstance(value, bytes | bytearray | memoryview):
        return {"$b64": base64.b64encode(bytes(value)).decode()}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and "$b64" in value:
        return base64.b64decode(value["$b64"])
    return value


def _line(out: gzip.GzipFile, item: Any) -> None:
    out.write(orjson.dumps(item))
    out.write(b"\n")


# --- backup ---------------------------------------------------------------------------------


def _dump(connection: Connection, out: gzip.GzipFile) -> Summary:
    revision = _revision_of(connection)
    head = head_revision()
    if revision != head:
        raise BackupError(
            f"the database is at schema revision {revision}, this Samskap at {head}: "
            "run `samskap migrate` (or start the server once) first"
        )
    summary = Summary(revision, connection.dialect.name)
    _line(
        out,
        {
            "format": FORMAT,
            "version": VERSION,
            "revision": revision,
            "dialect": connection.dialect.name,
            "created_at": int(time.time() * 1000),
            "tables": [str(table.name) for table in metadata.sorted_tables],
        },
    )
    for table in metadata.sorted_tables:
        columns = [str(column.name) for column in table.columns]
        _line(out, {"table": str(table.name), "columns": columns})
        order = list(table.primary_key.columns) or list(table.columns)
        result = connection.execution_options(stream_results=True, yield_per=CHUNK).execute(
            select(*table.columns).order_by(*order)
        )
        count = 0
        for row in result:
            _line(out, [_encode(value) for value in row])
            count += 1
        summary.rows[str(table.name)] = count
    _line(out, {"end": True, "rows": summary.rows})
    return summary


def _write(connection: Connection, path: Path) -> Summary:
    partial = path.with_name(path.name + ".partial")
    try:
        with open(partial, "wb") as raw:
            with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6) as out:
                summary = _dump(connection, out)
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    summary.bytes = path.stat().st_size
    return summary


async def backup(engine: AsyncEngine, path: Path) -> Summary:
    """Write a consistent snapshot of every table to `path` (atomically: a .partial first)."""
    # One snapshot for all tables: a deferred transaction on SQLite's WAL, or
    # REPEATABLE READ on PostgreSQL; writers go on committing meanwhile.
    options: dict[str, Any] = {READ_ONLY: True}
    if engine.dialect.name == "postgresql":
        options["isolation_level"] = "REPEATABLE READ"
    async with engine.execution_options(**options).begin() as conn:
        return await conn.run_sync(_write, path)


# --- restore --------------------------------------------------------------------------------


def _records(path: Path) -> Iterator[Any]:
    try:
        with gzip.open(path, "rb") as f:
            for line in f:
                yield orjson.loads(line)
    except (OSError, EOFError, orjson.JSONDecodeError) as exc:
        raise BackupError(f"{path} is not a complete Samskap backup ({exc})") from None


def _header(path: Path) -> dict[str, Any]:
    records = _records(path)
    header = next(records, None)
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise BackupError(f"{path} is not a Samskap backup")
    if header.get("version") != VERSION:
        raise BackupError(f"{path} is a backup format version this Samskap does not read")
    last = None
    for last in records:  # noqa: B007 - read to the end: a cut file fails here, not half-way
        pass
    if not (isinstance(last, dict) and last.get("end")):
        raise BackupError(f"{path} is cut short (no end marker): use another backup")
    return header


def _is_empty(connection: Connection) -> bool:
    names = set(inspect(connection).get_table_names())
    for table in metadata.sorted_tables:
        if table.name in names:
            found = connection.execute(select(func.count()).select_from(table)).scalar()
            if found:
                return False
    return True


def _load(connection: Connection, path: Path, revision: str) -> Summary:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
    if not _is_empty(connection):
        raise BackupError("the database is not empty: restore only into a new, empty database")
    config = _alembic_config(connection)
    known = {script.revision for script in ScriptDirectory.from_config(config).walk_revisions()}
    if revision not in known:
        raise BackupError(
            f"the backup is at schema revision {revision}, which this Samskap does not know: "
            "restore it with the version that made it (or a newer one)"
        )
    # The schema as it was when the backup was made; newer migrations run on the data after.
    command.upgrade(config, revision)
    reflected = MetaData()
    reflected.reflect(connection)
    summary = Summary(revision, connection.dialect.name)
    table: Table | None = None
    columns: list[str] = []
    rows: list[dict[str, Any]] = []

    def flush() -> None:
        if table is not None and rows:
            connection.execute(table.insert(), rows)
            rows.clear()

    for record in _records(path):
        if isinstance(record, list):
            if table is None:
                raise BackupError(f"{path}: a row before its table")
            rows.append({c: _decode(v) for c, v in zip(columns, record, strict=True)})
            summary.rows[str(table.name)] += 1
            if len(rows) >= CHUNK:
                flush()
        elif "table" in record:
            flush()
            if record["table"] not in reflected.tables:
                raise BackupError(f"{path}: table {record['table']} is not in the schema")
            table = reflected.tables[record["table"]]
            columns = list(record["columns"])
            summary.rows[str(table.name)] = 0
        elif record.get("end"):
            flush()
            if record["rows"] != summary.rows:
                raise BackupError(f"{path}: row counts do not match the end marker")
    _reset_sequences(connection, reflected)
    command.upgrade(config, "head")
    return summary


def _reset_sequences(connection: Connection, reflected: MetaData) -> None:
    """PostgreSQL: serial/identity columns continue after the restored ids."""
    if connection.dialect.name != "postgresql":
        return
    for table in reflected.sorted_tables:
        for column in table.primary_key.columns:
            sequence = connection.execute(
                text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": column.name}
            ).scalar()
            if sequence:
                connection.execute(
                    text(
                        f'SELECT setval(:s, COALESCE((SELECT MAX("{column.name}") '  # noqa: S608
                        f'FROM "{table.name}"), 0) + 1, false)'
                    ),
                    {"s": sequence},
                )


async def restore(engine: AsyncEngine, path: Path) -> Summary:
    """Load a backup into an empty database of either kind, in one transaction."""
    header = _header(path)
    async with engine.begin() as conn:
        summary = await conn.run_sync(_load, path, str(header["revision"]))
    summary.dialect = f"{header['dialect']} → {engine.dialect.name}"
    return summary
