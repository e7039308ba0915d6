"""Export and import use cases: load a board from the store, run the pure renderers.

The renderers and format parsers in `server.domain` are pure and CPU-bound (a
1,000-object PNG takes about two seconds). They run here in a small thread pool of
their own, at most two jobs at a time per process, with a short waiting line, so
that a burst of exports queues (or is refused with 503) instead of starving the
event loop that carries everyone's live edits. The HTTP routes and the operator CLI
share this module so both apply the same policy: private objects are never
exported, every bad option or file becomes one `ProtocolError` with a message meant
for the person who asked, and an import that fails creates nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import functools
import io
import logging
import multiprocessing
import re
import threading
import unicodedata
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FuturesTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, TypeVar

import orjson
from PIL import Image

from server.config import Limits
from server.domain import facilitation
from server.domain.errors import ErrorCode, ProtocolError
from server.domain.formats import (
    ParsedBoard,
    export_backup,
    export_canvas,
    notes_csv,
    parse_backup,
    parse_excalidraw,
)
from server.domain.formats.common import load_json
from server.domain.images import ImageRejected, clean_image
from server.domain.languages import FALLBACK, choose
from server.domain.objects import ID_RE
from server.domain.render.budget import estimate_bytes
from server.domain.render.pdf import render_pdf
from server.domain.render.png import render_png
from server.domain.render.report import render_report
from server.domain.render.svg import render_svg
from server.domain.render.text import FontFile, install_fonts, installed_fonts

from .boards import BoardService, clean_title
from .ports import Asset, BoardStore

T = TypeVar("T")

PICTURES = ("png", "svg", "pdf")
FORMATS = (*PICTURES, "csv", "json", "canvas")
MEDIA_TYPES = {
    "png": "image/png",
    "svg": "image/svg+xml",
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "canvas": "application/json",
}
# Pictures and the backup draw images, so they need the asset bytes; CSV and Canvas do not.
NEEDS_ASSETS = frozenset({"png", "svg", "pdf", "json"})
MAX_RUNNING = 2
MAX_WAITING = 8
DEFAULT_IMPORT_TITLE = {"nb": "Importert tavle", "nn": "Importert tavle", "en": "Imported board"}
REPORT_NAME = {"nb": "rapport", "nn": "rapport", "en": "report"}  # in the report's file name


def quiet_libraries() -> None:
    """In an export worker: the font and PDF libraries' INFO chatter stays out of the log."""
    for chatty in ("fontTools", "fpdf", "PIL"):
        logging.getLogger(chatty).setLevel(logging.WARNING)


def _start_worker(fonts: Mapping[str, FontFile]) -> None:
    """An export worker's first step: quiet logs, and the server's fonts as bytes."""
    quiet_libraries()
    install_fonts(fonts)


@dataclass(frozen=True, slots=True)
class ExportOptions:
    """What part of the board to draw and how; checked again by the renderer."""

    frame: str | None = None
    scale: float = 1.0
    background: bool = True
    padding: float = 40.0

    def is_default(self) -> bool:
        return self == ExportOptions()


@dataclass(frozen=True, slots=True)
class ExportFile:
    data: bytes
    media_type: str
    filename: str


# --- the bounded worker pool --------------------------------------------------------


