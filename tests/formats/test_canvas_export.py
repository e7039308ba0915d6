"""JSON Canvas 1.0 export: the output keeps to the spec's structure.

SCHEMA is written from the JSON Canvas 1.0 spec (jsoncanvas.org/spec/1.0): integer
positions and sizes, the four node types with their required fields, edges that name
two nodes, sides and ends from the closed lists, and no fields the spec does not define.
"""

from __future__ import annotations

import json

import jsonschema
import pytest

from server.domain.formats.canvas import IMAGE_PLACEHOLDER, export_canvas

_BASE = {
    "id": {"type": "string", "minLength": 1},
    "x": {"type": "integer"},
    "y": {"type": "integer"},
    "width": {"type": "integer"},
    "height": {"type": "integer"},
    "color": {"$ref": "#/$defs/color"},
}
_REQUIRED = ["id", "type", "x", "y", "width", "height"]


def _node(kind: str, **fields) -> dict:
    return {
        "type": "object",
        "properties": {**_BASE, "type": {"const": kind}, **fields},
        "required": _REQUIRED + [k for k in fields if k in ("text", "file", "url")],
        "additionalProperties": False,
    }


_SIDE = {"enum": ["top", "right", "bottom", "left"]}
_END = {"enum": ["none", "arrow"]}
SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "properties": {
        "nodes": {"type": "array", "items": {"$ref": "#/$defs/node"}},
        "edges": {"type": "array", "items": {"$ref": "#/$defs/edge"}},
    },
    "additionalProperties": False,
    "$defs": {
        "color": {
            "oneOf": [
                {"type": "string", "pattern": "^#[0-9a-fA-F]{6}$"},
                {"type": "string", "enum": ["1", "2", "3", "4", "5", "6"]},
            ]
        },
        "node": {
            "oneOf": [
                _node("text", text={"type": "string"}),
                _node("file", file={"type": "string"}, subpath={"pattern": "^#"}),
                _node("link", url={"type": "string"}),
                _node(
                    "group",
                    label={"type": "string"},
                    background={"type": "string"},
                    backgroundStyle={"enum": ["cover", "ratio", "repeat"]},
                ),
            ]
        },
        "edge": {
            "type": "object",
            "properties": {
                "id": {"type": "string", "minLength": 1},
                "fromNode": {"type": "string"},
                "fromSide": _SIDE,
                "fromEnd": _END,
                "toNode": {"type": "string"},
                "toSide": _SIDE,
                "toEnd": _END,
                "color": {"$ref": "#/$defs/color"},
                "label": {"type": "string"},
            },
            "required": ["id", "fromNode", "toNode"],
            "additionalProperties": False,
        },
    },
}


def check_canvas(doc: dict) -> None:
    """The spec's structure, plus the rules a schema cannot say."""
    jsonschema.validate(doc, SCHEMA)
    node_ids = [node["id"] for node in doc["nodes"]]
    edge_ids = [edge["id"] for edge in doc["edges"]]
    assert len(set(node_ids + edge_ids)) == len(node_ids) + len(edge_ids), "ids are unique"
    for edge in doc["edges"]:
        assert edge["fromNode"] in node_ids and edge["toNode"] in node_ids


@pytest.fixture
def canvas(board):
    data, report = export_canvas(board)
    return json.loads(data), report


def test_output_keeps_to_the_spec(canvas):
    doc, _ = canvas
    check_canvas(doc)


def test_the_schema_catches_what_the_spec_forbids():
    bad = [
        {"nodes": [{"id": "a", "type": "text", "x": 1.5, "y": 0, "width": 1, "height": 1}]},
        {"nodes": [{"id": "a", "type": "note", "x": 1, "y": 0, "width": 1, "height": 1}]},
        {"edges": [{"id": "e", "fromNode": "a"}]},
        {"edges": [{"id": "e", "fromNode": "a", "toNode": "b", "toEnd": "triangle"}]},
    ]
    for doc in bad:
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(doc, SCHEMA)


def test_nodes_map_from_board_objects(canvas):
    doc, _ = canvas
    nodes = {node["id"]: node for node in doc["nodes"]}
    assert nodes["frame1"] == {
        "id": "frame1",
        "type": "group",
        "x": 0,
        "y": 0,
        "width": 1000,
        "height": 800,
        "color": "#f3f4f6",
        "label": "Interessentkart",
    }
    assert nodes["note1"]["type"] == "text"
    assert nodes["note1"]["text"] == "Bibliotekarer på Ål"
    assert nodes["note1"]["color"] == "#fff59d"
    assert nodes["zoneA"]["text"] == "Høy makt, høy interesse"
    assert nodes["zoneA"]["color"] == "#e0f2fe"
    assert "color" not in nodes["text1"]
    assert nodes["img1"]["text"] == "Bilde av tavla"
    assert nodes["img2"]["text"] == IMAGE_PLACEHOLDER
    assert "pen1" not in nodes
    assert "secret" not in nodes and "secretimg" not in nodes


def test_groups_first_then_z_order(canvas):
    doc, _ = canvas
    order = [node["id"] for node in doc["nodes"]]
    assert order[0] == "frame1"
    assert order.index("zoneA") < order.index("note1") < order.index("note2")


def test_connectors_between_nodes_become_edges_and_the_rest_is_reported(canvas):
    doc, report = canvas
    assert doc["edges"] == [
        {
            "id": "arrow1",
            "fromNode": "note1",
            "fromSide": "right",
            "fromEnd": "none",
            "toNode": "note2",
            "toSide": "left",
            "toEnd": "arrow",
            "color": "#1f2937",
            "label": "påvirker",
        }
    ]
    # arrow2 has a free end, arrow3 ends on a private note; the pen stroke has no node type.
    assert report["skipped"] == {"connector": 2, "path": 1}
    assert report["exported"]["connector"] == 1
    assert any("alt text" in note for note in report["notes"])
    assert any("unrotated" in note for note in report["notes"])


def test_empty_board():
    data, report = export_canvas({"title": "Tom", "objects": []})
    doc = json.loads(data)
    assert doc == {"nodes": [], "edges": []}
    check_canvas(doc)
    assert report["skipped"] == {}
