"""Board export: SVG, PNG, PDF, session report, text layout and containment."""

from __future__ import annotations

import io
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pypdf
import pytest
from PIL import Image

sys.path.insert(0, str(Path(__file__).parent))

from sample import workshop_board

from server.domain import geometry
from server.domain.render import text as tx
from server.domain.render.pdf import render_pdf
from server.domain.render.png import render_png
from server.domain.render.report import render_report
from server.domain.render.svg import render_svg

SVG_NS = "{http://www.w3.org/2000/svg}"
XSS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "<svg onload=alert(1)>",
    "]]><script>x</script>",
    "&lt;b&gt; & <b>bold</b>",
]


def simple_board() -> dict:
    return {
        "title": "Kjent tavle",
        "objects": [
            {
                "id": "a",
                "kind": "note",
                "x": 0,
                "y": 0,
                "w": 200,
                "h": 200,
                "color": "#ff0000",
                "text": "",
            },
            {
                "id": "b",
                "kind": "note",
                "x": 300,
                "y": 0,
                "w": 200,
                "h": 200,
                "color": "#00ff00",
                "text": "",
            },
            {
                "id": "c",
                "kind": "note",
                "x": 0,
                "y": 300,
                "w": 200,
                "h": 200,
                "color": "#0000ff",
                "text": "",
            },
        ],
    }


def svg_texts(svg: str) -> list[str]:
    root = ET.fromstring(svg.encode())
    return ["".join(t.itertext()) for t in root.iter(f"{SVG_NS}text")]


def test_png_size_and_note_colours_at_their_place():
    png = render_png(simple_board(), padding=10, scale=2)
    img = Image.open(io.BytesIO(png)).convert("RGB")
    assert img.size == ((500 + 20) * 2, (500 + 20) * 2)
    # centre of each note: (board + padding) * scale
    assert img.getpixel(((100 + 10) * 2, (100 + 10) * 2)) == (255, 0, 0)
    assert img.getpixel(((400 + 10) * 2, (100 + 10) * 2)) == (0, 255, 0)
    assert img.getpixel(((100 + 10) * 2, (400 + 10) * 2)) == (0, 0, 255)
    assert img.getpixel(((400 + 10) * 2, (400 + 10) * 2)) == (255, 255, 255)


def test_png_without_background_is_transparent():
    img = Image.open(io.BytesIO(render_png(simple_board(), background=False)))
    assert img.mode == "RGBA"
    assert img.getpixel((2, 2))[3] == 0


def test_svg_parses_and_contains_every_note_text_escaped():
    board, assets = workshop_board()
    svg = render_svg(board, assets=assets)
    texts = " ".join(svg_texts(svg))
    for obj in board["objects"]:
        if obj["kind"] == "note" and not obj.get("private"):
            for word in obj["text"].split():
                assert word in texts, word
    assert "<script>" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg


def test_private_objects_are_never_exported():
    board, assets = workshop_board()
    assert "HEMMELIG" not in render_svg(board, assets=assets)
    reader = pypdf.PdfReader(io.BytesIO(render_pdf(board, assets=assets)))
    assert "HEMMELIG" not in reader.pages[0].extract_text()


def test_images_embedded_and_missing_asset_placeholder():
    board, assets = workshop_board()
    svg = render_svg(board, assets=assets)
    assert svg.count("data:image/png;base64,") == 1
    assert "Manglende bilde" in " ".join(svg_texts(svg))


def test_svg_image_assets_are_refused():
    board = {
        "title": "t",
        "objects": [
            {"id": "i", "kind": "image", "x": 0, "y": 0, "w": 50, "h": 50, "asset": "s", "alt": "x"}
        ],
    }
    evil = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
    svg = render_svg(board, assets={"s": ("image/svg+xml", evil)})
    assert "onload" not in svg and "data:image/svg" not in svg


