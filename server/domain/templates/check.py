"""Validation of parsed template data: schema first, then meaning.

Both return `(path, message)` pairs; the loader adds the file name and line. The
schema messages are rewritten for facilitators who edit YAML by hand, not for
people who read JSON Schema.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match

from ..errors import ProtocolError
from ..languages import LANGUAGES
from ..objects import validate_new
from .model import WRITABLE_KINDS, is_localised, localised_object, place
from .schema import ACTIONS, COLOR_PATTERN, LOCALES, REQUIRED_LOCALES, SCHEMA

Problem = tuple[list[str | int], str]

_VALIDATOR = Draft202012Validator(SCHEMA)
_LANGUAGE = {"nb": "bokmål (nb)", "nn": "nynorsk (nn)", "en": "English (en)"}


def _language(code: str) -> str:
    return _LANGUAGE.get(code) or f"{LANGUAGES.get(code, code)} ({code})"


_TYPES = {
    "object": "a mapping (key: value)",
    "array": "a list",
    "string": "text",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
}


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    for name, types in (
        ("text", str),
        ("a number", int | float),
        ("a list", list),
        ("a mapping", dict),
    ):
        if isinstance(value, types):
            return name
    return "empty" if value is None else type(value).__name__


def _is_localised(schema: Mapping[str, Any]) -> bool:
    return set(schema.get("properties", {})) == set(LOCALES)


def _message(error: ValidationError) -> str:
    kind, value, inst, schema = error.validator, error.validator_value, error.instance, error.schema
    if "propertyNames" in error.relative_schema_path:
        return f"unknown action {_short(inst)}; use one of: {', '.join(ACTIONS)}"
    if kind == "type":
        if _is_localised(schema):
            return f"must give the text per language, like {{nb: ..., en: ...}}, not {_kind(inst)}"
        hint = ""
        if value == "string" and isinstance(inst, bool):
            hint = " (YAML reads yes/no/on/off as true/false: put the text in quotes)"
        return f"must be {_TYPES.get(value, value)}, not {_kind(inst)}{hint}"
    if kind == "required":
        missing = [name for name in value if name not in inst]
        if _is_localised(schema):
            return "missing the " + " and ".join(_language(m) for m in missing) + " text"
        return "missing " + ", ".join(repr(m) for m in missing)
    if kind == "additionalProperties":
        extra = sorted(str(k) for k in inst if k not in schema.get("properties", {}))
        allowed = ", ".join(schema.get("properties", {}))
        return f"unknown field {', '.join(map(repr, extra))} (allowed: {allowed})"
    if kind in ("minProperties", "maxProperties"):
        if "actions" in error.absolute_path:
            return "an action is one key and its value, like {timer: 5}"
        return "must be {id: <object id>} or {x: <number>, y: <number>}"
    if kind == "oneOf":
        if not isinstance(inst, dict):
            return f"must be close or {{votes: N, per_note: M}}, not {_short(inst)}"
        sub = best_match(e for e in error.context or [] if e.validator != "const")
        return _message(sub) if sub is not None else "is not valid here"
    if kind in ("enum", "const"):
        options = value if kind == "enum" else [value]
        return f"must be one of: {', '.join(map(str, options))}; not {_short(inst)}"
    if kind == "pattern":
        if value == COLOR_PATTERN:
            return f'must be a colour like "#1a2b3c" (in quotes), not {_short(inst)}'
        return (
            f"{_short(inst)} is not a valid id: use letters a-z, digits and - (must match {value})"
        )
    limits = {
        "minimum": "at least",
        "maximum": "at most",
        "exclusiveMinimum": "more than",
        "exclusiveMaximum": "less than",
    }
    if kind in limits:
        return f"must be {limits[kind]} {value:g}, not {_short(inst)}"
    if kind == "maxLength":
        return f"is longer than {value} characters"
    if kind == "minItems":
        return f"needs at least {value} item(s)"
    if kind == "maxItems":
        return f"may have at most {value} items"
    return error.message[:200]


def _error_path(error: ValidationError) -> list[str | int]:
    path = list(error.absolute_path)
    if error.validator == "oneOf" and isinstance(error.instance, dict):
        sub = best_match(e for e in error.context or [] if e.validator != "const")
        if sub is not None:
            path = list(sub.absolute_path)
    return path


def _not_finite(data: Any, path: list[str | int]) -> Iterator[Problem]:
    """YAML has .nan and .inf; JSON Schema's range checks let NaN through."""
    if isinstance(data, float) and not math.isfinite(data):
        yield path, f"must be a finite number, not {data}"
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from _not_finite(value, [*path, key])
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _not_finite(value, [*path, i])


