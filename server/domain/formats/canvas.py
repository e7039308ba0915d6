"""Export to JSON Canvas 1.0 (`.canvas`), the open format Obsidian and others read.

JSON Canvas knows text, file, link and group nodes and edges between nodes. Frames
become groups and notes, texts and shapes text nodes. A file node would point to a
path outside the `.canvas` file that does not exist on the reader's machine, so an
image becomes a text node with its alt text. What has no counterpart (freehand paths,
connectors with a free end) is counted in the report, never dropped silently.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from typing import Any, NamedTuple

IMAGE_PLACEHOLDER = "(image)"


class CanvasExport(NamedTuple):
    data: bytes
    report: dict[str, Any]


def _box(obj: Mapping[str, Any]) -> dict[str, int]:
    # The spec asks for integer pixels.
    return {
        "x": round(obj["x"]),
        "y": round(obj["y"]),
        "width": max(1, round(obj.get("w", 0))),
        "height": max(1, round(obj.get("h", 0))),
    }


def _node(obj: Mapping[str, Any]) -> dict[str, Any] | None:
    kind = obj["kind"]
    base = {"id": obj["id"], **_box(obj)}
    if kind == "frame":
        node = {**base, "type": "group", "color": obj["color"]}
        if obj.get("title"):
            node["label"] = obj["title"]
        return node
    if kind in ("note", "shape"):
        return {**base, "type": "text", "text": obj.get("text", ""), "color": obj["color"]}
    if kind == "text":
        # A text object's colour is its ink; as a node colour it would tint the card.
        return {**base, "type": "text", "text": obj.get("text", "")}
    if kind == "image":
        return {**base, "type": "text", "text": obj.get("alt") or IMAGE_PLACEHOLDER}
    return None


def _sides(a: Mapping[str, int], b: Mapping[str, int]) -> tuple[str, str]:
    """Sides facing each other, from the centres; readers draw the edge between them."""
    dx = (b["x"] + b["width"] / 2) - (a["x"] + a["width"] / 2)
    dy = (b["y"] + b["height"] / 2) - (a["y"] + a["height"] / 2)
    if abs(dx) >= abs(dy):
        return ("right", "left") if dx >= 0 else ("left", "right")
    return ("bottom", "top") if dy >= 0 else ("top", "bottom")


def _edge(obj: Mapping[str, Any], nodes: Mapping[str, dict[str, Any]]) -> dict[str, Any] | None:
    start, end = obj["from"], obj["to"]
    if start.get("id") not in nodes or end.get("id") not in nodes:
        return None
    from_node, to_node = nodes[start["id"]], nodes[end["id"]]
    from_side, to_side = _sides(from_node, to_node)
    arrow = obj.get("arrow", "end")
    edge = {
        "id": obj["id"],
        "fromNode": start["id"],
        "fromSide": from_side,
        "fromEnd": "arrow" if arrow in ("start", "both") else "none",
        "toNode": end["id"],
        "toSide": to_side,
        "toEnd": "arrow" if arrow in ("end", "both") else "none",
        "color": obj["color"],
    }
    if obj.get("text"):
        edge["label"] = obj["text"]
    return edge


def export_canvas(board: Mapping[str, Any]) -> CanvasExport:
    """Turn a board into `.canvas` bytes and a report of what could not be expressed.

    Nodes are ordered by z (the spec's array order is the z-order), groups first so they
    lie under their contents. Rotation is lost: the format has none.
    """
    objects = [obj for obj in board.get("objects", []) if obj.get("private") is not True]
    ordered = sorted(
        enumerate(objects),
        key=lambda item: (item[1]["kind"] != "frame", item[1].get("z", 0), item[0]),
    )
    nodes: dict[str, dict[str, Any]] = {}
    skipped: Counter[str] = Counter()
    exported: Counter[str] = Counter()
    rotated = 0
    for _, obj in ordered:
        node = _node(obj)
        if node is None:
            continue
        nodes[obj["id"]] = node
        exported[obj["kind"]] += 1
        rotated += obj.get("rotation", 0) != 0
    edges = []
    for obj in objects:
        kind = obj["kind"]
        if kind == "path":
            skipped["path"] += 1
        elif kind == "connector":
            edge = _edge(obj, nodes)
            if edge is None:
                skipped["connector"] += 1
            else:
                edges.append(edge)
                exported["connector"] += 1
    notes = []
    if skipped["path"]:
        notes.append(f"{skipped['path']} freehand drawing(s): JSON Canvas has no drawings")
    if skipped["connector"]:
        notes.append(
            f"{skipped['connector']} connector(s) with an end not attached to an exported "
            "object: JSON Canvas edges join two nodes"
        )
    if exported["image"]:
        notes.append(f"{exported['image']} image(s) became text nodes with their alt text")
    if rotated:
        notes.append(f"{rotated} rotated object(s) were exported unrotated")
    doc = {"nodes": list(nodes.values()), "edges": edges}
    report = {"exported": dict(exported), "skipped": dict(+skipped), "notes": notes}
    return CanvasExport(json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8"), report)
