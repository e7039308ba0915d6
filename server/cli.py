"""The `samskap` command: serve, migrate, and operator tools."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence

from server.cli_tools import add_commands, run
from server.config import Settings, from_env


def _serve(settings: Settings) -> int:
    import uvicorn

    from server.app import create_app

    app = create_app(settings)
    print(f"Samskap is running at {settings.public_url}/", flush=True)
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        # Frames over the limit are refused by the protocol layer before parsing (1009),
        # and compression stays off so a small frame cannot inflate to gigabytes.
        ws_max_size=settings.limits.max_message_bytes,
        ws_per_message_deflate=False,
        ws_ping_interval=20.0,
        ws_ping_timeout=20.0,
        proxy_headers=False,  # X-Forwarded-For counts only from SAMSKAP_TRUSTED_PROXIES
        server_header=False,
    )
    return 0


def _migrate(settings: Settings) -> int:
    from server.storage.engine import create_engine, migrate

    async def run() -> None:
        engine = create_engine(settings.database_url, schema=settings.database_schema)
        try:
            await migrate(engine)
        finally:
            await engine.dispose()

    asyncio.run(run())
    print("database is up to date")
    return 0


def _templates_check(paths: Sequence[str]) -> int:
    from server.domain.templates import check_files

    problems = check_files(paths)
    for problem in problems:
        print(problem, file=sys.stderr)
    if not problems:
        print(f"{len(paths)} template file(s) OK")
    return 1 if problems else 0


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
    add_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = from_env()
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if args.command == "serve":
        if args.host or args.port:
            settings = settings.with_address(args.host or settings.host, args.port or settings.port)
        return _serve(settings)
    if args.command == "migrate":
        return _migrate(settings)
    if args.command == "templates":
        return _templates_check(args.files)
    result = run(args, settings)
    if result is not None:
        return result
    return 2


if __name__ == "__main__":
    sys.exit(main())
