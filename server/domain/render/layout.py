"""Lay out a board (or one frame of it) as a Scene of primitive drawing items.

This is where export policy lives: private objects are dropped, a frame export keeps
the objects whose centre is inside the frame, connectors follow their objects'
current boxes, and user text is wrapped with the shipped fonts' real metrics.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping
from typing import Any

from PIL import Image

from .. import geometry
from . import text as tx
from .scene import Curve, Drawing, Oval, Part, Picture, Poly, Rect, Scene, Style, TextLine, TextRun

Obj = Mapping[str, Any]
Assets = Mapping[str, tuple[str, bytes]]

MAX_SCALE = 8.0
MAX_PIXELS = 64_000_000
MAX_SIDE = 32_000
MAX_IMAGE_PIXELS = 50_000_000
IMAGE_MIMES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
BACKGROUND = "#ffffff"
INK = "#1f2937"
NOTE_PAD = 14.0
TAG_SIZE = 13.0
ARROW = 14.0


def check_options(scale: float, padding: float) -> None:
    if not isinstance(scale, int | float) or not math.isfinite(scale) or not 0 < scale <= 8:
        raise ValueError(f"scale must be a number above 0 and at most {MAX_SCALE:g}")
    if (
        not isinstance(padding, int | float)
        or not math.isfinite(padding)
        or not 0 <= padding <= 2000
    ):
        raise ValueError("padding must be between 0 and 2000")


def check_size(w: float, h: float, scale: float) -> None:
    """Refuse a picture that would be too large to rasterise or to open."""
    pw, ph = math.ceil(w * scale), math.ceil(h * scale)
    if pw > MAX_SIDE or ph > MAX_SIDE or pw * ph > MAX_PIXELS:
        raise ValueError(
            f"the image would be {pw} x {ph} px; the limit is {MAX_PIXELS // 1_000_000} Mpx "
            f"and {MAX_SIDE} px a side: export one frame or use a smaller scale"
        )


def visible_objects(board: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Board objects that may be exported, in drawing order (z, then id)."""
    objs = [o for o in board.get("objects", []) if not o.get("private")]
    return sorted(objs, key=lambda o: (float(o.get("z", 0) or 0), str(o["id"])))


def select(objects: list[dict[str, Any]], frame: str | None) -> tuple[list[dict[str, Any]], Any]:
    """The objects to draw and the box to show (None = fit everything)."""
    if frame is None:
        return objects, geometry.bounds(objects)
    by_id = {o["id"]: o for o in objects}
    target = by_id.get(frame)
    if target is None or target.get("kind") != "frame":
        raise ValueError(f"unknown frame id {frame!r}")
    # The frame rule F1 (docs/protocol.md), kept in drawing order.
    held = {o["id"] for o in geometry.frame_contents(target, objects)}
    chosen = [o for o in objects if o["id"] in held]
    return chosen, geometry.extent(target)


def build_scene(
    board: Mapping[str, Any],
    *,
    frame: str | None = None,
    padding: float = 40,
    background: bool = True,
    assets: Assets | None = None,
    emoji: bool = True,
) -> Scene:
    """Lay out the board; raises ValueError for an unknown frame id."""
    objects = visible_objects(board)
    by_id = {o["id"]: o for o in objects}
    chosen, box = select(objects, frame)
    if box is None:
        box = (0.0, 0.0, 400.0, 300.0)
    votes = board.get("votes") or {}
    drawings = []
    for obj in chosen:
        drawing = _draw(obj, by_id, assets or {}, int(votes.get(obj["id"], 0) or 0))
        if drawing is not None:
            if not emoji:
                _drop_emoji_font(drawing)
            drawings.append(drawing)
    x0, y0, x1, y1 = box
    return Scene(
        title=str(board.get("title", "")),
        x=x0 - padding,
        y=y0 - padding,
        w=x1 - x0 + 2 * padding,
        h=y1 - y0 + 2 * padding,
        background=BACKGROUND if background else None,
        drawings=drawings,
    )


def _drop_emoji_font(drawing: Drawing) -> None:
    for i, part in enumerate(drawing.parts):
        if isinstance(part, TextLine):
            runs = tuple(
                TextRun("symbol" if r.font == "emoji" else r.font, r.text, r.x) for r in part.runs
            )
            drawing.parts[i] = TextLine(part.y, runs, part.size, part.color, part.bold)


# --- text ---------------------------------------------------------------------


def text_lines(
    lines: list[str],
    box: tuple[float, float, float, float],
    size: float,
    color: str,
    *,
    bold: bool = False,
    align: str = "center",
    valign: str = "middle",
) -> list[Part]:
    """Place already-wrapped lines in a box; every run gets its own measured x."""
    x, y, w, h = box
    lh = tx.line_height(size)
    top = y + (h - lh * len(lines)) / 2 if valign == "middle" else y
    out: list[Part] = []
    for i, line in enumerate(lines):
        if not line:
            continue
        runs = tx.run_widths(line, size, bold=bold)
        width = sum(wd for _, wd in runs)
        left = x if align == "left" else x + w - width if align == "right" else x + (w - width) / 2
        placed = []
        for run, wd in runs:
            placed.append(TextRun(run.font, run.text, left))
            left += wd
        out.append(
            TextLine(top + i * lh + tx.baseline_offset(size), tuple(placed), size, color, bold)
        )
    return out


