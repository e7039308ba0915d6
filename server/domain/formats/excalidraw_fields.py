"""Reading single Excalidraw element fields into Samskap values.

Excalidraw files come from many editors and versions, so a field may be missing,
`null`, a CSS colour name or out of our ranges. Cosmetic oddities are mended and
counted (the count ends up as a note in the import report); a value of the wrong type
where geometry is concerned is an error naming the element, because guessing a
position would put the user's work in the wrong place.
"""

from __future__ import annotations

import hashlib
import math
import unicodedata
from collections import Counter
from collections.abc import Iterable
from typing import Any

from PIL import ImageColor

from ..objects import ID_RE, MAX_SIZE

Point = tuple[float, float]


class Fields:
    """Field readers for one import; `issues` counts every repair for the report."""

    def __init__(self) -> None:
        self.issues: Counter[str] = Counter()
        self._used_ids: set[str] = set()

    # --- numbers and text ---------------------------------------------------------

    @staticmethod
    def number(el: dict[str, Any], key: str, where: str, default: float | None = None) -> float:
        value = el.get(key, default)
        if value is None and default is not None:
            value = default
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{where}.{key}: must be a number")
        if not math.isfinite(value):
            raise ValueError(f"{where}.{key}: must be a finite number")
        return value

    def text(self, value: Any, limit: int) -> str:
        """Plain text the object model accepts: no control characters, within limit."""
        if not isinstance(value, str):
            return ""
        chars = []
        for ch in value:
            code = ord(ch)
            if 0xD800 <= code <= 0xDFFF or (code < 0x20 and ch not in "\t\n\r"):
                self.issues["control_chars"] += 1
                continue
            chars.append(ch)
        out = unicodedata.normalize("NFC", "".join(chars))
        if len(out) > limit:
            self.issues["truncated_text"] += 1
            out = out[:limit]
        return out

    def size(self, value: float) -> float:
        return min(abs(value), MAX_SIZE)

    @staticmethod
    def clamp(value: float, lo: float, hi: float) -> float:
        return min(max(value, lo), hi)

    @staticmethod
    def degrees(radians: float) -> float:
        """Excalidraw turns clockwise in radians; we store degrees in (-180, 180]."""
        deg = math.degrees(radians) % 360.0
        deg = deg - 360.0 if deg > 180.0 else deg
        return round(deg, 6) + 0.0  # + 0.0 turns -0.0 into 0.0

    # --- colours --------------------------------------------------------------------

    def colour(self, value: Any) -> str | None:
        """#rrggbb, or None for transparent; an unreadable colour is counted, not fatal."""
        if value is None:
            return None
        if not isinstance(value, str):
            self.issues["bad_colour"] += 1
            return None
        text = value.strip().lower()
        if text in ("", "transparent", "none"):
            return None
        try:
            rgb = ImageColor.getrgb(text)  # names, #rgb, #rgba, #rrggbb, rgb(), hsl()
        except ValueError:
            self.issues["bad_colour"] += 1
            return None
        if len(rgb) == 4 and rgb[3] == 0:
            return None
        return "#{:02x}{:02x}{:02x}".format(*rgb[:3])

    # --- ids ------------------------------------------------------------------------

    def new_id(self, raw: str, prefix: str = "x") -> str:
        """A valid, unique id for an Excalidraw id: kept if it fits, else a stable hash."""
        if ID_RE.match(raw) and raw not in self._used_ids:
            candidate = raw
        else:
            digest = hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()
            candidate = f"{prefix}{digest[:24]}"
            suffix = 1
            while candidate in self._used_ids:
                candidate = f"{prefix}{digest[:24]}-{suffix}"
                suffix += 1
        self._used_ids.add(candidate)
        return candidate

    # --- points ---------------------------------------------------------------------

    def points(self, el: dict[str, Any], where: str) -> list[Point]:
        """Absolute points of a linear or freedraw element, with its rotation applied.

        Excalidraw rotates these around the centre of the points' bounding box; baking
        the rotation in gives the same picture without relying on our rotation centre.
        """
        raw = el.get("points")
        if raw is None:
            raw = [[0, 0]]
        if not isinstance(raw, list):
            raise ValueError(f"{where}.points: must be a list of [x, y] pairs")
        x0 = self.number(el, "x", where)
        y0 = self.number(el, "y", where)
        local: list[Point] = []
        for i, point in enumerate(raw):
            if (
                not isinstance(point, list | tuple)
                or len(point) < 2
                or not all(
                    isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
                    for v in point[:2]
                )
            ):
                raise ValueError(f"{where}.points[{i}]: must be an [x, y] pair of numbers")
            local.append((float(point[0]), float(point[1])))
        if not local:
            local = [(0.0, 0.0)]
        angle = self.number(el, "angle", where, 0)
        xs, ys = [p[0] for p in local], [p[1] for p in local]
        cx, cy = x0 + (min(xs) + max(xs)) / 2, y0 + (min(ys) + max(ys)) / 2
        cos, sin = math.cos(angle), math.sin(angle)
        out = []
        for px, py in local:
            dx, dy = x0 + px - cx, y0 + py - cy
            out.append((cx + dx * cos - dy * sin, cy + dx * sin + dy * cos))
        return out


def thin(points: list[Point], limit: int) -> list[Point]:
    """Keep at most `limit` points, evenly spaced, always with the first and the last."""
    if len(points) <= limit:
        return points
    step = (len(points) - 1) / (limit - 1)
    return [points[round(i * step)] for i in range(limit)]


def relative(points: Iterable[Point]) -> tuple[float, float, list[list[float]]]:
    """Origin at the top-left of the points, and the points relative to it."""
    pts = list(points)
    x0 = min(p[0] for p in pts)
    y0 = min(p[1] for p in pts)
    return x0, y0, [[round(x - x0, 3), round(y - y0, 3)] for x, y in pts]
