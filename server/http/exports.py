"""HTTP routes for exports, the session report and imports. Thin: parse, authorise, call.

Exports are downloads (`Content-Disposition: attachment`) and never cached: they
carry a board's content, and the link token that allowed them travels in the
`Authorization` header, never in the URL where proxies and logs would keep it.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from server.domain.errors import ErrorCode, ProtocolError
from server.domain.languages import CODES
from server.services.exports import ExportFile, ExportOptions, ExportService

from .api import authorize, check_create, check_disk, read_body, service

PICTURE_OPTIONS = frozenset({"frame", "scale", "background", "padding"})
REPORT_OPTIONS = frozenset({"names", "lang"})
CSV_OPTIONS = frozenset({"names"})
IMPORT_OPTIONS = frozenset({"title"})
# An SVG opened straight from the download must not run anything or fetch anything.
SVG_POLICY = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; sandbox"


def exports(request: Request) -> ExportService:
    """One ExportService per app, made on first use from the store the app runs on."""
    state = request.app.state
    found = getattr(state, "exports", None)
    if found is None:
        found = state.exports = ExportService(state.store, state.settings.limits)
    return found  # type: ignore[no-any-return]


def _bad(message: str) -> ProtocolError:
    return ProtocolError(ErrorCode.BAD_MESSAGE, message)


def _only(request: Request, allowed: frozenset[str]) -> None:
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        known = ", ".join(sorted(allowed)) or "none"
        raise _bad(f"unknown option {unknown[0]!r}: the options here are {known}")


def _number(request: Request, name: str, default: float) -> float:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        return float(raw)
    except ValueError:
        raise _bad(f"{name} must be a number") from None


def _flag(request: Request, name: str, default: bool) -> bool:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if raw not in ("0", "1"):
        raise _bad(f"{name} must be 0 or 1")
    return raw == "1"


def picture_options(request: Request) -> ExportOptions:
    _only(request, PICTURE_OPTIONS)
    return ExportOptions(
        frame=request.query_params.get("frame") or None,
        scale=_number(request, "scale", 1.0),
        background=_flag(request, "background", True),
        padding=_number(request, "padding", 40.0),
    )


def download(file: ExportFile) -> Response:
    headers = {
        "content-disposition": f'attachment; filename="{file.filename}"',
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
    }
    if file.media_type.startswith("image/svg"):
        headers["content-security-policy"] = SVG_POLICY
    return Response(file.data, media_type=file.media_type, headers=headers)


def _names(request: Request, role: str) -> bool:
    """`names=1`: people's names in the file. The facilitator decides, nobody else."""
    names = _flag(request, "names", False)
    if names and role != "facilitator":
        raise ProtocolError(ErrorCode.FORBIDDEN, "only the facilitator link may export names")
    return names


async def export_board(request: Request) -> Response:
    access = await authorize(request, "viewer")
    fmt = request.path_params["fmt"]
    names = False
    if fmt == "csv":
        _only(request, CSV_OPTIONS)
        names, options = _names(request, access.role), ExportOptions()
    else:
        options = picture_options(request)
    file = await exports(request).export(access.board.id, fmt, options, names=names)
    await _note(request, access.board.id, {"format": fmt, "role": access.role})
    return download(file)


async def _note(request: Request, board_id: str, detail: dict[str, object]) -> None:
    """An export for the activity view (rule A1)."""
    await request.app.state.store.record(board_id, "export", "", "", detail)


async def export_report(request: Request) -> Response:
    access = await authorize(request, "participant")
    _only(request, REPORT_OPTIONS)
    lang = request.query_params.get("lang")
    if lang is not None and lang not in CODES:
        raise _bad(f"lang must be one of {', '.join(CODES)}")
    names = _names(request, access.role)
    file = await exports(request).report(access.board.id, names=names, lang=lang)
    await _note(request, access.board.id, {"format": "report", "role": access.role})
    return download(file)


async def import_board(request: Request) -> Response:
    """A backup or Excalidraw file as the request body -> a new board and its links."""
    state = request.app.state
    _only(request, IMPORT_OPTIONS)
    state.limiter.check("uploads", request)  # before the staff code: guessing is slow
    check_create(request)
    check_disk(request)
    data = await read_body(request, state.settings.limits.import_bytes)
    if not data:
        raise _bad("send the file as the request body")
    await state.limiter.check_daily("boards", request)
    await state.limiter.check_daily("imported bytes", request, len(data))
    title = request.query_params.get("title")
    created = await exports(request).import_board(service(request), data, title=title)
    return JSONResponse(created, status_code=201)


routes = [
    Route("/api/boards/import", import_board, methods=["POST"]),
    Route("/api/boards/{board_id}/export.{fmt}", export_board, methods=["GET"]),
    Route("/api/boards/{board_id}/report.pdf", export_report, methods=["GET"]),
]
