"""`samskap export` and `samskap import`: operator tools on the configured database.

They open the database directly (the same `SAMSKAP_*` settings as the server), so an
operator can back up or restore a board on the server machine without a link token,
and they go through the same ExportService as the HTTP API, so private objects stay
out and a bad file creates nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from server.config import Settings
from server.domain.errors import ErrorCode, ProtocolError

if TYPE_CHECKING:
    from server.services.exports import ExportFile

COMMANDS = ("export", "import")
# The renderers take a second to import; only `export` and `import` pay for that,
# so the formats are named here and a test checks them against server.services.exports.
FORMATS = ("png", "svg", "pdf", "csv", "json", "canvas", "report")


def add_commands(subparsers: Any) -> None:
    """Add `export` and `import` to the `samskap` parser."""
    export = subparsers.add_parser("export", help="export a board to a file")
    export.add_argument("board", help="board id (the part after /b/ in a link)")
    export.add_argument("--format", required=True, choices=FORMATS)
    export.add_argument("--frame", help="export only this frame (png, svg, pdf)")
    export.add_argument("--scale", type=float, default=1.0, help="pixels per board unit")
    export.add_argument("--padding", type=float, default=40.0, help="margin in board units")
    export.add_argument(
        "--no-background", dest="background", action="store_false", help="transparent background"
    )
    export.add_argument(
        "--names",
        action="store_true",
        help="report: participants' names on the title page; csv: fill the author column",
    )
    export.add_argument("-o", "--output", required=True, help="file to write, or - for stdout")
    imp = subparsers.add_parser("import", help="import a board backup or Excalidraw file")
    imp.add_argument("file", help="a .json backup or an .excalidraw file")
    imp.add_argument("--title", help="title of the new board (default: from the file)")


def run(args: argparse.Namespace, settings: Settings) -> int | None:
    """Run our command; None when the command belongs to someone else."""
    if args.command not in COMMANDS:
        return None
    try:
        if args.command == "export":
            return _write(args.output, asyncio.run(_export(args, settings)))
        data = _read(Path(args.file), settings.limits.import_bytes)
        return _print_created(asyncio.run(_import(data, args.title, settings)))
    except ProtocolError as exc:
        print(f"samskap {args.command}: {exc.message}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"samskap {args.command}: {exc}", file=sys.stderr)
        return 1


def _read(path: Path, limit: int) -> bytes:
    """Read the file, refusing a too large one before it is in memory."""
    size = path.stat().st_size
    if size > limit:
        raise ProtocolError(
            ErrorCode.TOO_LARGE,
            f"the file is {size:,} bytes; the limit is {limit:,} (SAMSKAP_LIMIT_IMPORT_BYTES)",
        )
    return path.read_bytes()


def _write(output: str, file: ExportFile) -> int:
    if output == "-":
        sys.stdout.buffer.write(file.data)
        sys.stdout.buffer.flush()
    else:
        Path(output).write_bytes(file.data)
        print(f"wrote {output} ({len(file.data):,} bytes)", file=sys.stderr)
    return 0


def _print_created(created: dict[str, Any]) -> int:
    print(f"board {created['id']}: {created['title']}")
    for role, link in created["links"].items():
        print(f"{role}: {link}")
    report = created["report"]
    counts = ", ".join(f"{n} {kind}" for kind, n in sorted(report.get("imported", {}).items()))
    print(f"imported: {counts or 'nothing'}", file=sys.stderr)
    for note in report.get("notes", []):
        print(f"note: {note}", file=sys.stderr)
    return 0


async def _open(settings: Settings) -> Any:
    from server.storage.engine import create_engine, migrate
    from server.storage.store import SqlBoardStore

    engine = create_engine(settings.database_url, schema=settings.database_schema)
    await migrate(engine)
    return SqlBoardStore(engine, log_retain=settings.limits.log_retain)


async def _export(args: argparse.Namespace, settings: Settings) -> ExportFile:
    from server.files import install_fonts
    from server.services.exports import ExportOptions, ExportService

    install_fonts()  # the renderers draw with the shipped fonts (as create_app sets up)
    store = await _open(settings)
    try:
        service = ExportService(store, settings.limits)
        if args.format == "report":
            return await service.report(args.board, names=args.names)
        options = ExportOptions(args.frame, args.scale, args.background, args.padding)
        return await service.export(args.board, args.format, options, names=args.names)
    finally:
        await store.close()


async def _import(data: bytes, title: str | None, settings: Settings) -> dict[str, Any]:
    from server.pubsub.memory import MemoryBroker
    from server.services.boards import BoardService
    from server.services.exports import ExportService
    from server.services.hub import Hub

    store = await _open(settings)
    try:
        # A hub is only needed to tell live sessions about changes; a new board has none.
        hub = Hub(store, MemoryBroker(), settings.limits, prefix=settings.redis_prefix)
        boards = BoardService(store, hub, settings.public_url, settings.limits.image_pixels)
        return await ExportService(store, settings.limits).import_board(boards, data, title=title)
    finally:
        await store.close()
