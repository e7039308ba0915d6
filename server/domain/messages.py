"""Client → server messages: strict JSON in, typed messages out.

Envelope problems (not JSON, not an object, unknown `type`, wrong field types) are
`bad_message`; problems inside a batch's ops are `invalid_op` (see ops.py).
Extra envelope fields are ignored so that newer clients keep working.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import orjson

from .errors import ErrorCode, ProtocolError
from .names import display_name
from .objects import ID_RE, MAX_COORD
from .ops import Op, parse_ops

MAX_NAME = 64
MAX_TOKEN = 256
MAX_SELECTION = 1_000
MAX_REQ = 64
RESUME_RE = re.compile(r"^[A-Za-z0-9_-]{16,128}$")


def bad(message: str) -> ProtocolError:
    return ProtocolError(ErrorCode.BAD_MESSAGE, message)


@dataclass(frozen=True, slots=True)
class Join:
    token: str
    name: str
    since: int | None
    client: str | None  # ignored for identity (rule S18); kept so old clients parse
    resume: str | None = None  # the secret of a seat this client held before


@dataclass(frozen=True, slots=True)
class Ops:
    batch: str
    raw_ops: list[Any]

    def parse(self) -> list[Op]:
        return parse_ops(self.raw_ops)


@dataclass(frozen=True, slots=True)
class Presence:
    cursor: dict[str, float] | None
    selection: list[str]
    editing: str | None
    view: dict[str, float] | None


@dataclass(frozen=True, slots=True)
class Ping:
    pass


@dataclass(frozen=True, slots=True)
class Other:
    """A message type handled by a later layer (facilitation); carries the raw dict."""

    type: str
    body: dict[str, Any]


ClientMessage = Join | Ops | Presence | Ping | Other


def decode(frame: str | bytes) -> dict[str, Any]:
    """Parse one frame as strict JSON (no NaN/Infinity) holding one message object."""
    try:
        data = orjson.loads(frame)
    except orjson.JSONDecodeError as exc:
        raise bad(f"not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise bad("a message must be a JSON object")
    if not isinstance(data.get("type"), str):
        raise bad("a message needs a string 'type'")
    return data


def _opt_id(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not ID_RE.match(value):
        raise bad(f"{key} must be 1-64 characters of A-Z a-z 0-9 _ -")
    return value


def _point(
    value: Any, key: str, fields: tuple[str, ...], optional: tuple[str, ...] = ()
) -> dict[str, float] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise bad(f"{key} must be an object or null")
    out = {}
    for name in fields + optional:
        if name in optional and name not in value:
            continue
        number = value.get(name)
        if isinstance(number, bool) or not isinstance(number, int | float):
            raise bad(f"{key}.{name} must be a number")
        if abs(number) > MAX_COORD:
            raise bad(f"{key}.{name} is out of range")
        out[name] = number
    return out


def parse_join(data: dict[str, Any]) -> Join:
    token, name, since = data.get("token"), data.get("name", ""), data.get("since")
    if not isinstance(token, str) or not 0 < len(token) <= MAX_TOKEN:
        raise bad("join needs a token")
    if not isinstance(name, str) or len(name) > MAX_NAME:
        raise bad(f"name must be a string of at most {MAX_NAME} characters")
    if since is not None and (isinstance(since, bool) or not isinstance(since, int) or since < 0):
        raise bad("since must be a whole number >= 0")
    resume = data.get("resume")
    if resume is not None and (not isinstance(resume, str) or not RESUME_RE.match(resume)):
        resume = None  # a malformed secret claims nothing: the socket gets a new seat
    return Join(token, display_name(name), since, _opt_id(data, "client"), resume)


def request_id(data: dict[str, Any]) -> str | None:
    """The optional `req` of a message, echoed by every reply it causes."""
    req = data.get("req")
    if req is None:
        return None
    if not isinstance(req, str) or not 0 < len(req) <= MAX_REQ:
        raise bad(f"req must be a string of 1-{MAX_REQ} characters")
    return req


def parse_ops_message(data: dict[str, Any]) -> Ops:
    batch = data.get("batch")
    if not isinstance(batch, str) or not ID_RE.match(batch):
        raise bad("batch must be 1-64 characters of A-Z a-z 0-9 _ -")
    raw_ops = data.get("ops")
    if not isinstance(raw_ops, list):
        raise bad("ops must be a list")
    return Ops(batch, raw_ops)


def parse_presence(data: dict[str, Any]) -> Presence:
    selection = data.get("selection", [])
    if selection is None:
        selection = []
    if (
        not isinstance(selection, list)
        or len(selection) > MAX_SELECTION
        or not all(isinstance(s, str) and ID_RE.match(s) for s in selection)
    ):
        raise bad(f"selection must be a list of at most {MAX_SELECTION} object ids")
    return Presence(
        cursor=_point(data.get("cursor"), "cursor", ("x", "y")),
        selection=selection,
        editing=_opt_id(data, "editing"),
        # w, h: the size of the sender's viewport in board units, so followers can match it.
        view=_point(data.get("view"), "view", ("x", "y", "zoom"), ("w", "h")),
    )


def parse(data: dict[str, Any]) -> ClientMessage:
    """Type one decoded message (the envelope only; ops are parsed in order later)."""
    kind = data["type"]
    if kind == "join":
        return parse_join(data)
    if kind == "ops":
        return parse_ops_message(data)
    if kind == "presence":
        return parse_presence(data)
    if kind == "ping":
        return Ping()
    return Other(kind, data)