def _fitted(text: str, w: float, h: float, max_size: float) -> tuple[list[str], float]:
    """Shrink text to fit a box like a sticky note; cut with an ellipsis if it still cannot."""
    if not text.strip() or w <= 4 or h <= 4:
        return [], max_size
    size = tx.fit_font_size(text, w, h, max_size=max_size)
    lines = tx.wrap_text(text, size, w)
    room = max(1, int(h // tx.line_height(size)))
    if len(lines) > room:
        lines = lines[:room]
        lines[-1] = lines[-1].rstrip() + "…"
    return lines, size


def _text_in(
    text: str, box: tuple[float, float, float, float], max_size: float, color: str, **kw: Any
) -> list[Part]:
    lines, size = _fitted(text, box[2], box[3], max_size)
    return text_lines(lines, box, size, color, **kw) if lines else []


# --- objects ------------------------------------------------------------------


def _draw(obj: Obj, by_id: Mapping[str, Obj], assets: Assets, votes: int) -> Drawing | None:
    kind = obj["kind"]
    if kind == "connector":
        return _connector(obj, by_id)
    if kind == "path":
        return _path(obj)
    x, y, w, h = (float(obj[k]) for k in ("x", "y", "w", "h"))
    d = Drawing(
        obj["id"], kind, rotation=float(obj.get("rotation", 0) or 0), cx=x + w / 2, cy=y + h / 2
    )
    if kind == "note":
        d.parts.append(Rect(x + 2, y + 4, w, h, Style(fill="#000000", opacity=0.12), 3))
        d.parts.append(Rect(x, y, w, h, Style(fill=obj.get("color", "#fff59d")), 3))
        tag = obj.get("tag", "")
        room = TAG_SIZE + 6 if tag else 0.0  # the party tag has its own line at the bottom
        inner = (x + NOTE_PAD, y + NOTE_PAD, w - 2 * NOTE_PAD, h - 2 * NOTE_PAD - room)
        d.parts += _text_in(obj.get("text", ""), inner, min(32.0, max(8.0, h / 5)), INK)
        if tag:
            # Colour is never the only cue for a party: its initials are written out.
            label = (x + NOTE_PAD, y + h - NOTE_PAD - TAG_SIZE - 2, w - 2 * NOTE_PAD, TAG_SIZE + 4)
            lines = tx.wrap_text(tag, TAG_SIZE, max(label[2], 1), bold=True)
            line = lines[0] + ("…" if len(lines) > 1 else "")  # one line, never past the edge
            d.parts += text_lines([line], label, TAG_SIZE, "#374151", bold=True, align="left")
    elif kind == "text":
        size = float(obj.get("font_size", 24))
        lines = tx.wrap_text(obj.get("text", ""), size, max(w, 1))
        color = obj.get("color", INK)
        d.parts += text_lines(
            lines, (x, y, w, h), size, color, align=obj.get("align", "left"), valign="top"
        )
    elif kind == "shape":
        d.parts += _shape(obj, x, y, w, h)
    elif kind == "image":
        d.parts += _image(obj, x, y, w, h, assets)
    elif kind == "frame":
        d.parts.append(
            Rect(x, y, w, h, Style(fill=obj.get("color", "#f3f4f6"), stroke="#9ca3af", width=1), 6)
        )
        title = obj.get("title", "")
        if title:
            first = tx.wrap_text(title, 18, max(w, 40), bold=True)
            line = first[0] + ("…" if len(first) > 1 else "")
            d.parts += text_lines(
                [line], (x, y - 28, w, 24), 18, "#374151", bold=True, align="left"
            )
    else:
        return None
    if votes > 0 and kind in ("note", "shape", "text", "image"):
        d.parts.append(
            Oval(x + w - 6, y + 6, 16, 16, Style(fill="#1d4ed8", stroke="#ffffff", width=2))
        )
        d.parts += text_lines([str(votes)], (x + w - 22, y - 10, 32, 32), 15, "#ffffff", bold=True)
    return d


def _shape(obj: Obj, x: float, y: float, w: float, h: float) -> list[Part]:
    style = Style(fill=obj.get("color", "#ffffff"), stroke=obj.get("stroke", INK), width=2)
    kind = obj.get("shape", "rectangle")
    parts: list[Part]
    if kind == "ellipse":
        parts = [Oval(x + w / 2, y + h / 2, w / 2, h / 2, style)]
        inner = (x + w * 0.15, y + h * 0.15, w * 0.7, h * 0.7)
    elif kind == "diamond":
        pts = ((x + w / 2, y), (x + w, y + h / 2), (x + w / 2, y + h), (x, y + h / 2))
        parts = [Poly(pts, style)]
        inner = (x + w * 0.25, y + h * 0.25, w * 0.5, h * 0.5)
    else:
        parts = [Rect(x, y, w, h, style, 4)]
        inner = (x + 10, y + 10, w - 20, h - 20)
    text = obj.get("text", "")
    color = obj.get("stroke", INK)
    if obj.get("locked") and kind == "rectangle" and h > 160:
        # A locked shape is a template zone: its name sits at the top, notes go below.
        return parts + _text_in(
            text, (x + 12, y + 10, w - 24, 60), 22.0, color, bold=True, valign="top"
        )
    return parts + _text_in(text, inner, 22.0, color)


def _image(obj: Obj, x: float, y: float, w: float, h: float, assets: Assets) -> list[Part]:
    asset = assets.get(str(obj.get("asset", "")))
    if asset is not None and _image_ok(*asset):
        return [Picture(x, y, w, h, asset[0], asset[1], str(obj.get("asset", "")))]
    parts: list[Part] = [
        Rect(x, y, w, h, Style(fill="#f3f4f6", stroke="#9ca3af", width=2, dashed=True))
    ]
    label = obj.get("alt") or "image"
    return parts + _text_in(label, (x + 8, y + 8, w - 16, h - 16), 16.0, "#6b7280")


def _image_ok(mime: str, data: bytes) -> bool:
    """Only raster types every writer reads, and no decompression bombs."""
    if mime not in IMAGE_MIMES or not data:
        return False
    try:
        with Image.open(io.BytesIO(data)) as img:
            return img.width * img.height <= MAX_IMAGE_PIXELS and img.format is not None
    except (OSError, ValueError, Image.DecompressionBombError):
        return False


def _connector(obj: Obj, by_id: Mapping[str, Obj]) -> Drawing | None:
    ends = geometry.connector_ends(obj, by_id)
    if ends is None:
        return None
    (ax, ay), (bx, by) = ends
    color = obj.get("color", INK)
    d = Drawing(obj["id"], "connector")
    length = math.hypot(bx - ax, by - ay)
    arrow = obj.get("arrow", "end")
    start, end = (ax, ay), (bx, by)
    if length > 1e-6:
        ux, uy = (bx - ax) / length, (by - ay) / length
        head = min(ARROW, length / 3)
        if arrow in ("end", "both"):
            d.parts.append(_arrow_head((bx, by), (ux, uy), head, color))
            end = (bx - ux * head * 0.8, by - uy * head * 0.8)
        if arrow in ("start", "both"):
            d.parts.append(_arrow_head((ax, ay), (-ux, -uy), head, color))
            start = (ax + ux * head * 0.8, ay + uy * head * 0.8)
    d.parts.insert(
        0,
        Poly(
            (start, end),
            Style(stroke=color, width=2.5, dashed=bool(obj.get("dashed"))),
            closed=False,
        ),
    )
    label = obj.get("text", "")
    if label.strip():
        lines = tx.wrap_text(label, 14, 160)
        lw = max(tx.text_width(s, 14) for s in lines) + 10
        lh = tx.line_height(14) * len(lines) + 4
        mx, my = (ax + bx) / 2, (ay + by) / 2
        d.parts.append(Rect(mx - lw / 2, my - lh / 2, lw, lh, Style(fill="#ffffff"), 3))
        d.parts += text_lines(lines, (mx - lw / 2, my - lh / 2, lw, lh), 14, color)
    return d


def _arrow_head(tip: tuple[float, float], u: tuple[float, float], size: float, color: str) -> Poly:
    ux, uy = u
    bx, by = tip[0] - ux * size, tip[1] - uy * size
    px, py = -uy * size * 0.45, ux * size * 0.45
    return Poly(
        (tip, (bx + px, by + py), (bx - px, by - py)), Style(fill=color, stroke=color, width=1)
    )


def _path(obj: Obj) -> Drawing:
    """Freehand stroke, smoothed with a Catmull-Rom spline through the recorded points."""
    ox, oy = float(obj["x"]), float(obj["y"])
    pts = [(ox + float(p[0]), oy + float(p[1])) for p in obj["points"]]
    width = float(obj.get("width", 3))
    color = obj.get("color", INK)
    x0, y0, x1, y1 = geometry.extent(obj)
    d = Drawing(
        obj["id"],
        "path",
        rotation=float(obj.get("rotation", 0) or 0),
        cx=(x0 + x1) / 2,
        cy=(y0 + y1) / 2,
    )
    if len(pts) == 1 or all(p == pts[0] for p in pts):
        d.parts.append(Oval(pts[0][0], pts[0][1], width / 2, width / 2, Style(fill=color)))
        return d
    segments = []
    for i in range(len(pts) - 1):
        p0 = pts[i - 1] if i > 0 else pts[i]
        p1, p2 = pts[i], pts[i + 1]
        p3 = pts[i + 2] if i + 2 < len(pts) else p2
        c1 = (p1[0] + (p2[0] - p0[0]) / 6, p1[1] + (p2[1] - p0[1]) / 6)
        c2 = (p2[0] - (p3[0] - p1[0]) / 6, p2[1] - (p3[1] - p1[1]) / 6)
        segments.append((c1, c2, p2))
    d.parts.append(Curve(pts[0], tuple(segments), Style(stroke=color, width=width)))
    return d