class _Pool:
    """MAX_RUNNING worker threads per process and at most MAX_WAITING jobs queued.

    A dedicated pool (not asyncio's default one) keeps the bound real even when a
    client disconnects mid-export: a cancelled await does not stop a running thread,
    but that thread still occupies one of the two workers until it is done.
    """

    def __init__(self) -> None:
        self._executor: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()
        self._jobs = 0

    def _get(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(MAX_RUNNING, thread_name_prefix="export")
            return self._executor

    def reserve(self) -> None:
        """Take a place in line before loading the board, or refuse at once."""
        with self._lock:
            if self._jobs >= MAX_RUNNING + MAX_WAITING:
                raise ProtocolError(
                    ErrorCode.UNAVAILABLE,
                    "the server is busy with other exports and imports; try again in a minute",
                )
            self._jobs += 1

    def release(self) -> None:
        with self._lock:
            self._jobs -= 1

    async def warm(self) -> None:
        """Start every worker's process now (at server start), not on the first export:
        a spawn and its imports take a second or more, longer than a client may wait."""
        loop = asyncio.get_running_loop()
        executor = self._get()
        # Both jobs wait on a barrier, so each runs on its own thread (one process each).
        barrier = threading.Barrier(MAX_RUNNING, timeout=5)
        await asyncio.gather(
            *(loop.run_in_executor(executor, _warm_thread, barrier) for _ in range(MAX_RUNNING))
        )

    def close(self) -> None:
        """Stop the worker processes and threads (at the server's stop).

        A worker process's queues are semaphores that multiprocessing's resource
        tracker counts until they are collected, and uvicorn ends the process by
        re-raising SIGTERM, so no exit handler collects them: every stop was reported
        as "10 leaked semaphore objects". A job still running here has lost its request
        (uvicorn cancelled it), so its process is killed rather than waited for. A job
        after this starts a new pool (tests run several servers in one process).
        """
        with self._lock:
            executor, self._executor = self._executor, None
        for worker in list(_WORKERS):
            worker.kill(wait=True)
        if executor is not None:
            executor.shutdown(wait=True)  # its threads end once their process is gone

    async def run(
        self, fn: Callable[..., T], /, *args: Any, seconds: float = 0.0, **kwargs: Any
    ) -> T:
        """`fn(*args, **kwargs)` on a worker; with `seconds`, in that worker's own process,
        killed (and replaced) when it runs longer. Without, in the worker thread itself."""
        loop = asyncio.get_running_loop()
        job = functools.partial(_user_errors, fn, *args, **kwargs)
        if seconds > 0:
            job = functools.partial(_in_process, job, seconds)
        return await loop.run_in_executor(self._get(), job)


POOL = _Pool()


# --- worker processes with a time budget -------------------------------------------

_local = threading.local()
_WORKERS: set[_ProcessWorker] = set()  # every worker process's pool, for `_Pool.close`


def _warm() -> None:
    """Runs first in a new worker process: imports paid before any job's clock starts,
    and a watchdog so the worker never outlives the server that started it."""
    import os
    import time

    import server.domain.render.report  # noqa: F401

    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, daemon=True, name="parent-watch").start()


