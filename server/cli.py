"""The `samskap` command: serve, migrate, and operator tools."""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
from collections.abc import Sequence

from server import cli_backup
from server.cli_tools import add_commands, run
from server.config import Settings, from_env
from server.logs import configure
from server.shutdown import STOP_GRACE_SEC


def uvicorn_options(settings: Settings) -> dict[str, object]:
    """How the server runs behind uvicorn; tests start theirs with the same options."""
    return {
        "log_level": settings.log_level,
        # A hard cap at twice the message limit (1009, connection dropped at once); the
        # limit itself is checked by the app, which closes with a full handshake
        # (server.http.ws). Compression stays off so a small frame cannot inflate.
        "ws_max_size": 2 * settings.limits.max_message_bytes,
        "ws_per_message_deflate": False,
        "ws_ping_interval": 20.0,
        "ws_ping_timeout": 20.0,
        "proxy_headers": False,  # X-Forwarded-For counts only from SAMSKAP_TRUSTED_PROXIES
        "access_log": False,  # ours (server.logs.AccessLog) cuts client addresses to networks
        "log_config": None,  # keep the logging set up by `configure`
        "server_header": False,
        # SIGTERM: stop accepting, close sockets with 1012, wait this long for them to end,
        # then the app's lifespan finishes the commits in flight (server.shutdown).
        "timeout_graceful_shutdown": STOP_GRACE_SEC,
    }


def _serve(settings: Settings) -> int:
    import uvicorn

    from server.app import create_app

    app = create_app(settings)
    # What the imports made lives as long as the process: out of the collector's sight.
    # A full collection walks every tracked object while the event loop waits; with
    # 1,000 sockets open it took 133-186 ms, 130,000 of its 310,000 objects from the
    # imports (bench/rooms.py; docs/performance.md, session 11). Frozen, 15-35 ms.
    gc.collect()
    gc.freeze()
    print(f"Samskap is running at {settings.public_url}/", flush=True)
    uvicorn.run(app, host=settings.host, port=settings.port, **uvicorn_options(settings))  # type: ignore[arg-type]
    return 0


def _migrate(settings: Settings) -> int:
    from server.storage.engine import SchemaTooNew, create_engine, migrate

    async def run() -> None:
        engine = create_engine(settings.database_url, schema=settings.database_schema)
        try:
            await migrate(engine)
        finally:
            await engine.dispose()

    try:
        asyncio.run(run())
    except SchemaTooNew as exc:
        print(f"samskap migrate: {exc}", file=sys.stderr)
        return 1
    print("database is up to date")
    return 0


def _templates_check(paths: Sequence[str]) -> int:
    from server.files import check_files

    problems = check_files(paths)
    for problem in problems:
        print(problem, file=sys.stderr)
    if not problems:
        print(f"{len(paths)} template file(s) OK")
    return 1 if problems else 0


def _purge(settings: Settings, idle_days: float, action: str, dry_run: bool) -> int:
    """Archive (lock, keep readable) or delete boards nobody opened or edited for `idle_days`."""
    import time

    from server.domain import facilitation
    from server.storage.engine import create_engine, migrate
    from server.storage.store import SqlBoardStore

    async def run() -> list[str]:
        engine = create_engine(settings.database_url, schema=settings.database_schema)
        await migrate(engine)
        store = SqlBoardStore(engine)
        try:
            cutoff = int((time.time() - idle_days * 86400) * 1000)
            found = await store.boards_idle_since(cutoff)
            for board_id in [] if dry_run else found:
                if action == "delete":
                    await store.delete_board(board_id)
                else:
                    await store.update_settings(board_id, _archived)
            return found
        finally:
            await store.close()

    def _archived(settings_: dict[str, object]) -> dict[str, object]:
        session = {**facilitation.current(settings_), "locked": True}
        return {**settings_, "session": session, "archived": True}

    found = asyncio.run(run())
    verb = {"delete": "deleted", "archive": "archived"}[action]
    print(
        f"{len(found)} board(s) idle for {idle_days:g} days {'would be ' if dry_run else ''}{verb}"
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="samskap", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the server")
    serve.add_argument("--host", help="address to listen on (SAMSKAP_HOST)")
    serve.add_argument("--port", type=int, help="port to listen on (SAMSKAP_PORT)")
    commands.add_parser("migrate", help="bring the database schema up to date")
    templates = commands.add_parser("templates", help="workshop template tools")
    template_commands = templates.add_subparsers(dest="templates_command", required=True)
    check = template_commands.add_parser("check", help="validate template files")
    check.add_argument("files", nargs="+")
    i18n = commands.add_parser("i18n", help="translation tools")
    i18n_commands = i18n.add_subparsers(dest="i18n_command", required=True)
    i18n_check = i18n_commands.add_parser(
        "check", help="list missing and unused texts per language; fail if nb, nn or en has a gap"
    )
    i18n_check.add_argument(
        "templates", nargs="*", help="template files to check (default: the shipped ones)"
    )
    i18n_check.add_argument("--strict", action="store_true", help="unused keys fail too")
    purge = commands.add_parser("purge", help="archive or delete boards nobody opened for a while")
    purge.add_argument("--idle-days", type=float, required=True)
    purge.add_argument("--action", choices=("archive", "delete"), default="archive")
    purge.add_argument("--dry-run", action="store_true")
    add_commands(commands)
    cli_backup.add_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = from_env()
    configure(settings.log_level, settings.log_format)
    if args.command == "serve":
        if args.host or args.port:
            settings = settings.with_address(args.host or settings.host, args.port or settings.port)
        return _serve(settings)
    if args.command == "migrate":
        return _migrate(settings)
    if args.command == "templates":
        return _templates_check(args.files)
    if args.command == "i18n":
        from server.i18n_check import main as i18n_main

        return i18n_main(args.templates, args.strict)
    if args.command == "purge":
        return _purge(settings, args.idle_days, args.action, args.dry_run)
    result = run(args, settings)
    if result is None:
        result = cli_backup.run(args, settings)
    if result is not None:
        return result
    return 2


if __name__ == "__main__":
    sys.exit(main())
