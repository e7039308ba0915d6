"""Where text lands when a board is drawn, for the layout tests of shipped templates.

Mirrors the board renderer's conventions: a locked rectangle taller than 160 px is a
zone whose name sits in a 60 px band at its top (22 px bold); other shapes centre
their text in an inner box; notes pad their text by 14 px; a connector's label is
centred on its midpoint, wrapped at 160 px in 14 px type.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from server.domain.render.text import fits, line_height, text_width, wrap_text

ZONE_MIN_H = 160
ZONE_FONT = 22.0
ZONE_BAND = (12.0, 10.0, 60.0)  # inset x, inset y, band height
NOTE_PAD = 14.0
NOTE_MIN_FONT = 18.0  # example notes must be readable at this size or larger
SHAPE_MIN_FONT = 18.0
LABEL_FONT, LABEL_WRAP = 14.0, 160.0

Box = tuple[float, float, float, float]  # x, y, w, h


@dataclass(frozen=True)
class Label:
    id: str
    text: str
    box: Box
    fits: bool


def is_zone(obj: Mapping[str, Any]) -> bool:
    return (
        obj["kind"] == "shape"
        and obj.get("locked", False)
        and obj.get("shape") == "rectangle"
        and obj["h"] > ZONE_MIN_H
    )


def _shape_inner(obj: Mapping[str, Any]) -> Box:
    x, y, w, h = obj["x"], obj["y"], obj["w"], obj["h"]
    if obj.get("shape") == "ellipse":
        return x + w * 0.15, y + h * 0.15, w * 0.7, h * 0.7
    if obj.get("shape") == "diamond":
        return x + w * 0.25, y + h * 0.25, w * 0.5, h * 0.5
    return x + 10, y + 10, w - 20, h - 20


def center(obj: Mapping[str, Any]) -> tuple[float, float]:
    return obj["x"] + obj["w"] / 2, obj["y"] + obj["h"] / 2


def ends(obj: Mapping[str, Any], by_id: Mapping[str, Mapping[str, Any]]) -> tuple[tuple, tuple]:
    out = []
    for key in ("from", "to"):
        end = obj[key]
        out.append(center(by_id[end["id"]]) if "id" in end else (end["x"], end["y"]))
    return out[0], out[1]


def labels(objects: list[Mapping[str, Any]]) -> list[Label]:
    """Every piece of text on the board with the box it occupies and whether it fits."""
    by_id = {o["id"]: o for o in objects}
    out = []
    for obj in objects:
        text = obj.get("text", "")
        if not text.strip():
            continue
        kind = obj["kind"]
        if kind == "text":
            box = (obj["x"], obj["y"], obj["w"], obj["h"])
            ok = fits(text, obj["font_size"], obj["w"], obj["h"])
        elif kind == "note":
            box = (obj["x"], obj["y"], obj["w"], obj["h"])
            inner = obj["w"] - 2 * NOTE_PAD, obj["h"] - 2 * NOTE_PAD
            ok = fits(text, NOTE_MIN_FONT, *inner)
        elif kind == "shape" and is_zone(obj):
            dx, dy, band = ZONE_BAND
            box = (obj["x"] + dx, obj["y"] + dy, obj["w"] - 2 * dx, band)
            ok = fits(text, ZONE_FONT, box[2], box[3], bold=True)
        elif kind == "shape":
            box = _shape_inner(obj)
            ok = fits(text, SHAPE_MIN_FONT, box[2], box[3])
        elif kind == "connector":
            (ax, ay), (bx, by) = ends(obj, by_id)
            lines = wrap_text(text, LABEL_FONT, LABEL_WRAP)
            lw = max(text_width(s, LABEL_FONT) for s in lines) + 10
            lh = line_height(LABEL_FONT) * len(lines) + 4
            box = ((ax + bx) / 2 - lw / 2, (ay + by) / 2 - lh / 2, lw, lh)
            ok = all(text_width(w, LABEL_FONT) <= LABEL_WRAP for w in text.split())
        else:
            continue
        out.append(Label(obj["id"], text, box, ok))
    return out


def overlap(a: Box, b: Box) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def segment_hits(p: tuple, q: tuple, box: Box) -> bool:
    """True if the segment p-q passes through the box (Liang-Barsky clipping)."""
    x0, y0 = p
    dx, dy = q[0] - x0, q[1] - y0
    lo, hi = 0.0, 1.0
    for d, start, low, high in (
        (dx, x0, box[0], box[0] + box[2]),
        (dy, y0, box[1], box[1] + box[3]),
    ):
        if abs(d) < 1e-9:
            if not low < start < high:
                return False
            continue
        t1, t2 = sorted(((low - start) / d, (high - start) / d))
        lo, hi = max(lo, t1), min(hi, t2)
        if lo >= hi:
            return False
    return True


def luminance(color: str) -> float:
    def channel(v: int) -> float:
        c = v / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)
