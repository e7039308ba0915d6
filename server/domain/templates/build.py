"""From a loaded template to what the server needs: board objects, agenda, listing."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from ..errors import ProtocolError
from ..objects import ID_RE, Object, validate_new
from .model import Template, TemplateError, localise, localised_object, pick_locale

GAP = 200.0  # free space left between existing content and an inserted template
GRID = 10.0
MAX_PREFIX = 24


def _end(end: Mapping[str, Any], dx: float, dy: float, prefix: str) -> dict[str, Any]:
    if "id" in end:
        return {"id": prefix + end["id"]}
    return {"x": end["x"] + dx, "y": end["y"] + dy}


def instantiate(
    template: Template, locale: str, origin: tuple[float, float], id_prefix: str
) -> list[Object]:
    """Board objects for `template` in one language, placed at `origin`.

    Ids become `id_prefix + template id` so the same template can be inserted many
    times on one board; connectors follow their objects. Each object has passed
    `validate_new`, so the caller can create them as they are.
    """
    check_prefix(id_prefix)
    lang = pick_locale(locale)
    dx, dy = origin
    out: list[Object] = []
    for index, obj in enumerate(template.objects):
        item: dict[str, Any] = {"z": index, **localised_object(obj, lang)}
        for key in ("from", "to"):
            if key in item:
                item[key] = _end(item[key], dx, dy, id_prefix)
        item["id"] = id_prefix + obj["id"]
        item["x"] += dx
        item["y"] += dy
        try:
            out.append(validate_new(item))
        except ProtocolError as exc:
            raise TemplateError([f"{template.source}: {obj['id']}: {exc.message}"]) from None
    return out


def agenda(template: Template, locale: str, id_prefix: str = "") -> list[dict[str, Any]]:
    """The agenda in one language, JSON-ready; frame ids match `instantiate`'s ids."""
    lang = pick_locale(locale)
    steps = []
    for step in template.agenda:
        actions = []
        for action in step["actions"]:
            ((name, value),) = action.items()
            if name == "focus_frame":
                value = id_prefix + value
            elif isinstance(value, dict):
                value = dict(value)
            actions.append({name: value})
        steps.append(
            {
                "title": localise(step["title"], lang),
                "instructions": localise(step["instructions"], lang),
                "minutes": step["minutes"],
                "actions": actions,
            }
        )
    return steps


def summary(template: Template, locale: str) -> dict[str, Any]:
    """What a template list shows: id, name, description, category, minutes, steps."""
    lang = pick_locale(locale)
    return {
        "id": template.id,
        "name": localise(template.name, lang),
        "description": localise(template.description, lang),
        "category": template.category,
        "minutes": template.minutes,
        "steps": len(template.agenda),
    }


def _points(obj: Mapping[str, Any]) -> Iterable[tuple[float, float]]:
    """Corners (or points) an object covers; rotation is taken into account."""
    x, y = obj.get("x"), obj.get("y")
    if obj.get("kind") == "connector":
        for end in (obj.get("from"), obj.get("to")):
            if isinstance(end, Mapping) and "x" in end:
                yield end["x"], end["y"]
        return
    if not isinstance(x, int | float) or not isinstance(y, int | float):
        return
    if obj.get("kind") == "path":
        # Path points may be absolute or relative to x, y; cover both readings.
        for point in obj.get("points") or []:
            yield point[0], point[1]
            yield x + point[0], y + point[1]
        yield x, y
        return
    w, h = float(obj.get("w") or 0), float(obj.get("h") or 0)
    angle = math.radians(float(obj.get("rotation") or 0))
    cx, cy, cos, sin = x + w / 2, y + h / 2, math.cos(angle), math.sin(angle)
    for px, py in ((x, y), (x + w, y), (x, y + h), (x + w, y + h)):
        rx, ry = px - cx, py - cy
        yield cx + rx * cos - ry * sin, cy + rx * sin + ry * cos


def place_beside(
    existing: Iterable[Mapping[str, Any]], size: tuple[float, float]
) -> tuple[float, float]:
    """Top-left corner for a new `size` block to the right of everything on the board.

    Right of the content, top-aligned with it, on a 10 px grid; (0, 0) on an empty
    board. Simple and predictable: the facilitator knows where to look.
    """
    xs: list[float] = []
    ys: list[float] = []
    for obj in existing:
        for px, py in _points(obj):
            if math.isfinite(px) and math.isfinite(py):
                xs.append(px)
                ys.append(py)
    if not xs:
        return 0.0, 0.0
    x = math.ceil((max(xs) + GAP) / GRID) * GRID
    y = math.floor(min(ys) / GRID) * GRID
    return float(x), float(y)


def check_prefix(id_prefix: str) -> None:
    """Refuse a prefix that would make invalid board ids (raise `ValueError`).

    Template object ids have up to 40 characters and board ids up to 64.
    """
    if len(id_prefix) > MAX_PREFIX or (id_prefix and not ID_RE.match(id_prefix)):
        raise ValueError(f"id_prefix must be 0-{MAX_PREFIX} characters of A-Z a-z 0-9 _ -")
