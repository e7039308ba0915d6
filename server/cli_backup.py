"""`samskap backup FILE` and `samskap restore FILE` (server/storage/backup.py does the work)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from server.config import Settings

COMMANDS = ("backup", "restore")


def add_commands(subparsers: Any) -> None:
    backup = subparsers.add_parser(
        "backup", help="write the whole installation to one file (safe while the server runs)"
    )
    backup.add_argument("file", help="the backup file to write, e.g. samskap-2026-12-02.backup")
    restore = subparsers.add_parser(
        "restore", help="load a backup into an empty database (SQLite or PostgreSQL)"
    )
    restore.add_argument("file", help="a file written by `samskap backup`")


def _where(settings: Settings) -> str:
    from sqlalchemy.engine import make_url

    shown = make_url(settings.database_url).render_as_string(hide_password=True)
    return shown + (f" (schema {settings.database_schema})" if settings.database_schema else "")


def run(args: argparse.Namespace, settings: Settings) -> int | None:
    if args.command not in COMMANDS:
        return None
    from server.storage import backup as backups
    from server.storage.engine import create_engine

    path = Path(args.file)

    async def go() -> backups.Summary:
        engine = create_engine(settings.database_url, schema=settings.database_schema)
        try:
            if args.command == "backup":
                return await backups.backup(engine, path)
            return await backups.restore(engine, path)
        finally:
            await engine.dispose()

    if args.command == "restore" and not path.is_file():
        print(f"samskap restore: {path} does not exist", file=sys.stderr)
        return 1
    try:
        summary = asyncio.run(go())
    except backups.BackupError as exc:
        print(f"samskap {args.command}: {exc}", file=sys.stderr)
        return 1
    if args.command == "backup":
        size = summary.bytes / 1_000_000
        print(f"backup written: {path} ({size:.1f} MB) from {_where(settings)}")
        print(f"contains {summary.describe()}")
    else:
        print(f"restored {path} into {_where(settings)}")
        print(f"loaded {summary.describe()}; the schema is up to date")
        print("start the server: every board and link works as before")
    return 0