class _ProcessWorker:
    """One process for one worker thread: a runaway job is killed with it."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")  # the server has threads: no fork
        # The worker draws with this process's fonts, handed over as bytes (it reads no files).
        self.executor = ProcessPoolExecutor(
            1, mp_context=context, initializer=_start_worker, initargs=(installed_fonts(),)
        )
        _WORKERS.add(self)
        self.executor.submit(_warm).result(timeout=120)

    def call(self, job: Callable[[], T], seconds: float) -> T:
        future = self.executor.submit(job)
        try:
            return future.result(timeout=seconds)
        except FuturesTimeout:
            self.kill()
            raise ProtocolError(
                ErrorCode.TOO_LARGE,
                f"this took longer than {seconds:g} s and was stopped: export one frame or"
                " use a smaller scale, or import a smaller file",
            ) from None
        except BrokenProcessPool:
            self.kill()
            raise ProtocolError(
                ErrorCode.UNAVAILABLE, "the export stopped unexpectedly; try again"
            ) from None

    def kill(self, *, wait: bool = False) -> None:
        """End the process at once (a runaway job, a broken pool, the server's stop);
        `wait`: until its pool has let go of its queues."""
        for process in list(getattr(self.executor, "_processes", {}).values()):
            process.kill()
        self.executor.shutdown(wait=wait, cancel_futures=True)
        _WORKERS.discard(self)
        if getattr(_local, "worker", None) is self:
            _local.worker = None


def _warm_thread(barrier: threading.Barrier) -> None:
    with contextlib.suppress(threading.BrokenBarrierError):  # busy threads: warm this one
        barrier.wait()
    if getattr(_local, "worker", None) is None:
        _local.worker = _ProcessWorker()


def _in_process(job: Callable[[], T], seconds: float) -> T:
    """In a pool thread: run `job` in this thread's worker process (made on first use)."""
    worker = getattr(_local, "worker", None)
    if worker is None:
        worker = _local.worker = _ProcessWorker()
    return worker.call(job, seconds)


def _user_errors(fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """Renderers and parsers raise ValueError with a message for the user: pass it on."""
    try:
        return fn(*args, **kwargs)
    except ValueError as exc:
        raise ProtocolError(ErrorCode.BAD_MESSAGE, str(exc)) from None


class _Slot:
    """`async with _Slot():` holds a place in the pool's line for one job."""

    async def __aenter__(self) -> None:
        POOL.reserve()

    async def __aexit__(self, *_exc: object) -> None:
        POOL.release()


# --- names -------------------------------------------------------------------------

_NORDIC = str.maketrans({"æ": "ae", "Æ": "Ae", "ø": "o", "Ø": "O", "å": "a", "Å": "A", "ß": "ss"})
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_filename(title: str, extension: str, *, extra: str = "") -> str:
    """An ASCII file name from a board title: 'Møte på Ål' -> 'Mote-pa-Al.png'.

    Browsers and operating systems disagree on non-ASCII names and on characters
    such as `/`, `"` or `;`, so the name keeps only letters, digits, `.`, `_`, `-`.
    """
    stem = " ".join(part for part in (title, extra) if part).translate(_NORDIC)
    stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
    stem = _UNSAFE.sub("-", stem).strip("-._")[:80].rstrip("-._")
    return f"{stem or 'samskap-board'}.{extension}"


def _iso(stamp: Any) -> str:
    if not isinstance(stamp, int) or isinstance(stamp, bool) or stamp <= 0:
        return ""
    moment = dt.datetime.fromtimestamp(stamp / 1000, tz=dt.UTC)
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def closed_vote(settings: Mapping[str, Any]) -> dict[str, Any] | None:
    """The last vote if it was closed with its results kept (the session state holds it
    until it is cleared), else None: an open vote's totals are hidden from everyone,
    exports included, and a damaged session shows no totals (the board still exports)."""
    try:
        voting = facilitation.current(dict(settings))["voting"]
    except facilitation.BadSession:
        return None
    if not voting or voting.get("open") or voting.get("results") is None:
        return None
    return voting  # type: ignore[no-any-return]


def votes_of(settings: Mapping[str, Any]) -> dict[str, int]:
    """Vote totals per object for exports: the results of the last closed vote."""
    voting = closed_vote(settings) or {}
    return {item["id"]: item["votes"] for item in voting.get("results") or []}


def check_frame(frame: str | None) -> str | None:
    if frame is not None and not ID_RE.match(frame):
        raise ProtocolError(ErrorCode.BAD_MESSAGE, f"unknown frame id {frame!r}")
    return frame


# --- export ------------------------------------------------------------------------


class ExportService:
    """Read a board once and turn it into a file; the heavy part runs in POOL."""

    def __init__(self, store: BoardStore, limits: Limits) -> None:
        self.store = store
        self.limits = limits

    async def load(
        self,
        board_id: str,
        *,
        with_assets: bool = True,
        with_meta: bool = False,
        names: bool = True,
    ) -> tuple[dict[str, Any], dict[str, tuple[str, bytes]]]:
        """The board as the pure functions take it, and its assets (if asked for).

        Authors' names are in `meta` only with `names` (the facilitator asked for them)
        and anonymous mode is off (rule M7).
        """
        snapshot = await self.store.snapshot(board_id)
        if snapshot is None:
            raise ProtocolError(ErrorCode.NOT_FOUND, "no such board, or the link is not valid")
        meta = snapshot.board
        names = names and not facilitation.is_anonymous(meta.settings)
        board: dict[str, Any] = {
            "title": meta.title,
            "settings": dict(meta.settings),
            "objects": snapshot.objects,
            "votes": votes_of(meta.settings),
            "voted": closed_vote(meta.settings) is not None,
        }
        if with_meta:
            found = await self.store.object_meta(board_id)
            board["meta"] = {
                object_id: {
                    "author": (info.get("author") or "") if names else "",
                    "created": _iso(info.get("created")),
                    "updated": _iso(info.get("updated")),
                }
                for object_id, info in found.items()
            }
        assets: dict[str, tuple[str, bytes]] = {}
        if with_assets and any(o.get("kind") == "image" for o in snapshot.objects):
            assets = {a.id: (a.mime, a.data) for a in await self.store.assets(board_id)}
        return board, assets

    async def export(
        self, board_id: str, fmt: str, options: ExportOptions, *, names: bool = False
    ) -> ExportFile:
        """One export; `names` fills the CSV's author column (the facilitator's choice)."""
        if fmt not in FORMATS:
            raise ProtocolError(
                ErrorCode.BAD_MESSAGE, f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}"
            )
        if fmt not in PICTURES and not options.is_default():
            raise ProtocolError(
                ErrorCode.BAD_MESSAGE, "frame, scale, background and padding are for png, svg, pdf"
            )
        check_frame(options.frame)
        async with _Slot():
            board, assets = await self.load(
                board_id, with_assets=fmt in NEEDS_ASSETS, with_meta=fmt == "csv", names=names
            )
            self._check_budget(fmt, board, assets, options)
            data = await POOL.run(
                _render, fmt, board, assets, options, seconds=self.limits.export_seconds
            )
            self._check_output(data)
        frame_title = _frame_title(board, options.frame)
        filename = safe_filename(board["title"], fmt, extra=frame_title)
        return ExportFile(data, MEDIA_TYPES[fmt], filename)

    def _check_budget(
        self,
        fmt: str,
        board: dict[str, Any],
        assets: dict[str, tuple[str, bytes]],
        options: ExportOptions,
    ) -> None:
        """Refuse (413) before rendering an export estimated above SAMSKAP_LIMIT_EXPORT_BYTES."""
        try:
            needed = estimate_bytes(
                fmt,
                board,
                assets,
                frame=options.frame,
                scale=options.scale,
                padding=options.padding,
            )
        except ValueError as exc:
            raise ProtocolError(ErrorCode.BAD_MESSAGE, str(exc)) from None
        self._refuse_above(needed, "would be about")

    def _check_output(self, data: bytes) -> None:
        self._refuse_above(len(data), "is")

    def _refuse_above(self, size: int, verb: str) -> None:
        limit = self.limits.export_bytes
        if size > limit:
            raise ProtocolError(
                ErrorCode.TOO_LARGE,
                f"this export {verb} {size / 1e6:,.1f} MB, over this server's limit of"
                f" {limit / 1e6:,.1f} MB: export one frame, use a smaller scale, or ask"
                " the operator (SAMSKAP_LIMIT_EXPORT_BYTES)",
            )

    async def report(self, board_id: str, *, names: bool, lang: str | None = None) -> ExportFile:
        """The session report PDF; participants' names only when the facilitator asks."""
        async with _Slot():
            board, assets = await self.load(board_id, with_meta=names)
            locale = choose([lang, str(board["settings"].get("locale") or "")], FALLBACK)
            named = names and not facilitation.is_anonymous(board["settings"])  # M7
            people = participants(board) if named else None
            self._check_budget("report", board, assets, ExportOptions())
            data = await POOL.run(
                render_report,
                board,
                seconds=self.limits.export_seconds,
                assets=assets,
                participants=people,
                lang=locale,
            )
        name = REPORT_NAME.get(locale, REPORT_NAME[FALLBACK])
        return ExportFile(
            data, MEDIA_TYPES["pdf"], safe_filename(board["title"], "pdf", extra=name)
        )

    # --- import ----------------------------------------------------------------------

    async def parse_import(self, data: bytes) -> ParsedBoard:
        """Check a backup or Excalidraw file completely, off the event loop."""
        async with _Slot():
            return await POOL.run(parse_file, data, self.limits, seconds=self.limits.export_seconds)

    async def import_board(
        self, boards: BoardService, data: bytes, *, title: str | None = None
    ) -> dict[str, Any]:
        """Create a new board from a file: {id, title, links, report}. Nothing on error."""
        parsed = await self.parse_import(data)
        locale = choose([str(parsed.settings.get("locale") or "")], FALLBACK)
        chosen = title if title is not None else parsed.title
        if not (chosen or "").strip():
            chosen = DEFAULT_IMPORT_TITLE.get(locale, DEFAULT_IMPORT_TITLE["nb"])
        name = clean_title(chosen)
        assets = [_asset(asset_id, mime, blob) for asset_id, (mime, blob) in parsed.assets.items()]
        size = sum(len(a.data) for a in assets) + len(orjson.dumps(parsed.objects))
        if size > boards.board_bytes:
            raise ProtocolError(
                ErrorCode.TOO_LARGE,
                f"the board in this file is {size / 1e6:,.1f} MB; a board here may hold"
                f" {boards.board_bytes / 1e6:,.1f} MB",
            )
        created = await boards.create(
            name, settings=parsed.settings, objects=parsed.objects, assets=assets
        )
        return {**created, "report": parsed.report}


def _render(
    fmt: str, board: dict[str, Any], assets: dict[str, tuple[str, bytes]], options: ExportOptions
) -> bytes:
    """Runs in a worker thread."""
    picture: dict[str, Any] = {
        "frame": options.frame,
        "scale": options.scale,
        "background": options.background,
        "padding": options.padding,
        "assets": assets,
    }
    if fmt == "png":
        return render_png(board, **picture)
    if fmt == "svg":
        return render_svg(board, **picture).encode("utf-8")
    if fmt == "pdf":
        return render_pdf(board, **picture)
    if fmt == "csv":
        return notes_csv(board)
    if fmt == "json":
        return export_backup(board, assets)
    return export_canvas(board).data


def _frame_title(board: Mapping[str, Any], frame: str | None) -> str:
    if frame is None:
        return ""
    for obj in board["objects"]:
        if obj.get("id") == frame and not obj.get("private"):
            return str(obj.get("title") or frame)
    return frame


def participants(board: Mapping[str, Any]) -> list[str]:
    """Display names of the people who made the exported objects, sorted, once each.

    Only authors of visible objects count: someone whose only notes are still
    private has not shared anything yet.
    """
    meta: Mapping[str, Mapping[str, Any]] = board.get("meta") or {}
    names = {
        " ".join(str(meta.get(obj["id"], {}).get("author") or "").split())
        for obj in board["objects"]
        if not obj.get("private")
    }
    return sorted((n for n in names if n), key=str.casefold)


def detect(data: bytes, limits: Limits) -> str:
    """'backup' or 'excalidraw', judged by the content, not by a file name or type."""
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError:
        # orjson is fast but stricter (integers over 64 bits); the standard parser
        # either reads the file or raises a message naming the line and column.
        doc = load_json(data, limits.import_bytes, "Samskap backup or Excalidraw")
    if isinstance(doc, dict) and doc.get("format") == "samskap-board":
        return "backup"
    if isinstance(doc, dict) and (
        "elements" in doc or str(doc.get("type", "")).startswith("excalidraw")
    ):
        return "excalidraw"
    raise ValueError(
        "this is neither a Samskap backup (.json) nor an Excalidraw file (.excalidraw)"
    )


def parse_file(data: bytes, limits: Limits) -> ParsedBoard:
    """Detect and parse an import file (runs in a worker thread)."""
    if len(data) > limits.import_bytes:
        raise ValueError(f"the file is {len(data):,} bytes; the limit is {limits.import_bytes:,}")
    if detect(data, limits) == "backup":
        parsed = parse_backup(
            data,
            max_bytes=limits.import_bytes,
            max_asset_bytes=limits.upload_bytes,
            max_image_pixels=limits.image_pixels,
        )
        # The same cleaner as uploads: EXIF (GPS positions) and bytes hidden after the
        # image data never reach the database from a file either.
        parsed = dataclasses.replace(
            parsed, assets=_cleaned(parsed.assets, limits.image_pixels, limits.import_pixels)
        )
    else:
        parsed = parse_excalidraw(
            data, max_bytes=limits.import_bytes, max_image_pixels=limits.image_pixels
        )
    _check_pixels(parsed.assets, limits.import_pixels)
    return parsed


def _cleaned(
    assets: Mapping[str, tuple[str, bytes]], max_pixels: int, budget: int
) -> dict[str, tuple[str, bytes]]:
    _check_pixels(assets, budget)  # from the headers, before any decoding
    out = {}
    for asset_id, (_mime, blob) in assets.items():
        try:
            image = clean_image(blob, max_pixels=max_pixels)
        except ImageRejected as exc:
            raise ValueError(f"assets.{asset_id}: {exc}") from None
        out[asset_id] = (image.mime, image.data)
    return out


def _check_pixels(assets: Mapping[str, tuple[str, bytes]], budget: int) -> None:
    """All images of one import together: at most SAMSKAP_LIMIT_IMPORT_PIXELS."""
    total = 0
    for _mime, blob in assets.values():
        with Image.open(io.BytesIO(blob)) as image:
            total += image.width * image.height
    if total > budget:
        raise ValueError(
            f"the images in this file have {total / 1e6:,.0f} Mpx together; the limit is"
            f" {budget / 1e6:,.0f} Mpx"
        )


def _asset(asset_id: str, mime: str, blob: bytes) -> Asset:
    # The parser has checked and decoded the image already; the header gives the size.
    with Image.open(io.BytesIO(blob)) as image:
        width, height = image.size
    return Asset(asset_id, mime, width, height, blob)
