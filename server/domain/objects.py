"""Board objects: the kinds, their fields, defaults and validation.

Every object a client creates passes `validate_new`, every update passes
`validate_patch`; both return normalised data or raise `invalid_op`. The schema is
closed: an unknown field is an error, so a typo in a client never becomes silent data.
docs/protocol.md lists the same table for people.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import Any

from .errors import invalid

Object = dict[str, Any]
Validator = Callable[[str, Any], Any]

KINDS = ("note", "text", "shape", "connector", "path", "image", "frame")
SHAPES = ("rectangle", "ellipse", "diamond")
ARROWS = ("none", "start", "end", "both")
ALIGNS = ("left", "center", "right")

ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")

MAX_TEXT = 5_000
MAX_TITLE = 200
MAX_TAG = 32
MAX_ALT = 1_000
MAX_PATH_POINTS = 5_000
MAX_COORD = 10_000_000.0
MAX_SIZE = 1_000_000.0
MAX_Z = 1e15
MAX_OBJECTS_PER_BOARD = 50_000
IMMUTABLE_FIELDS = ("id", "kind")


# --- field validators: (field name, value) -> normalised value -------------------


def _number(lo: float, hi: float) -> Validator:
    def check(name: str, value: Any) -> float | int:
        # bool is an int in Python; on the wire it is not a number.
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise invalid(f"{name} must be a number")
        if not math.isfinite(value) or not lo <= value <= hi:
            raise invalid(f"{name} must be a finite number between {lo:g} and {hi:g}")
        return value

    return check


def _text(limit: int) -> Validator:
    def check(name: str, value: Any) -> str:
        if not isinstance(value, str):
            raise invalid(f"{name} must be a string")
        if len(value) > limit:
            raise invalid(f"{name} is longer than {limit} characters")
        for ch in value:
            code = ord(ch)
            if 0xD800 <= code <= 0xDFFF:
                raise invalid(f"{name} contains a lone surrogate")
            if code < 0x20 and ch not in "\t\n\r":
                raise invalid(f"{name} contains a control character")
        return value

    return check


def _choice(options: tuple[str, ...]) -> Validator:
    def check(name: str, value: Any) -> str:
        if value not in options or not isinstance(value, str):
            raise invalid(f"{name} must be one of {', '.join(options)}")
        return value

    return check


def _color(name: str, value: Any) -> str:
    if not isinstance(value, str) or not COLOR_RE.match(value):
        raise invalid(f"{name} must be a colour like #1a2b3c")
    return value.lower()


def _boolean(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise invalid(f"{name} must be true or false")
    return value


def _ident(name: str, value: Any) -> str:
    if not isinstance(value, str) or not ID_RE.match(value):
        raise invalid(f"{name} must be 1-64 characters of A-Z a-z 0-9 _ -")
    return value


_coord = _number(-MAX_COORD, MAX_COORD)


def _end(name: str, value: Any) -> dict[str, Any]:
    """A connector end: attached `{"id": obj}` or free `{"x": .., "y": ..}`."""
    if not isinstance(value, dict):
        raise invalid(f"{name} must be an object")
    if set(value) == {"id"}:
        return {"id": _ident(f"{name}.id", value["id"])}
    if set(value) == {"x", "y"}:
        return {"x": _coord(f"{name}.x", value["x"]), "y": _coord(f"{name}.y", value["y"])}
    raise invalid(f'{name} must be {{"id": ...}} or {{"x": ..., "y": ...}}')


def _points(name: str, value: Any) -> list[list[float]]:
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_PATH_POINTS:
        raise invalid(f"{name} must be a list of 1-{MAX_PATH_POINTS} [x, y] pairs")
    out = []
    for i, point in enumerate(value):
        if not isinstance(point, list) or len(point) != 2:
            raise invalid(f"{name}[{i}] must be an [x, y] pair")
        out.append([_coord(f"{name}[{i}]", point[0]), _coord(f"{name}[{i}]", point[1])])
    return out


# The bounds of every numeric field, and the length limit of every text field: the
# validators below use them, and web/js/model.generated.js carries them to the page.
FONT_SIZE_MIN = 4
FONT_SIZE_MAX = 512
RANGES: dict[str, tuple[float, float]] = {
    "x": (-MAX_COORD, MAX_COORD),
    "y": (-MAX_COORD, MAX_COORD),
    "w": (0, MAX_SIZE),
    "h": (0, MAX_SIZE),
    "rotation": (-360, 360),
    "z": (-MAX_Z, MAX_Z),
    "font_size": (FONT_SIZE_MIN, FONT_SIZE_MAX),
    "width": (0.5, 200),
}
TEXT_LIMITS: dict[str, int] = {"text": MAX_TEXT, "tag": MAX_TAG, "title": MAX_TITLE, "alt": MAX_ALT}

# Every field any kind may carry. A field means the same thing on every kind.
FIELDS: dict[str, Validator] = {
    **{name: _number(*bounds) for name, bounds in RANGES.items()},
    **{name: _text(limit) for name, limit in TEXT_LIMITS.items()},
    "color": _color,
    "locked": _boolean,
    "align": _choice(ALIGNS),
    "shape": _choice(SHAPES),
    "stroke": _color,
    "from": _end,
    "to": _end,
    "arrow": _choice(ARROWS),
    "dashed": _boolean,
    "points": _points,
    "asset": _ident,
}

_COMMON = {"x": None, "y": None, "rotation": 0, "z": 0, "locked": False}

# Per kind: field -> default (None = required on create).
SCHEMAS: dict[str, dict[str, Any]] = {
    "note": {**_COMMON, "w": 200, "h": 200, "color": "#fff59d", "text": "", "tag": ""},
    "text": {
        **_COMMON,
        "w": 240,
        "h": 60,
        "color": "#1f2937",
        "text": "",
        "font_size": 24,
        "align": "left",
    },
    "shape": {
        **_COMMON,
        "w": 200,
        "h": 120,
        "shape": "rectangle",
        "color": "#ffffff",
        "stroke": "#1f2937",
        "text": "",
    },
    "connector": {
        **_COMMON,
        "from": None,
        "to": None,
        "color": "#1f2937",
        "arrow": "end",
        "dashed": False,
        "text": "",
    },
    "path": {**_COMMON, "points": None, "color": "#1f2937", "width": 3},
    "image": {**_COMMON, "w": 200, "h": 200, "asset": None, "alt": ""},
    "frame": {**_COMMON, "w": 800, "h": 600, "color": "#f3f4f6", "title": ""},
}

BOX_KINDS = frozenset(kind for kind, schema in SCHEMAS.items() if "w" in schema)


def _field(kind: str, name: str, value: Any) -> Any:
    if name not in SCHEMAS[kind]:
        raise invalid(f"a {kind} has no field {name!r}")
    if value is None:
        raise invalid(f"{name} must not be null")
    return FIELDS[name](name, value)


def validate_new(obj: Any) -> Object:
    """Check a whole object for a `create` and fill in the documented defaults."""
    if not isinstance(obj, dict):
        raise invalid("object must be a JSON object")
    object_id = _ident("id", obj.get("id"))
    kind = obj.get("kind")
    if not isinstance(kind, str) or kind not in SCHEMAS:
        raise invalid(f"kind must be one of {', '.join(KINDS)}")
    out: Object = {"id": object_id, "kind": kind}
    for name, value in obj.items():
        if name not in IMMUTABLE_FIELDS:
            out[name] = _field(kind, name, value)
    for name, default in SCHEMAS[kind].items():
        if name not in out:
            if default is None:
                raise invalid(f"a {kind} needs {name}")
            out[name] = default
    return out


def validate_patch(patch: Any) -> Object:
    """Check the `set` of an update without knowing the object (kind is checked on apply)."""
    if not isinstance(patch, dict) or not patch:
        raise invalid("set must be a non-empty JSON object")
    out: Object = {}
    for name, value in patch.items():
        if name in IMMUTABLE_FIELDS:
            raise invalid(f"{name} cannot be changed")
        if name not in FIELDS:
            raise invalid(f"unknown field {name!r}")
        if value is None:
            raise invalid(f"{name} must not be null")
        out[name] = FIELDS[name](name, value)
    return out


def check_patch_fits(kind: str, patch: Mapping[str, Any]) -> None:
    """Refuse a patch that names a field the object's kind does not have."""
    for name in patch:
        if name not in SCHEMAS[kind]:
            raise invalid(f"a {kind} has no field {name!r}")
