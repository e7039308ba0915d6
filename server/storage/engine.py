"""Engine creation and migrations for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import sqlalchemy
from alembic import command
from alembic.config import Config
from alembic.util import CommandError
from sqlalchemy import Connection, Engine, event, exc, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
READ_ONLY = "samskap_read_only"
_MIGRATION_LOCK = 0x53414D53  # "SAMS": one migrator at a time across processes
# A pooled PostgreSQL connection idle this long is pinged before use (see _ping_if_idle).
IDLE_PING_SEC = 10.0


class SchemaTooNew(RuntimeError):
    """The database was migrated by a newer Samskap than this one."""


def create_engine(url: str, *, schema: str | None = None) -> AsyncEngine:
    """An async engine tuned for our write pattern.

    SQLite: WAL, synchronous=FULL (an ack must survive power loss), a busy timeout,
    and BEGIN IMMEDIATE so writers queue instead of failing on lock upgrade.
    PostgreSQL: an optional schema (tests give each run its own).
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, connect_args=_SQLITE_CONNECT_ARGS)
        _tune_sqlite(engine.sync_engine)
        return engine
    connect_args: dict[str, Any] = {}
    if schema:
        connect_args["server_settings"] = {"search_path": schema}
    engine = create_async_engine(
        url, pool_size=10, max_overflow=20, pool_recycle=3600, connect_args=connect_args
    )
    event.listen(engine.sync_engine, "checkout", _ping_if_idle)
    return engine


def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    """Ping a pooled connection before use only if it sat idle for `IDLE_PING_SEC`.

    SQLAlchemy's `pool_pre_ping` pings on every checkout; with asyncpg that is three
    round trips (BEGIN, a query, ROLLBACK), 9 % of a busy process's main thread in
    `bench/scaleout.py`, once per commit group. A connection used a moment ago is
    alive; one that waited (or outlived a database restart) is checked, and a dead one
    is replaced by the pool (DisconnectionError) before anything runs on it.
    """
    now = time.monotonic()
    idle = now - record.info.get("samskap_used", 0.0)
    record.info["samskap_used"] = now
    if idle >= IDLE_PING_SEC:
        try:
            dbapi_connection.ping()
        except Exception as error:
            raise exc.DisconnectionError(f"idle connection is gone: {error}") from error


_SQLITE_CONNECT_ARGS = {"timeout": 30}


def sqlite_writer_url(engine: AsyncEngine) -> str | None:
    """Where the SQLite writer process connects: `engine`'s file, over pysqlite.

    None when `engine` is not SQLite on a file (an in-memory database is per connection).
    """
    url = engine.url
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return url.set(drivername="sqlite+pysqlite").render_as_string(hide_password=False)


def sqlite_writer_engine(url: str) -> Engine:
    """A synchronous (pysqlite) engine on the SQLite file at `url`, tuned like the server's.

    The writer process runs whole commit transactions on its one connection.
    """
    writer = sqlalchemy.create_engine(
        url,
        connect_args=_SQLITE_CONNECT_ARGS,
        pool_size=1,  # one writer, one connection
        max_overflow=0,
        # Every use is a `begin()` block that ends in COMMIT or ROLLBACK: the pool's own
        # rollback on check-in was one more statement per group commit, for nothing.
        pool_reset_on_return=None,
    )
    _tune_sqlite(writer)
    return writer


def _tune_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        for pragma in (
            "journal_mode=WAL",
            "synchronous=FULL",
            "busy_timeout=30000",
            "foreign_keys=ON",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # Readers take a deferred (snapshot) transaction; writers queue for the lock.
        read_only = conn.get_execution_options().get(READ_ONLY, False)
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def _upgrade(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    try:
        command.upgrade(config, "head")
    except CommandError as exc:
        if "Can't locate revision" not in str(exc):
            raise
        found = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        raise SchemaTooNew(
            f"the database is at schema revision {found}, which this Samskap does not know: "
            "a newer version has upgraded it. Run that version (or newer), or restore a "
            "backup made by this one (docs/operations.md#upgrades)"
        ) from None


async def migrate(engine: AsyncEngine) -> None:
    """Bring the schema to the newest revision (safe to run from several processes)."""
    async with engine.begin() as conn:
        await conn.run_sync(_upgrade)
