"""JSON Schema of a template file: the structural half of validation.

The schema lives here as data so the server never depends on the docs folder at run
time; `docs/template.schema.json` is generated from it
(`python -m server.domain.templates.schema > docs/template.schema.json`) and a test
keeps the two equal. Meaning that a schema cannot express (languages filled, unique
ids, references) is checked in `check.py`.
"""

from __future__ import annotations

import json
from typing import Any

from ..languages import CODES

# Languages a template text may be given in; bokmål and English are required, other
# languages are optional per text and fall back to bokmål (shipped templates carry all).
LOCALES = CODES
REQUIRED_LOCALES = ("nb", "en")
CATEGORIES = ("opening", "stakeholders", "ideas", "people", "partnership")
ACTIONS = ("focus_frame", "timer", "private", "voting", "permissions")
OBJECT_KINDS = ("frame", "shape", "text", "note", "connector")
TEMPLATE_ID_PATTERN = "^[a-z0-9][a-z0-9-]{0,47}$"
OBJECT_ID_PATTERN = "^[A-Za-z0-9_-]{1,40}$"
MAX_MINUTES = 240
MAX_VOTES = 50

_COORD = {"type": "number", "minimum": -100000, "maximum": 100000}
_SIZE = {"type": "number", "minimum": 0, "maximum": 100000}
COLOR_PATTERN = "^#[0-9a-fA-F]{6}$"
_COLOR = {"type": "string", "pattern": COLOR_PATTERN}


def _localised(max_length: int) -> dict[str, Any]:
    text = {"type": "string", "maxLength": max_length}
    return {
        "type": "object",
        "description": (
            "The same text in bokmål (nb) and English (en), optionally nynorsk (nn);"
            " a language left out is shown in bokmål."
        ),
        "properties": {code: text for code in LOCALES},
        "required": list(REQUIRED_LOCALES),
        "additionalProperties": False,
    }


def _end() -> dict[str, Any]:
    return {
        "description": "Attached to a template object by id, or a free point.",
        "type": "object",
        "properties": {
            "id": {"type": "string", "pattern": OBJECT_ID_PATTERN},
            "x": _COORD,
            "y": _COORD,
        },
        "additionalProperties": False,
        "minProperties": 1,
        "maxProperties": 2,
    }


_OBJECT_PROPERTIES: dict[str, Any] = {
    "id": {"type": "string", "pattern": OBJECT_ID_PATTERN},
    "kind": {"enum": list(OBJECT_KINDS)},
    "x": _COORD,
    "y": _COORD,
    "w": _SIZE,
    "h": _SIZE,
    "rotation": {"type": "number", "minimum": -360, "maximum": 360},
    "z": {"type": "number"},
    "color": _COLOR,
    "stroke": _COLOR,
    "locked": {"type": "boolean"},
    "writable": {
        "type": "boolean",
        "description": (
            "A text or shape the facilitator fills in (the question): put on the board"
            " unlocked, so edit links can write in it; not together with locked: true."
        ),
    },
    "text": _localised(5000),
    "title": _localised(200),
    "tag": _localised(32),
    "font_size": {"type": "number", "minimum": 4, "maximum": 512},
    "align": {"enum": ["left", "center", "right"]},
    "shape": {"enum": ["rectangle", "ellipse", "diamond"]},
    "from": _end(),
    "to": _end(),
    "arrow": {"enum": ["none", "start", "end", "both"]},
    "dashed": {"type": "boolean"},
}

_ACTION = {
    "type": "object",
    "description": "Exactly one facilitation action.",
    "minProperties": 1,
    "maxProperties": 1,
    "propertyNames": {"enum": list(ACTIONS)},
    "properties": {
        "focus_frame": {"type": "string", "pattern": OBJECT_ID_PATTERN},
        "timer": {"type": "number", "exclusiveMinimum": 0, "maximum": MAX_MINUTES},
        "private": {"type": "boolean"},
        "voting": {
            "oneOf": [
                {"const": "close"},
                {
                    "type": "object",
                    "properties": {
                        "votes": {"type": "integer", "minimum": 1, "maximum": MAX_VOTES},
                        "per_note": {"type": "integer", "minimum": 1, "maximum": MAX_VOTES},
                    },
                    "required": ["votes", "per_note"],
                    "additionalProperties": False,
                },
            ]
        },
        "permissions": {
            "type": "object",
            "properties": {
                "add": {"type": "boolean"},
                "move": {"type": "boolean"},
                "vote": {"type": "boolean"},
            },
            "required": ["add", "move", "vote"],
            "additionalProperties": False,
        },
    },
}

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://samskap.no/schemas/template.schema.json",
    "title": "Samskap workshop template",
    "description": "A workshop template: layout, texts in bokmål, nynorsk and English, an agenda.",
    "type": "object",
    "properties": {
        "format": {"const": 1, "description": "Version of this file format."},
        "id": {"type": "string", "pattern": TEMPLATE_ID_PATTERN},
        "name": _localised(120),
        "description": _localised(1000),
        "category": {"enum": list(CATEGORIES)},
        "size": {
            "type": "object",
            "properties": {
                "w": {"type": "number", "exclusiveMinimum": 0, "maximum": 100000},
                "h": {"type": "number", "exclusiveMinimum": 0, "maximum": 100000},
            },
            "required": ["w", "h"],
            "additionalProperties": False,
        },
        "objects": {
            "type": "array",
            "minItems": 1,
            "maxItems": 2000,
            "items": {
                "type": "object",
                "properties": _OBJECT_PROPERTIES,
                "required": ["id", "kind"],
                "additionalProperties": False,
            },
        },
        "agenda": {
            "type": "array",
            "minItems": 1,
            "maxItems": 50,
            "items": {
                "type": "object",
                "properties": {
                    "title": _localised(200),
                    "instructions": _localised(2000),
                    "minutes": {"type": "number", "minimum": 0, "maximum": MAX_MINUTES},
                    "actions": {"type": "array", "maxItems": 10, "items": _ACTION},
                },
                "required": ["title", "instructions", "minutes"],
                "additionalProperties": False,
            },
        },
    },
    "required": ["id", "name", "description", "category", "size", "objects", "agenda"],
    "additionalProperties": False,
}


def schema_json() -> str:
    """The schema as the text of `docs/template.schema.json`."""
    return json.dumps(SCHEMA, indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    print(schema_json(), end="")
