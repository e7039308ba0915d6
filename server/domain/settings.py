"""The schema of a board's settings: what a facilitator may edit, what only the server writes.

A board's settings are one JSON object. Two kinds of keys live in it:

- **editable** (`EDITABLE`): set by `PATCH /api/boards/{id}` and by a backup import,
  each checked here; a bad value is refused with `bad_message` naming the field.
- **server-owned** (`SERVER_OWNED`): the facilitation state (`session`), the agenda,
  breakout copies (`breakouts`, `parent`), seats, the template id and the archive
  mark. Only the server's own use cases write them; a PATCH naming one is refused, a
  PATCH of other keys leaves them as they are, and an import drops them.

Anything else is unknown and refused, so no stored key is ever a surprise to the code
that reads it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .errors import ErrorCode, ProtocolError
from .languages import CODES

LOCALES = CODES  # the languages the board speaks (server/domain/languages.py)


def _locale(value: Any) -> str:
    if value not in LOCALES:
        raise ValueError(f"must be one of {', '.join(LOCALES)}")
    return str(value)


# name -> checker returning the clean value (raises ValueError with the reason)
EDITABLE: dict[str, Callable[[Any], Any]] = {"locale": _locale}

SERVER_OWNED = ("session", "agenda", "breakouts", "parent", "seats", "template", "archived")


def _bad(message: str) -> ProtocolError:
    return ProtocolError(ErrorCode.BAD_MESSAGE, message)


def clean_patch(settings: Any) -> dict[str, Any]:
    """The editable settings a PATCH sends, checked; anything else is refused."""
    if not isinstance(settings, dict):
        raise _bad("settings must be an object")
    clean: dict[str, Any] = {}
    for key, value in settings.items():
        if key in SERVER_OWNED:
            raise _bad(f"settings.{key} is kept by the server and cannot be set")
        if key not in EDITABLE:
            known = ", ".join(sorted(EDITABLE))
            raise _bad(f"settings.{key} is not a setting (editable: {known})")
        clean[key] = _checked(key, value)
    return clean


def from_file(settings: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The editable settings of an imported file, checked, and the keys left out.

    A backup may come from a board whose session, agenda or copies were live, or from
    an older version that let any key in: those are not restored (and named), while a
    bad value of an editable key refuses the file.
    """
    clean = {key: _checked(key, value) for key, value in settings.items() if key in EDITABLE}
    return clean, sorted(key for key in settings if key not in EDITABLE)


def editable_part(settings: Mapping[str, Any]) -> dict[str, Any]:
    """The editable keys of stored settings, as a backup carries them."""
    return {key: value for key, value in settings.items() if key in EDITABLE}


def _checked(key: str, value: Any) -> Any:
    try:
        return EDITABLE[key](value)
    except ValueError as exc:
        raise _bad(f"settings.{key} {exc}") from None


def patched(current: Mapping[str, Any], editable: Mapping[str, Any]) -> dict[str, Any]:
    """`current` with the given editable keys replaced; everything else as it was."""
    return {**current, **editable}