@pytest.mark.parametrize("payload", XSS)
def test_xss_in_every_text_field_stays_text(payload):
    objs = [
        {"id": "n", "kind": "note", "x": 0, "y": 0, "w": 200, "h": 200, "text": payload},
        {"id": "t", "kind": "text", "x": 300, "y": 0, "w": 200, "h": 60, "text": payload},
        {"id": "s", "kind": "shape", "x": 0, "y": 300, "w": 200, "h": 120, "text": payload},
        {"id": "c", "kind": "connector", "from": {"id": "n"}, "to": {"id": "s"}, "text": payload},
        {
            "id": "i",
            "kind": "image",
            "x": 300,
            "y": 300,
            "w": 100,
            "h": 100,
            "asset": "zz",
            "alt": payload,
        },
        {
            "id": "f",
            "kind": "frame",
            "x": -50,
            "y": -50,
            "w": 700,
            "h": 600,
            "z": -1,
            "title": payload,
        },
    ]
    board = {"title": payload, "objects": objs}
    svg = render_svg(board)
    root = ET.fromstring(svg.encode())
    tags = {el.tag.removeprefix(SVG_NS) for el in root.iter()}
    assert tags <= {
        "svg",
        "title",
        "rect",
        "g",
        "text",
        "tspan",
        "ellipse",
        "polygon",
        "polyline",
        "path",
        "image",
    }
    for el in root.iter():
        for name, value in el.attrib.items():
            assert not name.lower().startswith("on")
            assert "javascript:" not in value.lower()
    assert not re.search(r"<script|<img|<svg onload", svg, re.I)
    compact = "".join("".join(svg_texts(svg)).split())
    assert "".join(payload.split())[:12] in compact
    pdf = pypdf.PdfReader(io.BytesIO(render_pdf(board)))
    assert len(pdf.pages) == 1


def test_pdf_has_pages_and_text():
    board, assets = workshop_board()
    reader = pypdf.PdfReader(io.BytesIO(render_pdf(board, assets=assets)))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    for word in ("Reparasjonskafé", "Frivilligsentralen", "<script>alert(1)</script>", "æøå"):
        assert word in text
    width = float(reader.pages[0].mediabox.width)
    assert 0 < width < 14_400


def test_pdf_page_stays_below_viewer_limit():
    board = {
        "title": "wide",
        "objects": [
            {"id": "a", "kind": "note", "x": 0, "y": 0, "w": 200, "h": 200},
            {"id": "b", "kind": "note", "x": 30_000, "y": 0, "w": 200, "h": 200},
        ],
    }
    reader = pypdf.PdfReader(io.BytesIO(render_pdf(board, scale=4)))
    assert float(reader.pages[0].mediabox.width) <= 14_400


def test_frame_export_keeps_frame_content_only():
    board, assets = workshop_board()
    svg = render_svg(board, frame="f2", padding=0, assets=assets)
    texts = " ".join(svg_texts(svg))
    assert "Reparasjonskafé" in texts and "Frivilligsentralen" not in texts
    root = ET.fromstring(svg.encode())
    assert float(root.get("width")) == 760
    assert float(root.get("height")) == 760 + geometry.FRAME_TITLE_SPACE
    png = Image.open(io.BytesIO(render_png(board, frame="f2", padding=0, assets=assets)))
    assert png.size == (760, 790)


@pytest.mark.parametrize("render", [render_svg, render_png, render_pdf])
def test_bad_frame_and_scale_are_value_errors(render):
    board, _ = workshop_board()
    with pytest.raises(ValueError, match="unknown frame"):
        render(board, frame="nope")
    with pytest.raises(ValueError, match="unknown frame"):
        render(board, frame="n1")  # a note is not a frame
    for scale in (0, -1, 9, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="scale"):
            render(board, scale=scale)


def test_too_large_image_is_refused():
    board = {
        "title": "big",
        "objects": [
            {"id": "a", "kind": "note", "x": 0, "y": 0, "w": 200, "h": 200},
            {"id": "b", "kind": "note", "x": 20_000, "y": 20_000, "w": 200, "h": 200},
        ],
    }
    with pytest.raises(ValueError, match="Mpx"):
        render_png(board, scale=1)


