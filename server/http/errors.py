"""HTTP error bodies: `{"error": code, "message": ...}` with one status per code."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server.domain.errors import ErrorCode, ProtocolError

STATUS = {
    ErrorCode.BAD_MESSAGE: 400,
    ErrorCode.INVALID_OP: 400,
    ErrorCode.UNAUTHORIZED: 401,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.TOO_LARGE: 413,
    ErrorCode.RATE_LIMITED: 429,
    ErrorCode.UNAVAILABLE: 503,
    ErrorCode.CREATE_CODE: 403,
    ErrorCode.STORAGE_FULL: 507,
    ErrorCode.REMOVED: 403,
}


def error_response(code: ErrorCode, message: str) -> JSONResponse:
    return JSONResponse({"error": code.value, "message": message}, status_code=STATUS[code])


async def protocol_error_handler(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ProtocolError)
    return error_response(exc.code, exc.message)
