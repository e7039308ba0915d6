"""Board geometry: boxes, centres, containment (frame and zone of a note) and bounds.

Shared by the renderers, the CSV export, the session report and breakout copies, so
"what is inside a frame" has one answer everywhere: the frame rule F1 of
docs/protocol.md. web/js/frames.js implements the same rule for the page, and
tests/data/frame_rule.json is one table of cases run against both.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

Obj = Mapping[str, Any]
Point = tuple[float, float]
Box = tuple[float, float, float, float]  # x0, y0, x1, y1

FRAME_TITLE_SPACE = 30.0  # frames draw their title above the box


def has_box(obj: Obj) -> bool:
    return "w" in obj and "h" in obj


def rect(obj: Obj) -> Box:
    """The unrotated box of a boxed object."""
    x, y = float(obj["x"]), float(obj["y"])
    return x, y, x + float(obj["w"]), y + float(obj["h"])


def _rotated_extent(obj: Obj) -> Box:
    x0, y0, x1, y1 = rect(obj)
    angle = math.radians(float(obj.get("rotation", 0) or 0))
    if not angle:
        return x0, y0, x1, y1
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    hw, hh = (x1 - x0) / 2, (y1 - y0) / 2
    ex = abs(hw * math.cos(angle)) + abs(hh * math.sin(angle))
    ey = abs(hw * math.sin(angle)) + abs(hh * math.cos(angle))
    return cx - ex, cy - ey, cx + ex, cy + ey


def _edge_point(obj: Obj, toward: Point) -> Point:
    """Where the line from the centre of `obj` toward `toward` leaves its outline."""
    x0, y0, x1, y1 = rect(obj)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    hw, hh = max((x1 - x0) / 2, 1e-9), max((y1 - y0) / 2, 1e-9)
    dx, dy = toward[0] - cx, toward[1] - cy
    if dx == 0 and dy == 0:
        return cx, cy
    # Work in the object's own (unrotated) frame; the scalar t is rotation-invariant.
    angle = -math.radians(float(obj.get("rotation", 0) or 0))
    lx = dx * math.cos(angle) - dy * math.sin(angle)
    ly = dx * math.sin(angle) + dy * math.cos(angle)
    shape = obj.get("shape") if obj.get("kind") == "shape" else "rectangle"
    if shape == "ellipse":
        t = 1 / math.hypot(lx / hw, ly / hh)
    elif shape == "diamond":
        t = 1 / (abs(lx) / hw + abs(ly) / hh)
    else:
        t = 1 / max(abs(lx) / hw, abs(ly) / hh)
    t = min(t, 1.0)  # the other end is inside the box: stop at it
    return cx + dx * t, cy + dy * t


def center(obj: Obj, by_id: Mapping[str, Obj] | None = None) -> Point:
    """Centre of an object; a connector's is the middle of its drawn line."""
    kind = obj.get("kind")
    if kind == "connector":
        ends = connector_ends(obj, by_id or {})
        if ends is None:
            return float("nan"), float("nan")
        (ax, ay), (bx, by) = ends
        return (ax + bx) / 2, (ay + by) / 2
    if kind == "path":
        x0, y0, x1, y1 = extent(obj)
        return (x0 + x1) / 2, (y0 + y1) / 2
    x0, y0, x1, y1 = rect(obj)
    return (x0 + x1) / 2, (y0 + y1) / 2


def connector_ends(conn: Obj, by_id: Mapping[str, Obj]) -> tuple[Point, Point] | None:
    """Both ends of a connector, attached ends on the edge of their object's current box.

    None if an attached object is missing (deleted, or private and so not exported).
    """
    refs: list[Point] = []
    for end in (conn["from"], conn["to"]):
        if "id" in end:
            target = by_id.get(end["id"])
            if target is None or not has_box(target):
                return None
            x0, y0, x1, y1 = rect(target)
            refs.append(((x0 + x1) / 2, (y0 + y1) / 2))
        else:
            refs.append((float(end["x"]), float(end["y"])))
    points = []
    for i, end in enumerate((conn["from"], conn["to"])):
        other = refs[1 - i]
        points.append(_edge_point(by_id[end["id"]], other) if "id" in end else refs[i])
    return points[0], points[1]