def schema_problems(data: Any) -> list[Problem]:
    """Every way `data` breaks the JSON Schema, in file order, one message each."""
    if not isinstance(data, dict):
        return [([], f"a template must be a mapping (key: value) at the top, not {_kind(data)}")]
    out: list[Problem] = list(_not_finite(data, []))
    if out:
        return out
    seen: set[tuple[str, str]] = set()
    for error in _VALIDATOR.iter_errors(data):
        path, message = _error_path(error), _message(error)
        key = (place(path), message)
        if key not in seen:
            seen.add(key)
            out.append((path, message))
    return out


# --- meaning -------------------------------------------------------------------------


def _localised_values(data: Any, path: list[str | int]) -> Iterator[tuple[list[str | int], dict]]:
    """Every per-language `{nb, nn, en}` mapping in the data, with its path."""
    if isinstance(data, dict):
        if is_localised(data) and set(REQUIRED_LOCALES) <= set(data):
            yield path, data
            return
        for key, value in data.items():
            yield from _localised_values(value, [*path, key])
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _localised_values(value, [*path, i])


def _language_problems(data: dict) -> Iterator[Problem]:
    for path, texts in _localised_values(data, []):
        given = [lang for lang in LOCALES if lang in texts]
        filled = [lang for lang in given if texts[lang].strip()]
        if not filled and path and path[-1] in ("name", "title"):
            yield path, "is empty in every language"
        elif filled and len(filled) < len(given):
            empty = next(lang for lang in given if lang not in filled)
            yield path, f"the {_language(empty)} text is empty"


def _object_problems(data: dict) -> Iterator[Problem]:
    objects = data["objects"]
    width, height = data["size"]["w"], data["size"]["h"]
    first: dict[str, int] = {}
    for i, obj in enumerate(objects):
        if obj["id"] in first:
            yield (
                ["objects", i, "id"],
                f"id {obj['id']!r} is already used by objects[{first[obj['id']]}]",
            )
        first.setdefault(obj["id"], i)
    for i, obj in enumerate(objects):
        where: list[str | int] = ["objects", i]
        label = f"({obj['kind']} {obj['id']!r}) "
        if obj.get("writable") is True:
            if obj["kind"] not in WRITABLE_KINDS:
                yield [*where, "writable"], label + "writable is for a text or a shape"
            elif obj.get("locked") is True:
                yield [*where, "writable"], label + "writable and locked: true contradict"
        seen: set[str] = set()
        for locale in LOCALES:
            try:
                normal = validate_new(localised_object(obj, locale))
            except ProtocolError as exc:
                if exc.message not in seen:
                    seen.add(exc.message)
                    yield where, label + exc.message
                continue
        if seen:
            continue
        if obj["kind"] == "connector":
            for end in ("from", "to"):
                yield from _end_problems(obj[end], [*where, end], first, objects, width, height)
        else:
            w, h = normal["w"], normal["h"]
            if (
                normal["x"] < 0
                or normal["y"] < 0
                or normal["x"] + w > width
                or normal["y"] + h > height
            ):
                yield where, label + f"lies outside the template's size ({width:g} x {height:g})"


def _end_problems(
    end: dict,
    where: list[str | int],
    ids: dict[str, int],
    objects: list,
    width: float,
    height: float,
) -> Iterator[Problem]:
    if "id" in end:
        if set(end) != {"id"}:
            yield where, "must be {id: <object id>} or {x: <number>, y: <number>}, not both"
        elif end["id"] not in ids:
            yield where, f"no object with id {end['id']!r} to attach to"
        elif objects[ids[end["id"]]]["kind"] == "connector":
            yield where, f"{end['id']!r} is a connector; attach to a box, a note or a shape"
    elif not 0 <= end["x"] <= width or not 0 <= end["y"] <= height:
        yield where, f"point lies outside the template's size ({width:g} x {height:g})"


def _agenda_problems(data: dict) -> Iterator[Problem]:
    frames = [obj["id"] for obj in data["objects"] if obj["kind"] == "frame"]
    for s, step in enumerate(data["agenda"]):
        seen: set[str] = set()
        for a, action in enumerate(step.get("actions", [])):
            where: list[str | int] = ["agenda", s, "actions", a]
            ((name, value),) = action.items()
            if name in seen:
                yield where, f"a second {name!r} in the same step"
            seen.add(name)
            if name == "focus_frame" and value not in frames:
                known = ", ".join(frames) or "none"
                yield [*where, name], f"no frame with id {value!r} (frames: {known})"
            if name == "voting" and isinstance(value, dict) and value["per_note"] > value["votes"]:
                yield [*where, name, "per_note"], "per_note must not be more than votes"


def semantic_problems(data: dict) -> list[Problem]:
    """What a schema cannot say: languages filled, ids unique, references resolve,
    every object valid on a board (in every language) and inside the template."""
    return [*_language_problems(data), *_object_problems(data), *_agenda_problems(data)]
