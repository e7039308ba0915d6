"""Shared test data for the format tests: a small workshop board and its images."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from server.domain.objects import validate_new
from tests.formats.images import png_bytes


@pytest.fixture
def board() -> dict:
    """A stakeholder map after a session: a frame, locked zones, notes, and the rest."""
    objects = [
        {
            "id": "frame1",
            "kind": "frame",
            "x": 0,
            "y": 0,
            "w": 1000,
            "h": 800,
            "title": "Interessentkart",
            "locked": True,
            "z": -10,
        },
        {
            "id": "zoneA",
            "kind": "shape",
            "x": 0,
            "y": 0,
            "w": 500,
            "h": 400,
            "locked": True,
            "text": "Høy makt, høy interesse",
            "color": "#e0f2fe",
            "z": -5,
        },
        {
            "id": "zoneB",
            "kind": "shape",
            "x": 500,
            "y": 0,
            "w": 500,
            "h": 400,
            "locked": True,
            "text": "Lav makt",
            "z": -5,
        },
        {
            "id": "note1",
            "kind": "note",
            "x": 50,
            "y": 50,
            "text": "Bibliotekarer på Ål",
            "color": "#fff59d",
            "z": 1,
        },
        {
            "id": "note2",
            "kind": "note",
            "x": 600,
            "y": 100,
            "w": 150,
            "h": 150,
            "text": '=HYPERLINK("http://x")',
            "color": "#f8bbd0",
            "z": 2,
        },
        {
            "id": "note3",
            "kind": "note",
            "x": 2000,
            "y": 2000,
            "text": "Utenfor\nramma",
            "z": 3,
            "rotation": 5,
        },
        {
            "id": "text1",
            "kind": "text",
            "x": 100,
            "y": 600,
            "text": "@frivillige + æøå ÆØÅ",
            "z": 4,
        },
        {
            "id": "secret",
            "kind": "note",
            "x": 60,
            "y": 60,
            "text": "hemmelig",
            "z": 5,
            "private": True,
        },
        {
            "id": "arrow1",
            "kind": "connector",
            "x": 0,
            "y": 0,
            "from": {"id": "note1"},
            "to": {"id": "note2"},
            "text": "påvirker",
            "z": 6,
        },
        {
            "id": "arrow2",
            "kind": "connector",
            "x": 0,
            "y": 0,
            "from": {"id": "note1"},
            "to": {"x": 900, "y": 900},
            "arrow": "both",
            "z": 7,
        },
        {
            "id": "arrow3",
            "kind": "connector",
            "x": 0,
            "y": 0,
            "from": {"id": "note1"},
            "to": {"id": "secret"},
            "z": 8,
        },
        {
            "id": "pen1",
            "kind": "path",
            "x": 10,
            "y": 700,
            "points": [[0, 0], [10, 5], [30, 2]],
            "z": 9,
        },
        {
            "id": "img1",
            "kind": "image",
            "x": 700,
            "y": 500,
            "w": 120,
            "h": 90,
            "asset": "a1",
            "alt": "Bilde av tavla",
            "z": 10,
        },
        {"id": "img2", "kind": "image", "x": 850, "y": 500, "asset": "a2", "z": 11},
        {"id": "secretimg", "kind": "image", "x": 0, "y": 0, "asset": "a3", "private": True},
    ]
    # As the board store holds them: validated, with defaults, "private" beside the fields.
    stored = []
    for obj in objects:
        clean = validate_new({k: v for k, v in obj.items() if k != "private"})
        stored.append({**clean, "private": True} if obj.get("private") else clean)
    return {
        "title": "Samskaping på biblioteket",
        "settings": {"locale": "nb", "voting": {"budget": 3}},
        "objects": stored,
        "votes": {"note1": 3, "note2": 1},
        "meta": {
            "note1": {
                "author": "Kari Nordmann",
                "created": "2026-03-01T10:00:00+00:00",
                "updated": "2026-03-01T10:05:00+00:00",
            },
            "text1": {
                "author": "-Ola",
                "created": "2026-03-01T10:01:00+00:00",
                "updated": "2026-03-01T10:01:00+00:00",
            },
        },
    }


@pytest.fixture
def assets() -> dict[str, tuple[str, bytes]]:
    jpeg = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(jpeg, "JPEG")
    return {
        "a1": ("image/png", png_bytes()),
        "a2": ("image/jpeg", jpeg.getvalue()),
        "a3": ("image/png", png_bytes(2, 2, "green")),
        "unused": ("image/png", png_bytes(1, 1)),
    }