def test_connector_ends_on_box_edge():
    objs = [
        {"id": "a", "kind": "note", "x": 0, "y": 0, "w": 100, "h": 100},
        {"id": "b", "kind": "note", "x": 300, "y": 0, "w": 100, "h": 100},
        {"id": "c", "kind": "connector", "from": {"id": "a"}, "to": {"id": "b"}},
    ]
    ends = geometry.connector_ends(objs[2], {o["id"]: o for o in objs})
    assert ends == ((100.0, 50.0), (300.0, 50.0))


def test_frame_and_zone_of_pick_smallest_container():
    board, _ = workshop_board()
    objs = board["objects"]
    note = next(o for o in objs if o["id"] == "n3")
    assert geometry.frame_of(note, objs)["id"] == "f1"
    assert geometry.zone_of(note, objs)["text"] == "Samarbeid tett"
    loose = {"id": "x", "kind": "note", "x": 5000, "y": 5000, "w": 10, "h": 10}
    assert geometry.frame_of(loose, objs) is None and geometry.zone_of(loose, objs) is None
    assert geometry.bounds([]) is None


def test_text_wrapping_and_fitting():
    lines = tx.wrap_text("en to tre fire fem seks sju åtte ni ti", 20, 120)
    assert len(lines) > 1 and all(tx.text_width(s, 20) <= 120 for s in lines)
    assert tx.wrap_text("a\n\nb", 20, 500) == ["a", "", "b"]
    long = tx.wrap_text("x" * 200, 20, 100)
    assert "".join(long) == "x" * 200 and all(tx.text_width(s, 20) <= 100 for s in long)
    assert tx.text_width("Hei", 20, bold=True) > tx.text_width("Hei", 20)
    assert tx.line_height(20) == pytest.approx(26)
    assert tx.fits("Kort", 20, 200, 40) and not tx.fits("Kort tekst her", 20, 50, 30)
    # emoji sequences are never split across lines or runs
    runs = tx.split_runs("Hei 👨‍👩‍👧 🇳🇴")
    assert [r.text for r in runs if r.font == "emoji"] == ["👨‍👩‍👧", "🇳🇴"]


def test_report_pages_and_text():
    board, assets = workshop_board()
    pdf = render_report(board, assets=assets, participants=["Kari Nordmann"], lang="nb")
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    # title, whole board, frame 1 + its notes, frame 2 + its notes
    assert len(reader.pages) == 6
    text = [p.extract_text() for p in reader.pages]
    assert "Samskaping på biblioteket" in text[0] and "Kari Nordmann" in text[0]
    notes = text[3]
    assert notes.index("Samarbeid tett (6 stemmer)") < notes.index("Hold tilfreds (3 stemmer)")
    assert "Bibliotekarer som holder kurs hver uke og trenger hjelp [5 stemmer]" in notes
    assert "HEMMELIG" not in "".join(text)


def test_emoji_followed_by_text_renders():
    text = "Hei 👍🏽 familie 👨‍👩‍👧 flagg 🇳🇴🏳️‍🌈 ❤️ 1️⃣ ✔ ★ → tekst etter"
    board = {
        "title": "😀 emoji",
        "objects": [{"id": "n", "kind": "note", "x": 0, "y": 0, "w": 300, "h": 300, "text": text}],
    }
    img = Image.open(io.BytesIO(render_png(board)))
    assert img.size == (380, 380)
    assert "tekst etter" in " ".join(svg_texts(render_svg(board)))


def test_a_notes_party_tag_is_written_out() -> None:
    """Colour is never the only cue: the tag (initials of the party) is drawn as text."""
    from server.domain.render.svg import render_svg

    board = {
        "title": "t",
        "objects": [
            {
                "id": "n1",
                "kind": "note",
                "x": 0,
                "y": 0,
                "w": 200,
                "h": 200,
                "color": "#90caf9",
                "text": "Leselaget",
                "tag": "FRIV",
                "z": 0,
                "rotation": 0,
                "locked": False,
            }
        ],
    }
    svg = render_svg(board)
    assert "FRIV" in svg and "Leselaget" in svg
