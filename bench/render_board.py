"""Objects of a big course board in realistic proportions, for the render bench.

A board that collects several sessions is a grid of frames (one per exercise), each
holding about a hundred objects laid out the way people leave them: clusters of
sticky notes with a few to twenty-odd words, headings, shapes, connectors between
notes, freehand strokes of 20-120 points, and a couple of photos. Per 100 objects:
1 frame, 60 notes, 5 texts, 8 shapes, 10 connectors, 14 pen strokes, 2 images.
The same seed gives the same board, so runs compare.
"""

from __future__ import annotations

import math
import random
from typing import Any

FRAME_W, FRAME_H, GAP = 2400, 1600, 400
COLORS = ["#fff59d", "#ffcc80", "#f8bbd0", "#d1c4e9", "#b3e5fc", "#c5e1a5"]
INKS = ["#1f2937", "#c62828", "#1565c0", "#2e7d32"]
WORDS = [
    "bibliotek",
    "frivillig",
    "samskaping",
    "møteplass",
    "leksehjelp",
    "språkkafé",
    "idé",
    "kurs",
    "barn",
    "senior",
    "digital",
    "hjelp",
    "bøker",
    "lesing",
    "fellesskap",
    "åpent",
    "rom",
    "kaffe",
    "nabolag",
    "skole",
    "kommune",
    "prosjekt",
    "brukere",
    "tilbud",
    "arrangement",
    "verksted",
    "samarbeid",
    "lokale",
    "ønsker",
    "behov",
    "erfaring",
]
# Per frame of 100: (kind, count); the frame itself is the 100th.
MIX = (("note", 60), ("text", 5), ("shape", 8), ("connector", 10), ("path", 14), ("image", 2))


def _words(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(low, high)))


def _stroke(rng: random.Random) -> list[list[float]]:
    """A hand-drawn line: a wandering curve of 20-120 points, relative to its origin."""
    points, x, y, heading = [], 0.0, 0.0, rng.uniform(0, 2 * math.pi)
    for _ in range(rng.randint(20, 120)):
        heading += rng.uniform(-0.35, 0.35)
        x += 6 * math.cos(heading)
        y += 6 * math.sin(heading)
        points.append([round(x, 1), round(y, 1)])
    return points


def frame_objects(
    rng: random.Random, f: int, fx: float, fy: float, assets: list[str]
) -> list[dict[str, Any]]:
    """One exercise frame at (fx, fy) and about 99 objects inside it."""
    out: list[dict[str, Any]] = [
        {
            "id": f"f{f}",
            "kind": "frame",
            "x": fx,
            "y": fy,
            "w": FRAME_W,
            "h": FRAME_H,
            "z": 0,
            "title": f"Økt {f // 12 + 1}: {_words(rng, 2, 4)}",
        }
    ]
    notes: list[str] = []
    z = 1
    for kind, count in MIX:
        for k in range(count):
            oid = f"{kind[0]}{f}_{k}"
            base = {"id": oid, "kind": kind, "z": f * 100 + z}
            z += 1
            if kind == "note":
                # Clusters of 12 notes in a 4 x 3 block, five clusters per frame.
                cx, cy = fx + 80 + (k // 12) % 3 * 760, fy + 100 + (k // 36) * 720
                col, row = k % 12 % 4, k % 12 // 4
                x = cx + col * 170 + rng.uniform(-10, 10)
                y = cy + row * 170 + rng.uniform(-10, 10)
                text = _words(rng, 2, 24)
                out.append(
                    {
                        **base,
                        "x": x,
                        "y": y,
                        "w": 160,
                        "h": 160,
                        "text": text,
                        "color": rng.choice(COLORS),
                    }
                )
                notes.append(oid)
            elif kind == "text":
                out.append(
                    {
                        **base,
                        "x": fx + 60 + k * 460,
                        "y": fy + 30,
                        "w": 420,
                        "h": 50,
                        "text": _words(rng, 2, 5),
                        "font_size": 28,
                    }
                )
            elif kind == "shape":
                out.append(
                    {
                        **base,
                        "x": fx + 100 + k * 280,
                        "y": fy + FRAME_H - 260,
                        "w": 220,
                        "h": 130,
                        "shape": rng.choice(["rectangle", "ellipse", "diamond"]),
                        "text": _words(rng, 1, 3),
                    }
                )
            elif kind == "connector":
                a, b = rng.sample(notes, 2)
                out.append(
                    {**base, "x": 0, "y": 0, "from": {"id": a}, "to": {"id": b}, "arrow": "end"}
                )
            elif kind == "path":
                out.append(
                    {
                        **base,
                        "x": fx + rng.uniform(100, FRAME_W - 300),
                        "y": fy + rng.uniform(100, FRAME_H - 300),
                        "points": _stroke(rng),
                        "color": rng.choice(INKS),
                        "width": 3,
                    }
                )
            elif kind == "image" and assets:
                out.append(
                    {
                        **base,
                        "x": fx + FRAME_W - 520,
                        "y": fy + 120 + k * 420,
                        "w": 400,
                        "h": 300,
                        "asset": assets[(f + k) % len(assets)],
                        "alt": "Foto fra økta",
                    }
                )
    return out


def board(n: int, assets: list[str], seed: int = 7) -> list[dict[str, Any]]:
    """About n objects: n // 100 frames in a near-square grid (at least one)."""
    rng = random.Random(seed)
    frames = max(1, n // 100)
    cols = math.ceil(math.sqrt(frames * 1.5))
    out: list[dict[str, Any]] = []
    for f in range(frames):
        fx, fy = (f % cols) * (FRAME_W + GAP), (f // cols) * (FRAME_H + GAP)
        out.extend(frame_objects(rng, f, fx, fy, assets))
    return out[:n]


if __name__ == "__main__":
    # `python bench/render_board.py 10000 > board.json`: the objects as JSON (for
    # bench/store_rebuild.mjs), with four made-up asset ids for the photos.
    import json
    import sys

    json.dump(board(int(sys.argv[1]), [f"asset{i}" for i in range(4)]), sys.stdout)
