"""The board model as the browser needs it, generated from this domain.

`web/js/model.generated.js` is this module's output, checked in:
`python -m server.domain.client_model > web/js/model.generated.js`
(or `make model`). `tests/server/test_client_model.py` fails when the checked-in file
differs from what this produces, so the page's defaults, limits and session shape
cannot drift from what the server validates and stores. Pure: data in, text out.
"""

from __future__ import annotations

import json
from typing import Any

from . import facilitation, objects

HEADER = (
    "// GENERATED from the Python domain (server/domain/objects.py, facilitation.py) by\n"
    "// `python -m server.domain.client_model > web/js/model.generated.js` (`make model`).\n"
    "// Do not edit: change the Python side and regenerate; tests/server/test_client_model.py\n"
    "// fails while this file and the generator disagree.\n"
)


def model() -> dict[str, Any]:
    """The shared model as plain data: kinds, defaults, limits, the session's shape."""
    defaults = {
        kind: {name: value for name, value in schema.items() if value is not None}
        for kind, schema in objects.SCHEMAS.items()
    }
    # The field a kind's words live in (what double-click and Enter edit).
    text_field = {
        kind: ("text" if "text" in schema else "title")
        for kind, schema in objects.SCHEMAS.items()
        if "text" in schema or "title" in schema
    }
    return {
        "KINDS": list(objects.KINDS),
        "SHAPES": list(objects.SHAPES),
        "ARROWS": list(objects.ARROWS),
        "ALIGNS": list(objects.ALIGNS),
        "DEFAULTS": defaults,
        "REQUIRED": {
            kind: [name for name, value in schema.items() if value is None]
            for kind, schema in objects.SCHEMAS.items()
        },
        "BOX_KINDS": [kind for kind in objects.KINDS if kind in objects.BOX_KINDS],
        "TEXT_FIELD": text_field,
        "RANGES": {name: list(bounds) for name, bounds in objects.RANGES.items()},
        "TEXT_LIMITS": dict(objects.TEXT_LIMITS),
        "MAX_PATH_POINTS": objects.MAX_PATH_POINTS,
        "MAX_OBJECTS_PER_BOARD": objects.MAX_OBJECTS_PER_BOARD,
        "SESSION_DEFAULT": facilitation.initial_state(),
        "PERMISSIONS": list(facilitation.PERMISSIONS),
        "MAX_VOTES": facilitation.MAX_VOTES,
        "MAX_TIMER_SEC": facilitation.MAX_TIMER_SEC,
    }


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _js(value: Any) -> str:
    """A JSON value as JS source (JSON is JS; keys keep their order), one entry a line."""
    if isinstance(value, dict) and value:
        lines = [f"  {_json(key)}: {_json(item)}," for key, item in value.items()]
        return "{\n" + "\n".join(lines) + "\n}"
    return _json(value)


def model_js() -> str:
    """The text of `web/js/model.generated.js`."""
    parts = [HEADER]
    for name, value in model().items():
        parts.append(f"\nexport const {name} = {_js(value)};\n")
    return "".join(parts)


if __name__ == "__main__":
    print(model_js(), end="")
