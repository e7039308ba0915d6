"""A busy sample board used by the render tests, the docs screenshots and the bench."""

from __future__ import annotations

import io
import random
from typing import Any

from PIL import Image

WORDS = [
    "bibliotek",
    "frivillig",
    "samskaping",
    "kurs",
    "idé",
    "møte",
    "bok",
    "lesing",
    "barn",
    "ungdom",
    "språk",
    "kafé",
    "digital",
    "hjelp",
    "nabolag",
    "arrangement",
    "partner",
    "kommune",
    "skole",
    "treff",
    "verksted",
    "læring",
    "fellesskap",
    "åpen",
    "rom",
    "ære",
    "øve",
    "trygg",
    "lokal",
    "samarbeid",
]
COLORS = ["#fff59d", "#ffcc80", "#a5d6a7", "#90caf9", "#f48fb1", "#ce93d8"]


def png_bytes(color: tuple[int, int, int], size: tuple[int, int] = (64, 48)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "PNG")
    return buf.getvalue()


def workshop_board() -> tuple[dict[str, Any], dict[str, tuple[str, bytes]]]:
    """A stakeholder grid and an idea frame, filled with notes, arrows and a drawing."""
    objs: list[dict[str, Any]] = [
        {
            "id": "f1",
            "kind": "frame",
            "x": 0,
            "y": 0,
            "w": 1000,
            "h": 760,
            "z": 0,
            "color": "#f3f4f6",
            "title": "Interessentkart \u2013 makt og interesse",
        },
        {
            "id": "f2",
            "kind": "frame",
            "x": 1100,
            "y": 0,
            "w": 760,
            "h": 760,
            "z": 0,
            "color": "#eef2ff",
            "title": "Idémyldring 💡",
        },
    ]
    zones = [
        ("Hold tilfreds", 20, 60),
        ("Samarbeid tett", 500, 60),
        ("Følg med", 20, 400),
        ("Hold informert", 500, 400),
    ]
    for i, (name, zx, zy) in enumerate(zones):
        objs.append(
            {
                "id": f"z{i}",
                "kind": "shape",
                "shape": "rectangle",
                "x": zx,
                "y": zy,
                "w": 480,
                "h": 340,
                "z": 1,
                "locked": True,
                "color": "#ffffff",
                "stroke": "#9ca3af",
                "text": name,
            }
        )
    notes = [
        ("n1", 40, 130, "#fff59d", "Kommunen 🏛️ eier lokalene", 0),
        ("n2", 260, 130, "#ffcc80", "Frivilligsentralen", 3),
        ("n3", 540, 130, "#a5d6a7", "Bibliotekarer som holder kurs hver uke og trenger hjelp", 5),
        ("n4", 760, 140, "#90caf9", "Språkkafé-deltakere (æøå ÆØÅ)", 1),
        ("n5", 40, 470, "#f48fb1", "Skolen", 0),
        ("n6", 540, 470, "#ce93d8", '<script>alert(1)</script> & "quotes"', 2),
        ("n7", 1140, 80, "#fff59d", "Lesesirkel for ungdom på fredager 📚", 4),
        ("n8", 1360, 80, "#a5d6a7", "Reparasjonskafé", 2),
        (
            "n9",
            1580,
            80,
            "#ffcc80",
            "Digital hjelp for seniorer med nettbank, BankID og "
            "helsenorge \u2013 en lang lapp som må krympe for å få plass",
            6,
        ),
        ("n10", 1140, 320, "#90caf9", "Kodeklubb ✔ ★ →", 0),
    ]
    for nid, x, y, color, text, _votes in notes:
        objs.append(
            {
                "id": nid,
                "kind": "note",
                "x": x,
                "y": y,
                "w": 200,
                "h": 200,
                "z": 5,
                "color": color,
                "text": text,
                "rotation": -3 if nid == "n8" else 0,
            }
        )
    objs += [
        {
            "id": "t1",
            "kind": "text",
            "x": 1360,
            "y": 330,
            "w": 460,
            "h": 80,
            "z": 6,
            "text": "Stem på de tre beste idéene!",
            "font_size": 28,
            "color": "#1f2937",
        },
        {
            "id": "s1",
            "kind": "shape",
            "shape": "ellipse",
            "x": 1380,
            "y": 430,
            "w": 200,
            "h": 120,
            "z": 6,
            "color": "#e0f2fe",
            "stroke": "#0369a1",
            "text": "Mål",
        },
        {
            "id": "s2",
            "kind": "shape",
            "shape": "diamond",
            "x": 1620,
            "y": 430,
            "w": 200,
            "h": 140,
            "z": 6,
            "color": "#fef3c7",
            "stroke": "#b45309",
            "text": "Beslutning",
        },
        {
            "id": "c1",
            "kind": "connector",
            "from": {"id": "n2"},
            "to": {"id": "n3"},
            "z": 7,
            "arrow": "end",
            "text": "støtter",
        },
        {
            "id": "c2",
            "kind": "connector",
            "from": {"id": "s1"},
            "to": {"id": "s2"},
            "z": 7,
            "arrow": "both",
            "dashed": True,
        },
        {
            "id": "c3",
            "kind": "connector",
            "from": {"id": "n5"},
            "to": {"x": 900, "y": 700},
            "z": 7,
            "arrow": "end",
            "color": "#dc2626",
        },
        {
            "id": "p1",
            "kind": "path",
            "x": 1150,
            "y": 600,
            "z": 8,
            "color": "#dc2626",
            "width": 4,
            "points": [[0, 40], [30, 0], [60, 40], [90, 0], [120, 40], [160, 10]],
        },
        {
            "id": "i1",
            "kind": "image",
            "x": 1660,
            "y": 600,
            "w": 160,
            "h": 120,
            "z": 6,
            "asset": "a1",
            "alt": "Bilde av biblioteket",
        },
        {
            "id": "i2",
            "kind": "image",
            "x": 1460,
            "y": 600,
            "w": 160,
            "h": 120,
            "z": 6,
            "asset": "missing",
            "alt": "Manglende bilde",
        },
        {
            "id": "secret",
            "kind": "note",
            "x": 800,
            "y": 470,
            "w": 160,
            "h": 160,
            "z": 5,
            "text": "HEMMELIG privat lapp",
            "private": True,
        },
    ]
    votes = {nid: v for nid, *_, v in notes if v}
    board = {"title": "Samskaping på biblioteket", "objects": objs, "votes": votes}
    return board, {"a1": ("image/png", png_bytes((30, 120, 200)))}