def extent(obj: Obj, by_id: Mapping[str, Obj] | None = None) -> Box:
    """Axis-aligned box of what the object draws (rotation, stroke width and frame title)."""
    kind = obj.get("kind")
    if kind == "path":
        x, y = float(obj["x"]), float(obj["y"])
        pad = float(obj.get("width", 3)) / 2
        xs = [x + p[0] for p in obj["points"]]
        ys = [y + p[1] for p in obj["points"]]
        return min(xs) - pad, min(ys) - pad, max(xs) + pad, max(ys) + pad
    if kind == "connector":
        ends = connector_ends(obj, by_id or {})
        if ends is None:
            return math.nan, math.nan, math.nan, math.nan
        (ax, ay), (bx, by) = ends
        return min(ax, bx) - 10, min(ay, by) - 10, max(ax, bx) + 10, max(ay, by) + 10
    x0, y0, x1, y1 = _rotated_extent(obj)
    if kind == "frame":
        y0 -= FRAME_TITLE_SPACE
    return x0, y0, x1, y1


def bounds(objects: Iterable[Obj]) -> Box | None:
    """Box around everything drawn (None for no objects); connectors follow their ends."""
    objs = list(objects)
    by_id = {o["id"]: o for o in objs}
    boxes = [extent(o, by_id) for o in objs]
    boxes = [b for b in boxes if not math.isnan(b[0])]
    if not boxes:
        return None
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def contains(box: Box, point: Point) -> bool:
    return box[0] <= point[0] <= box[2] and box[1] <= point[1] <= box[3]


# Rounding slack for "on the edge" after turning a point into a rotated frame's axes.
EDGE_SLACK = 1e-6


def frame_holds(frame: Obj, point: Point) -> bool:
    """F1: `point` lies in the frame's box as drawn (turned about its centre), edges in."""
    x0, y0, x1, y1 = rect(frame)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    px, py = point
    angle = -math.radians(float(frame.get("rotation", 0) or 0))
    if angle:
        dx, dy = px - cx, py - cy
        px = cx + dx * math.cos(angle) - dy * math.sin(angle)
        py = cy + dx * math.sin(angle) + dy * math.cos(angle)
    e = EDGE_SLACK
    return x0 - e <= px <= x1 + e and y0 - e <= py <= y1 + e


def _area(obj: Obj) -> float:
    x0, y0, x1, y1 = rect(obj)
    return (x1 - x0) * (y1 - y0)


def frame_of(obj: Obj, objects: Iterable[Obj]) -> Obj | None:
    """F1: the smallest frame (then the lowest id) holding the object's centre, or None.

    The object's centre is `center`: a box's middle (rotation turns about it), a pen
    stroke's middle, a connector's line's middle (no frame while an end's object is gone).
    """
    items = list(objects)
    point = center(obj, {o["id"]: o for o in items})
    inside = [
        f
        for f in items
        if f.get("kind") == "frame" and f["id"] != obj.get("id") and frame_holds(f, point)
    ]
    return min(inside, key=lambda f: (_area(f), f["id"])) if inside else None


def zone_of(obj: Obj, objects: Iterable[Obj]) -> Obj | None:
    """The smallest locked shape containing the object's centre (its text names the zone)."""
    items = list(objects)
    point = center(obj, {o["id"]: o for o in items})
    inside = [
        c
        for c in items
        if c.get("kind") == "shape"
        and c.get("locked")
        and c["id"] != obj.get("id")
        and contains(rect(c), point)
    ]
    return min(inside, key=lambda c: (_area(c), c["id"])) if inside else None


def frame_contents(frame: Obj, objects: Iterable[Obj]) -> list[Obj]:
    """F1: the frame and every object whose centre it holds ("moves with the frame").

    Nested frames and what they hold come along: their centres lie in the outer frame.
    """
    items = list(objects)
    by_id = {o["id"]: o for o in items}
    return [frame] + [
        o for o in items if o["id"] != frame["id"] and frame_holds(frame, center(o, by_id))
    ]
