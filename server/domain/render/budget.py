"""How large an export will be, estimated before it is made.

An export runs in this process's memory, so a board that would make a file of
gigabytes must be refused before rendering starts, not after. The estimate is meant as
an upper bound for what the writers produce (the service checks the real size after
rendering too): each distinct picture once (the writers embed an
asset once however many objects show it), text and geometry per object, and for PNG
the pixels themselves.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from . import layout

PER_OBJECT = 600  # markup or PDF operators of one object, text aside
PER_POINT = 24  # one freehand point, as a curve segment
TEXT_FIELDS = ("text", "title", "alt", "tag")
PDF_FONTS = 300_000  # the embedded font subsets (measured: tens of KB for a board)
RGBA = 4


def estimate_bytes(
    fmt: str,
    board: Mapping[str, Any],
    assets: Mapping[str, tuple[str, bytes]],
    *,
    frame: str | None = None,
    scale: float = 1.0,
    padding: float = 40.0,
) -> int:
    """The most bytes (PNG: the raster in memory) this export can take; ValueError for
    an unknown frame."""
    if fmt in ("png", "svg", "pdf"):
        layout.check_options(scale, padding)  # bad options are a 400, not a 413
    objects, box = layout.select(layout.visible_objects(board), frame)
    pictures = {str(o.get("asset")) for o in objects if o.get("kind") == "image"}
    picture_bytes = sum(len(assets[a][1]) for a in pictures if a in assets)
    text = sum(len(str(o.get(f) or "")) for o in objects for f in TEXT_FIELDS)
    points = sum(len(o.get("points") or ()) for o in objects)
    shapes = PER_OBJECT * len(objects) + PER_POINT * points + 6 * text
    if fmt == "png":
        x0, y0, x1, y1 = box if box is not None else (0, 0, 400, 300)
        w = (x1 - x0 + 2 * padding) * scale
        h = (y1 - y0 + 2 * padding) * scale
        return max(RGBA * math.ceil(w) * math.ceil(h), shapes)
    if fmt == "svg":
        return shapes + math.ceil(picture_bytes * 4 / 3)
    if fmt in ("pdf", "report"):
        # fpdf2 keeps JPEG as is and re-compresses PNG pixels (and alpha) with zlib:
        # measured within 2 % of the PNG for photos and noise; half again for margin.
        return PDF_FONTS + shapes + math.ceil(picture_bytes * 3 / 2)
    if fmt == "json":
        return shapes + math.ceil(picture_bytes * 4 / 3)
    return shapes  # csv, canvas: text and geometry only