def big_board(n: int = 1000, seed: int = 1) -> tuple[dict[str, Any], dict[str, Any]]:
    """About n objects: mostly notes with 5-30 words, plus shapes, connectors, paths, images."""
    rnd = random.Random(seed)
    objs: list[dict[str, Any]] = []
    cols = 40
    note_ids = []
    for i in range(n):
        x, y = (i % cols) * 240, (i // cols) * 240
        roll = i % 10
        oid = f"o{i}"
        if roll < 6:
            text = " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(5, 30)))
            objs.append(
                {
                    "id": oid,
                    "kind": "note",
                    "x": x,
                    "y": y,
                    "w": 200,
                    "h": 200,
                    "color": rnd.choice(COLORS),
                    "text": text,
                    "z": 1,
                }
            )
            note_ids.append(oid)
        elif roll == 6:
            objs.append(
                {
                    "id": oid,
                    "kind": "shape",
                    "x": x,
                    "y": y,
                    "w": 200,
                    "h": 120,
                    "shape": rnd.choice(["rectangle", "ellipse", "diamond"]),
                    "text": rnd.choice(WORDS),
                    "z": 1,
                }
            )
        elif roll == 7 and len(note_ids) > 2:
            a, b = rnd.sample(note_ids, 2)
            objs.append(
                {
                    "id": oid,
                    "kind": "connector",
                    "from": {"id": a},
                    "to": {"id": b},
                    "arrow": "end",
                    "z": 2,
                }
            )
        elif roll == 8:
            pts = [[k * 4, 40 + 30 * ((k * 7919) % 13) / 13] for k in range(50)]
            objs.append({"id": oid, "kind": "path", "x": x, "y": y, "points": pts, "z": 2})
        else:
            objs.append(
                {
                    "id": oid,
                    "kind": "image",
                    "x": x,
                    "y": y,
                    "w": 200,
                    "h": 150,
                    "asset": f"a{i % 5}",
                    "z": 1,
                }
            )
    assets = {
        f"a{k}": ("image/png", png_bytes((40 * k, 100, 200 - 30 * k), (320, 240))) for k in range(5)
    }
    return {"title": "Bench board", "objects": objs}, assets
