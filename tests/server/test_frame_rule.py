"""F1, the frame rule, in the domain: the shared table tests/data/frame_rule.json.

The same table runs against the page's web/js/frames.js in tests/js/frame_rule.test.mjs,
so the server (breakout copies, CSV, report) and the page (dragging a frame, the outline,
export) give one answer to "what is inside this frame".
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from server.domain.geometry import frame_contents, frame_of

TABLE = json.loads(
    (Path(__file__).resolve().parents[1] / "data" / "frame_rule.json").read_text(encoding="utf-8")
)
CASES: list[dict[str, Any]] = TABLE["cases"]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_f1_frame_of(case: dict[str, Any]) -> None:
    objects = case["objects"]
    by_id = {o["id"]: o for o in objects}
    for object_id, expected in case["frame_of"].items():
        found = frame_of(by_id[object_id], objects)
        assert (found["id"] if found else None) == expected, object_id


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_f1_frame_contents(case: dict[str, Any]) -> None:
    objects = case["objects"]
    by_id = {o["id"]: o for o in objects}
    for frame_id, expected in case["contents"].items():
        found = frame_contents(by_id[frame_id], objects)
        assert found[0] is by_id[frame_id]
        assert sorted(o["id"] for o in found[1:]) == sorted(expected), frame_id


def test_f1_table_covers_the_named_cases() -> None:
    names = " ".join(c["name"] for c in CASES)
    for topic in ("nested", "rotated", "touching edges", "connectors", "pen strokes"):
        assert topic in names
