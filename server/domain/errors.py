"""Error and close codes of the wire protocol, and the exception that carries them.

The codes are part of the public contract (docs/protocol.md); clients we never see
switch on them, so their spelling never changes.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum


class ErrorCode(StrEnum):
    """`code` of an `error` message and of HTTP error bodies."""

    BAD_MESSAGE = "bad_message"
    INVALID_OP = "invalid_op"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    TOO_LARGE = "too_large"
    RATE_LIMITED = "rate_limited"
    UNAUTHORIZED = "unauthorized"
    UNAVAILABLE = "unavailable"
    CREATE_CODE = "create_code"  # HTTP only: creating needs the library's staff code
    STORAGE_FULL = "storage_full"  # the disk is nearly full (HTTP), or full (edits too)
    REMOVED = "removed"  # this seat was removed from the board by the facilitator (M5)


class CloseCode(IntEnum):
    """WebSocket close codes the server uses (4000-4999 are ours)."""

    NORMAL = 1000
    GOING_AWAY = 1001
    INVALID_UTF8 = 1007
    TOO_BIG = 1009
    INTERNAL_ERROR = 1011
    SERVICE_RESTART = 1012  # the process is stopping (SIGTERM): reconnect now, to another
    UNAUTHORIZED = 4001
    BAD_JOIN = 4002
    BOARD_DELETED = 4004
    SLOW_CONSUMER = 4008
    REPLACED = 4009  # the seat was taken by a newer socket (another tab or window)
    REMOVED = 4010  # removed by the facilitator: do not reconnect (rule M5)
    FLOODING = 4029


class ProtocolError(Exception):
    """A refusal with a documented code; the message is safe to show to the client."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __repr__(self) -> str:
        return f"ProtocolError({self.code.value!r}, {self.message!r})"

    def __reduce__(self) -> tuple[type[ProtocolError], tuple[ErrorCode, str]]:
        # Raised in export worker processes and sent back pickled: keep both fields.
        return (ProtocolError, (self.code, self.message))


def invalid(message: str) -> ProtocolError:
    """Shorthand for the most common refusal: an op or object that breaks the rules."""
    return ProtocolError(ErrorCode.INVALID_OP, message)
