"""The JSON HTTP API: boards, links, assets. Thin: parse, authorise, call a service."""

from __future__ import annotations

import hmac
import shutil
from pathlib import Path
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from server.domain.errors import ErrorCode, ProtocolError
from server.domain.languages import CODES
from server.services.boards import Access, BoardService, clean_title

from .security import in_networks, peer_address

JSON_LIMIT = 64 * 1024


def bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def read_body(request: Request, limit: int) -> bytes:
    """Read at most `limit` bytes; refuse before buffering more (no memory blow-ups)."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise ProtocolError(ErrorCode.TOO_LARGE, f"the body is larger than {limit} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ProtocolError(ErrorCode.TOO_LARGE, f"the body is larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def read_json(request: Request, limit: int = JSON_LIMIT) -> Any:
    body = await read_body(request, limit)
    try:
        return orjson.loads(body) if body else {}
    except orjson.JSONDecodeError:
        raise ProtocolError(ErrorCode.BAD_MESSAGE, "the body is not valid JSON") from None


CREATE_CODE_HEADER = "x-samskap-create-code"


def may_create_without_code(request: Request) -> bool:
    """`SAMSKAP_CREATE=open`, or the request comes from `SAMSKAP_CREATE_NETWORKS`."""
    settings = request.app.state.settings
    if settings.create == "open":
        return True
    address = peer_address(request.scope, settings.trusted_proxies)
    return in_networks(address, settings.create_networks)


def check_create(request: Request) -> None:
    """Creating and importing boards: the library decides who may (SAMSKAP_CREATE)."""
    if may_create_without_code(request):
        return
    wanted = request.app.state.settings.create_code
    given = request.headers.get(CREATE_CODE_HEADER, "")
    if not given:
        raise ProtocolError(
            ErrorCode.CREATE_CODE,
            "creating boards here needs the library's staff code: ask the library",
        )
    if not wanted or not hmac.compare_digest(given.encode(), wanted.encode()):
        raise ProtocolError(ErrorCode.CREATE_CODE, "the staff code is not right")


def free_bytes(folder: Path) -> int:
    """Free disk space for the data folder (its nearest existing parent)."""
    folder = folder.resolve()
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return shutil.disk_usage(folder).free


def check_disk(request: Request) -> None:
    """New boards, imports and uploads stop while the disk is nearly full (507)."""
    settings = request.app.state.settings
    if free_bytes(settings.data_dir) < settings.min_free_bytes:
        raise ProtocolError(
            ErrorCode.STORAGE_FULL,
            "the server's disk is nearly full: no new boards, imports or images can be saved"
            " now; existing boards still work. Tell the library's IT staff.",
        )


def service(request: Request) -> BoardService:
    return request.app.state.boards  # type: ignore[no-any-return]


async def authorize(request: Request, needed: str) -> Access:
    return await service(request).authorize(
        request.path_params["board_id"], bearer(request), needed
    )


async def create_board(request: Request) -> Response:
    state = request.app.state
    # Every attempt counts toward the per-minute limit, so guessing the staff code is slow.
    state.limiter.check("boards", request)
    check_create(request)
    check_disk(request)
    await state.limiter.check_daily("boards", request)
    body = await read_json(request)
    if not isinstance(body, dict):
        raise ProtocolError(ErrorCode.BAD_MESSAGE, "send a JSON object")
    title = clean_title(body.get("title"))
    template, locale = body.get("template"), body.get("locale", "nb")
    if locale not in CODES:
        raise ProtocolError(ErrorCode.BAD_MESSAGE, f"locale must be one of {', '.join(CODES)}")
    objects: list[dict[str, Any]] = []
    settings: dict[str, Any] = {"locale": locale}
    if template is not None:
        objects, settings = state.templates.board_from(template, locale)
    created = await service(request).create(title, settings=settings, objects=objects)
    return JSONResponse(created, status_code=201)


async def get_board(request: Request) -> Response:
    access = await authorize(request, "viewer")
    return JSONResponse(await service(request).read(access.board.id))


async def patch_board(request: Request) -> Response:
    access = await authorize(request, "facilitator")
    meta = await service(request).change(access.board.id, await read_json(request))
    return JSONResponse({"id": meta.id, "title": meta.title, "settings": meta.settings})


async def delete_board(request: Request) -> Response:
    access = await authorize(request, "facilitator")
    await service(request).delete(access.board.id)
    return Response(status_code=204)


async def rotate_link(request: Request) -> Response:
    access = await authorize(request, "facilitator")
    body = await read_json(request)
    keep = body.get("keep_seats", False) if isinstance(body, dict) else None
    if not isinstance(keep, bool):
        raise ProtocolError(ErrorCode.BAD_MESSAGE, 'the body must be {"keep_seats": true|false}')
    role = request.path_params["role"]
    answer = await service(request).rotate(access.board.id, role, keep_seats=keep)
    detail = {"role": role, "keep_seats": keep}
    await request.app.state.store.record(access.board.id, "rotate", "", "", detail)
    return JSONResponse(answer)


async def upload_asset(request: Request) -> Response:
    access = await authorize(request, "participant")
    check_disk(request)
    request.app.state.limiter.check("uploads", request)
    limit = request.app.state.settings.limits.upload_bytes
    asset = await service(request).upload(access.board.id, await read_body(request, limit))
    body = {"asset": asset.id, "mime": asset.mime, "w": asset.width, "h": asset.height}
    return JSONResponse(body, status_code=201)


async def get_asset(request: Request) -> Response:
    access = await authorize(request, "viewer")
    asset = await service(request).store.get_asset(access.board.id, request.path_params["asset"])
    if asset is None:
        raise ProtocolError(ErrorCode.NOT_FOUND, "no such image")
    headers = {
        "cache-control": "private, max-age=86400",
        "content-security-policy": "default-src 'none'; sandbox",
    }
    return Response(asset.data, media_type=asset.mime, headers=headers)


async def make_breakouts(request: Request) -> Response:
    access = await authorize(request, "facilitator")
    check_disk(request)
    body = await read_json(request)
    if not isinstance(body, dict):
        raise ProtocolError(ErrorCode.BAD_MESSAGE, "send a JSON object")
    made = await service(request).make_breakouts(
        access, bearer(request) or "", body.get("count"), body.get("frame")
    )
    return JSONResponse({"breakouts": made}, status_code=201)


async def list_breakouts(request: Request) -> Response:
    access = await authorize(request, "facilitator")
    found = await service(request).list_breakouts(access, bearer(request) or "")
    return JSONResponse({"breakouts": found})


async def copy_asset(request: Request) -> Response:
    target = await authorize(request, "participant")
    check_disk(request)
    body = await read_json(request)
    if not isinstance(body, dict) or not isinstance(body.get("board"), str):
        raise ProtocolError(ErrorCode.BAD_MESSAGE, "send {board, token, asset}")
    token = body.get("token") if isinstance(body.get("token"), str) else None
    source = await service(request).authorize(body["board"], token, "viewer")
    asset = await service(request).copy_asset(target, source, body.get("asset"))
    result = {"asset": asset.id, "mime": asset.mime, "w": asset.width, "h": asset.height}
    return JSONResponse(result, status_code=201)


routes = [
    Route("/api/boards", create_board, methods=["POST"]),
    Route("/api/boards/{board_id}", get_board, methods=["GET"]),
    Route("/api/boards/{board_id}", patch_board, methods=["PATCH"]),
    Route("/api/boards/{board_id}", delete_board, methods=["DELETE"]),
    Route("/api/boards/{board_id}/links/{role}/rotate", rotate_link, methods=["POST"]),
    Route("/api/boards/{board_id}/assets", upload_asset, methods=["POST"]),
    Route("/api/boards/{board_id}/assets/copy", copy_asset, methods=["POST"]),
    Route("/api/boards/{board_id}/assets/{asset}", get_asset, methods=["GET"]),
    Route("/api/boards/{board_id}/breakouts", make_breakouts, methods=["POST"]),
    Route("/api/boards/{board_id}/breakouts", list_breakouts, methods=["GET"]),
]
