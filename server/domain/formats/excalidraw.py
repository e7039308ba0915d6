"""Import of Excalidraw scene files (`.excalidraw`) as a new board.

Facilitators arrive with drawings made in Excalidraw; this turns a scene into Samskap
objects and a report. Every element that is not deleted is accounted for in the
report: imported (as which kind), merged (a label that became its container's text) or
skipped (with the reason in `notes`), so nothing disappears without the user being
told. docs/formats.md has the mapping table.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from collections import Counter
from typing import Any

from ..images import clean_image
from ..objects import MAX_OBJECTS_PER_BOARD, MAX_PATH_POINTS, MAX_TEXT, MAX_TITLE, Object
from .common import (
    ALLOWED_MIMES,
    Assets,
    ParsedBoard,
    load_json,
    valid_object,
)
from .excalidraw_fields import Fields, Point, relative, thin

SHAPES = ("rectangle", "ellipse", "diamond")
FRAMES = ("frame", "magicframe")
SCENE_TYPES = (None, "excalidraw", "excalidraw/clipboard")
# perfect-freehand draws a freedraw stroke about 3 x strokeWidth wide on average.
FREEDRAW_WIDTH = 3.0
CLOSED = 8.0  # Excalidraw treats a line whose ends are this close as a closed loop
_DATA_URL = re.compile(r"^data:([^;,]*)((?:;[^;,]*)*),(.*)$", re.S)

NOTES = {
    "bent_arrow": "{n} bent arrow(s) or line(s) became straight connectors (first and last point)",
    "grouped": "{n} element(s) were in Excalidraw groups; groups are not kept",
    "link": "{n} element link(s) are not kept",
    "line_fill": "{n} filled line(s) or drawing(s) lost their fill",
    "transparent_fill": (
        "{n} shape(s) without fill became white shapes and were put behind the others"
    ),
    "bad_colour": "{n} colour(s) could not be read and got the default colour",
    "truncated_text": "{n} text(s) were cut to the maximum length",
    "control_chars": "{n} control character(s) were removed from texts",
    "thinned_path": f"{{n}} drawing(s) had more than {MAX_PATH_POINTS} points and were thinned",
    "free_label": "{n} label(s) on something that was not imported became free text",
    "lost_binding": "{n} arrow end(s) bound to something not imported were left free",
    "image_missing": "{n} image(s) had no embedded file and were skipped",
    "image_type": "{n} image(s) in a format other than PNG, JPEG, GIF or WebP were skipped",
    "image_crop": "{n} image crop(s) or flip(s) are not kept",
    "unknown_type": "{n} element(s) of a type Samskap has no counterpart for were skipped",
}


def _scene(doc: Any) -> tuple[list[dict[str, Any]], dict[str, Any], str]:
    if not isinstance(doc, dict):
        raise ValueError("not an Excalidraw scene: the file is not a JSON object")
    if doc.get("type") not in SCENE_TYPES:
        raise ValueError(f"not an Excalidraw scene: type is {doc.get('type')!r}")
    elements = doc.get("elements")
    if not isinstance(elements, list):
        raise ValueError('not an Excalidraw scene: "elements" must be a list')
    if len(elements) > MAX_OBJECTS_PER_BOARD:
        raise ValueError(f"elements: a board holds at most {MAX_OBJECTS_PER_BOARD:,} objects")
    for i, el in enumerate(elements):
        if not isinstance(el, dict) or not isinstance(el.get("type"), str):
            raise ValueError(f"elements[{i}]: must be an object with a type")
        if not isinstance(el.get("id"), str) or not el["id"]:
            raise ValueError(f"elements[{i}].id: must be a non-empty string")
    files = doc.get("files") or {}
    if not isinstance(files, dict):
        raise ValueError('"files" must be an object')
    state = doc.get("appState")
    state = state if isinstance(state, dict) else {}
    name = state.get("name")
    name = name if isinstance(name, str) else ""
    return elements, files, name


class _Import:
    """One import run: the id map, the decoded files and the counters for the report."""

    def __init__(self, files: dict[str, Any], max_image_pixels: int) -> None:
        self.f = Fields()
        self.files = files
        self.max_image_pixels = max_image_pixels
        self.assets: Assets = {}
        self.asset_ids: dict[str, str | None] = {}  # fileId -> asset id, None = skipped
        self.asset_skip: dict[str, str] = {}  # fileId -> why it was skipped (a NOTES key)
        self.ids: dict[str, str] = {}  # Excalidraw id -> object id, for what was imported
        self.objects: list[tuple[float, int, Object]] = []  # (z, order, object)
        self.imported: Counter[str] = Counter()
        self.skipped: Counter[str] = Counter()
        self.merged = 0

    # --- elements -> objects --------------------------------------------------------

    def add(self, index: int, el: dict[str, Any], obj: dict[str, Any], z: float) -> None:
        obj["id"] = self.f.new_id(el["id"])
        obj["z"] = z
        if el.get("locked") is True:
            obj["locked"] = True
        checked = valid_object(obj, f"elements[{index}]")
        self.ids[el["id"]] = checked["id"]
        self.objects.append((z, index, checked))
        self.imported[checked["kind"]] += 1
        self.f.issues["grouped"] += bool(el.get("groupIds"))
        self.f.issues["link"] += bool(el.get("link"))

    def box(self, el: dict[str, Any], where: str) -> dict[str, Any]:
        n = self.f.number
        return {
            "x": n(el, "x", where),
            "y": n(el, "y", where),
            "w": self.f.size(n(el, "width", where, 0)),
            "h": self.f.size(n(el, "height", where, 0)),
            "rotation": self.f.degrees(n(el, "angle", where, 0)),
        }

    def shape(self, el: dict[str, Any], where: str, label: str) -> tuple[dict[str, Any], bool]:
        fill = self.f.colour(el.get("backgroundColor"))
        stroke = self.f.colour(el.get("strokeColor"))
        transparent = fill is None
        fill = fill or "#ffffff"
        obj = {"kind": "shape", "shape": el["type"], **self.box(el, where), "color": fill}
        obj["stroke"] = stroke or fill
        obj["text"] = label
        return obj, transparent

    def text(self, el: dict[str, Any], where: str) -> dict[str, Any]:
        raw = el.get("originalText") if isinstance(el.get("originalText"), str) else el.get("text")
        align = el.get("textAlign") if el.get("textAlign") in ("left", "center", "right") else None
        obj = {"kind": "text", **self.box(el, where), "text": self.f.text(raw, MAX_TEXT)}
        obj["font_size"] = self.f.clamp(self.f.number(el, "fontSize", where, 20), 4, 512)
        obj["align"] = align or "left"
        colour = self.f.colour(el.get("strokeColor"))
        if colour:
            obj["color"] = colour
        return obj

    def path(self, el: dict[str, Any], where: str, points: list[Point]) -> dict[str, Any]:
        if len(points) > MAX_PATH_POINTS:
            self.f.issues["thinned_path"] += 1
            points = thin(points, MAX_PATH_POINTS)
        x, y, rel = relative(points)
        width = self.f.number(el, "strokeWidth", where, 1)
        if el["type"] == "freedraw":
            width *= FREEDRAW_WIDTH
        # Excalidraw fills a line or drawing only when it is closed.
        closed = el.get("polygon") is True or math.dist(points[0], points[-1]) <= CLOSED
        if closed and len(points) > 2 and self.f.colour(el.get("backgroundColor")):
            self.f.issues["line_fill"] += 1
        obj = {"kind": "path", "x": x, "y": y, "points": rel}
        obj["width"] = self.f.clamp(width, 0.5, 200)
        obj["color"] = self.f.colour(el.get("strokeColor")) or "#1f2937"
        return obj

    def connector(
        self, el: dict[str, Any], where: str, points: list[Point], label: str
    ) -> dict[str, Any]:
        if len(points) > 2:
            self.f.issues["bent_arrow"] += 1
        start = bool(el.get("startArrowhead"))
        end = bool(el.get("endArrowhead"))
        arrow = {(True, True): "both", (True, False): "start", (False, True): "end"}
        obj = {
            "kind": "connector",
            "x": points[0][0],
            "y": points[0][1],
            "from": self.end(el.get("startBinding"), points[0]),
            "to": self.end(el.get("endBinding"), points[-1]),
            "arrow": arrow.get((start, end), "none"),
            "dashed": el.get("strokeStyle") in ("dashed", "dotted"),
            "text": label,
        }
        obj["color"] = self.f.colour(el.get("strokeColor")) or "#1f2937"
        return obj

    def end(self, binding: Any, point: Point) -> dict[str, Any]:
        free = {"x": round(point[0], 3), "y": round(point[1], 3)}
        if not isinstance(binding, dict) or not isinstance(binding.get("elementId"), str):
            return free
        target = self.ids.get(binding["elementId"])
        if target is None:
            self.f.issues["lost_binding"] += 1
            return free
        return {"id": target}

    def image(self, el: dict[str, Any], where: str) -> dict[str, Any] | None:
        asset = self.asset(el.get("fileId"), where)
        if asset is None:
            return None
        scale = el.get("scale")
        if el.get("crop") or (isinstance(scale, list) and any(s != 1 for s in scale)):
            self.f.issues["image_crop"] += 1
        return {"kind": "image", **self.box(el, where), "asset": asset, "alt": ""}

    def asset(self, file_id: Any, where: str) -> str | None:
        """Decode and clean an embedded file once; None (and a note) when it is not shown."""
        if not isinstance(file_id, str):
            self.f.issues["image_missing"] += 1
            return None
        if file_id not in self.asset_ids:
            self.asset_ids[file_id] = self._decode(file_id)
        asset_id = self.asset_ids[file_id]
        if asset_id is None:
            self.f.issues[self.asset_skip[file_id]] += 1
        return asset_id

    def _decode(self, file_id: str) -> str | None:
        entry = self.files.get(file_id)
        url = entry.get("dataURL") if isinstance(entry, dict) else None
        match = _DATA_URL.match(url) if isinstance(url, str) else None
        if match is None or "base64" not in match.group(2):
            self.asset_skip[file_id] = "image_missing"
            return None
        declared = (match.group(1) or "").lower()
        if declared and declared not in ALLOWED_MIMES:
            self.asset_skip[file_id] = "image_type"
            return None
        place = f"files[{file_id!r}]"
        try:
            blob = base64.b64decode(match.group(3), validate=False)
        except (binascii.Error, ValueError):
            raise ValueError(f"{place}.dataURL: not valid base64") from None
        # The same check and re-encoding as an upload: type by content, pixel limit with
        # bomb warnings as errors, and no EXIF (phone photos carry GPS positions).
        try:
            image = clean_image(blob, max_pixels=self.max_image_pixels)
        except ValueError as exc:
            raise ValueError(f"{place}: {exc}") from None
        asset_id = self.f.new_id(file_id, prefix="f")
        self.assets[asset_id] = (image.mime, image.data)
        return asset_id


def _is_path(el: dict[str, Any]) -> bool:
    """Freedraw, and unbound lines of three or more points, keep their shape as paths."""
    if el["type"] == "freedraw":
        return True
    if el["type"] != "line" or el.get("startBinding") or el.get("endBinding"):
        return False
    points = el.get("points")
    return el.get("polygon") is True or (isinstance(points, list) and len(points) >= 3)


def _labels(live: list[tuple[int, dict[str, Any]]]) -> tuple[dict[str, str], set[str]]:
    """Texts bound to a shape or connector: container id -> label, and the text ids."""
    containers = {
        el["id"]: el
        for _, el in live
        if el["type"] in SHAPES or (el["type"] in ("arrow", "line") and not _is_path(el))
    }
    labels: dict[str, list[str]] = {}
    merged: set[str] = set()
    for _, el in live:
        container = el.get("containerId")
        if el["type"] == "text" and isinstance(container, str) and container in containers:
            raw = el.get("originalText")
            if not isinstance(raw, str):
                raw = el.get("text")
            labels.setdefault(container, []).append(raw if isinstance(raw, str) else "")
            merged.add(el["id"])
    joined = {
        cid: "\n".join(t for t in texts if isinstance(t, str)) for cid, texts in labels.items()
    }
    return joined, merged


def parse_excalidraw(data: bytes, *, max_bytes: int, max_image_pixels: int) -> ParsedBoard:
    """Check and convert an Excalidraw scene; raise ValueError naming the bad place."""
    elements, files, name = _scene(load_json(data, max_bytes, "Excalidraw"))
    run = _Import(files, max_image_pixels)
    f = run.f
    live = [(i, el) for i, el in enumerate(elements) if el.get("isDeleted") is not True]
    labels, merged = _labels(live)
    count = len(elements)
    linear = []
    # Pass 1: everything an arrow can bind to, so that bindings resolve in pass 2.
    for i, el in live:
        kind, where = el["type"], f"elements[{i}]"
        label = f.text(labels.get(el["id"], ""), MAX_TEXT)
        if kind in SHAPES:
            obj, transparent = run.shape(el, where, label)
            f.issues["transparent_fill"] += transparent
            run.add(i, el, obj, i - count if transparent else i)
        elif kind == "text" and el["id"] in merged:
            run.merged += 1
        elif kind == "text":
            f.issues["free_label"] += isinstance(el.get("containerId"), str)
            run.add(i, el, run.text(el, where), i)
        elif kind in FRAMES:
            title = f.text(el.get("name") or "", MAX_TITLE)
            obj = {"kind": "frame", **run.box(el, where), "title": title}
            run.add(i, el, obj, i - 2 * count)
        elif kind == "image":
            picture = run.image(el, where)
            if picture is None:
                run.skipped[kind] += 1
            else:
                run.add(i, el, picture, i)
        elif kind in ("arrow", "line", "freedraw"):
            linear.append((i, el))
        else:
            f.issues["unknown_type"] += 1
            run.skipped[kind] += 1
    # An arrow bound to a label binds to the label's container, which is the object now.
    for _, el in live:
        if el["id"] in merged and el["id"] not in run.ids and el["containerId"] in run.ids:
            run.ids[el["id"]] = run.ids[el["containerId"]]
    # Pass 2: paths and connectors, now that every binding target has its id.
    for i, el in linear:
        where = f"elements[{i}]"
        points = f.points(el, where)
        if _is_path(el):
            run.add(i, el, run.path(el, where, points), i)
        else:
            label = f.text(labels.get(el["id"], ""), MAX_TEXT)
            run.add(i, el, run.connector(el, where, points, label), i)

    run.objects.sort(key=lambda item: (item[0], item[1]))
    seen = Counter(el["type"] for _, el in live)
    report = {
        "source": "excalidraw",
        "elements": dict(seen),
        "deleted": count - len(live),
        "imported": dict(run.imported),
        "merged": {"text": run.merged} if run.merged else {},
        "skipped": dict(run.skipped),
        "assets": len(run.assets),
        "notes": [NOTES[key].format(n=n) for key, n in sorted(f.issues.items()) if n],
    }
    title = f.text(name, MAX_TITLE)
    return ParsedBoard(title, {}, [obj for *_, obj in run.objects], run.assets, report)
