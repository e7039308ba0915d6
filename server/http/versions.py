"""HTTP routes for a board's history: versions (rules V1-V6) and activity (A1-A3)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from server.domain.errors import ErrorCode, ProtocolError
from server.services.versions import VersionService, clean_label

from .api import authorize, read_json


def versions(request: Request) -> VersionService:
    """One VersionService per app, made on first use."""
    state = request.app.state
    found = getattr(state, "versions", None)
    if found is None:
        found = state.versions = VersionService(state.store, state.hub, state.boards)
    return found  # type: ignore[no-any-return]


async def _body(request: Request, allowed: frozenset[str]) -> dict[str, Any]:
    body = await read_json(request)
    if not isinstance(body, dict):
        raise ProtocolError(ErrorCode.BAD_MESSAGE, "the body must be a JSON object")
    unknown = sorted(body.keys() - allowed)
    if unknown:
        raise ProtocolError(ErrorCode.BAD_MESSAGE, f"unknown field {unknown[0]!r}")
    return body


def _name(body: dict[str, Any]) -> str:
    name = body.get("name", "")
    if not isinstance(name, str) or len(name) > 64:
        raise ProtocolError(ErrorCode.BAD_MESSAGE, "name must be text of at most 64 characters")
    return " ".join(name.split())


async def list_versions(request: Request) -> Response:
    access = await authorize(request, "facilitator")
    return JSONResponse({"versions": await versions(request).listed(access.board.id)})


async def save_version(request: Request) -> Response:
    access = await authorize(request, "facilitator")
    body = await _body(request, frozenset({"label", "name"}))
    label = clean_label(body.get("label"))
    info = await versions(request).save(access.board.id, "manual", label, _name(body))
    return JSONResponse(info.public(), status_code=201)


async def preview(request: Request) -> Response:
    access = await authorize(request, "facilitator")
    png = await versions(request).preview(access.board.id, request.path_params["version"])
    return Response(png, media_type="image/png", headers={"cache-control": "private, no-store"})


async def restore(request: Request) -> Response:
    access = await authorize(request, "facilitator")
    body = await _body(request, frozenset({"name"}))
    service = versions(request)
    reply = await service.restore(access.board.id, request.path_params["version"], _name(body))
    return JSONResponse(reply)


async def activity(request: Request) -> Response:
    """Who did what since `since` (ms since the epoch or an ISO 8601 time), rule A1."""
    access = await authorize(request, "facilitator")
    unknown = sorted(set(request.query_params) - {"since"})
    if unknown:
        raise ProtocolError(ErrorCode.BAD_MESSAGE, f"unknown parameter {unknown[0]!r}")
    since = _since(request.query_params.get("since"))
    return JSONResponse(await request.app.state.store.activity(access.board.id, since))


def _since(value: str | None) -> int:
    if value is None or value == "":
        return 0
    if value.isdigit():
        return int(value)
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ProtocolError(
            ErrorCode.BAD_MESSAGE, "since must be milliseconds since the epoch or an ISO 8601 time"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return int(moment.timestamp() * 1000)


routes = [
    Route("/api/boards/{board_id}/activity", activity, methods=["GET"]),
    Route("/api/boards/{board_id}/versions", list_versions, methods=["GET"]),
    Route("/api/boards/{board_id}/versions", save_version, methods=["POST"]),
    Route("/api/boards/{board_id}/versions/{version}/preview.png", preview, methods=["GET"]),
    Route("/api/boards/{board_id}/versions/{version}/restore", restore, methods=["POST"]),
]
