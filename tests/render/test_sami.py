"""Sámi text on a board survives every export.

Libraries in the Sámi language area write Northern Sámi (á č đ ŋ š ŧ ž), and Lule and
South Sámi add their own letters (Lule á ŋ and æ ø å / ä ö; South ï and æ ø å / ä ö).
These tests put such text in notes, frame titles, the board title and participants'
names and check that:

- the shipped fonts (web/fonts) have a real glyph for every character used, as
  HarfBuzz shapes it in the font the renderer picks for it (no .notdef, in regular and
  bold; also for text typed with combining accents, NFD);
- SVG carries the text unchanged, PNG draws a glyph (not the missing-glyph box) for
  every letter, and the text extracted back from the PDF and the session report equals
  what was written;
- CSV and the JSON backup give back exactly the same text.
"""

from __future__ import annotations

import csv
import io
import unicodedata
import xml.etree.ElementTree as ET
from typing import Any

import pytest
import uharfbuzz as hb
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from server.domain.formats import export_backup, notes_csv, parse_backup
from server.domain.render import text as tx
from server.domain.render.pdf import render_pdf
from server.domain.render.png import render_png
from server.domain.render.report import render_report
from server.domain.render.svg import render_svg

NORTHERN = "áčđŋšŧž ÁČĐŊŠŦŽ"
LULE = "áŋ ÁŊ æøå ÆØÅ äö ÄÖ"
SOUTH = "ïÏ æøå ÆØÅ äö ÄÖ"
ALPHABETS = {"northern": NORTHERN, "lule": LULE, "south": SOUTH}
# Notes as a library in Kautokeino, Karasjok, Tana or Porsanger might write them.
NOTES = [
    "Mii háliidit ođđa girjjiid mánáide",  # We want new books for the children
    "Čálli boahtá Guovdageidnui čakčat",  # A writer comes to Kautokeino in the autumn
    "Kárášjohka, Deatnu, Porsáŋgu, Unjárga",  # Karasjok, Tana, Porsanger, Nesseby
    "Ŧ ŧ Đ đ Ŋ ŋ Š š Ž ž Č č Á á",
    "Julevsámegiella: Ájluokta ja Divtasvuodna",  # Lule Sámi: Drag and Tysfjord
    "Åarjelsaemien gïele: Snåasa, Raarvihke",  # South Sámi: Snåsa, Røros
]
TITLE = "Sámi girjerádjobargu \u2013 Guovdageaidnu"
FRAME = "Ođđa jurdagat (Čoahkkin 2)"
PEOPLE = ["Máret Ánne Čuđe", "Ánte Ŋuvdi", "Siŋá Ŧuoŧŧu"]


def sami_board() -> dict[str, Any]:
    objects: list[dict[str, Any]] = [
        {"id": "f", "kind": "frame", "x": 0, "y": 0, "w": 2200, "h": 800, "title": FRAME},
    ]
    for i, text in enumerate(NOTES):
        objects.append(
            {
                "id": f"n{i}",
                "kind": "note",
                "x": 40,
                "y": 40 + 110 * i,
                "w": 2100,
                "h": 90,
                "text": text,
                "color": "#fff59d",
            }
        )
    objects.append(
        {"id": "note", "kind": "note", "x": 40, "y": 700, "w": 160, "h": 80,
         "text": "Ŋ", "color": "#fff59d"}
    )  # fmt: skip
    return {"title": TITLE, "objects": objects, "votes": {"note": 2}}


def _used_characters() -> str:
    text = "".join([*NOTES, TITLE, FRAME, *PEOPLE, *ALPHABETS.values()])
    return "".join(sorted({c for c in text if not c.isspace()}))


# --- fonts ----------------------------------------------------------------------------


@pytest.mark.parametrize("bold", [False, True], ids=["regular", "bold"])
@pytest.mark.parametrize("form", ["NFC", "NFD"])
def test_shipped_fonts_have_a_glyph_for_every_character_used(bold: bool, form: str) -> None:
    """Shape every run in the font the renderer picks for it: no .notdef (glyph 0)."""
    text = unicodedata.normalize(
        form, " ".join([*NOTES, TITLE, FRAME, *PEOPLE, *ALPHABETS.values()])
    )
    missing = []
    for run in tx.split_runs(text, bold=bold):
        face = hb.Face(hb.Blob.from_file_path(str(tx.font_path(run.font))))
        buf = hb.Buffer()
        buf.add_str(run.text)
        buf.guess_segment_properties()
        hb.shape(hb.Font(face), buf, {})
        for info in buf.glyph_infos:
            if info.codepoint == 0:
                missing.append((run.font, run.text[info.cluster : info.cluster + 1]))
    assert missing == []


def test_sami_letters_are_drawn_in_noto_sans_itself() -> None:
    """Not in a fallback font: a word keeps one typeface (and one set of metrics)."""
    for bold, key in ((False, "regular"), (True, "bold")):
        cmap = TTFont(tx.font_path(key), lazy=True).getBestCmap()
        assert [c for c in _used_characters() if ord(c) not in cmap] == []
        fonts = {run.font for run in tx.split_runs(" ".join(NOTES), bold=bold)}
        assert fonts == {key}


# --- exports --------------------------------------------------------------------------


def test_svg_carries_the_text_unchanged() -> None:
    svg = render_svg(sami_board())
    root = ET.fromstring(svg)
    lines = ["".join(el.itertext()) for el in root.iter("{http://www.w3.org/2000/svg}text")]
    for text in [*NOTES, FRAME]:
        assert text in lines, text


def _png_pixels(text: str) -> bytes:
    from PIL import Image

    board = {
        "title": "",
        "objects": [
            {"id": "t", "kind": "text", "x": 0, "y": 0, "w": 80, "h": 80, "text": text,
             "font_size": 48, "color": "#000000"},
        ],
    }  # fmt: skip
    image = Image.open(io.BytesIO(render_png(board, padding=0)))
    return image.convert("L").tobytes()


def test_png_draws_every_letter_not_a_missing_glyph_box() -> None:
    """Each letter drawn alone differs from the .notdef box (a private-use character
    no shipped font has), from nothing, and from its base letter without the mark."""
    tofu = _png_pixels("\ue000")
    blank = _png_pixels(" ")
    for char in _used_characters():
        pixels = _png_pixels(char)
        assert pixels != tofu and pixels != blank, f"{char!r} U+{ord(char):04X}"
        base = unicodedata.normalize("NFD", char)[0]
        if base != char and base.isalpha():
            assert pixels != _png_pixels(base), f"{char!r} drawn as {base!r}"


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_pdf_text_extracted_back_equals_the_input() -> None:
    extracted = _pdf_text(render_pdf(sami_board()))
    lines = [line.strip() for line in extracted.splitlines()]
    for text in [*NOTES, FRAME]:
        assert text in lines, (text, lines)


def test_report_text_extracted_back_equals_the_input() -> None:
    extracted = _pdf_text(render_report(sami_board(), participants=PEOPLE, lang="nn"))
    lines = [" ".join(line.split()) for line in extracted.splitlines()]
    assert f"{TITLE} \u2013 Heile tavla" in lines  # the title page wraps it; the heading not
    assert "Deltakarar: " + ", ".join(PEOPLE) in lines
    assert f"{FRAME} \u2013 Lappar" in lines
    for text in NOTES:
        assert f"\u2022 {text} [0 stemmer]" in lines, text
    assert "\u2022 Ŋ [2 stemmer]" in lines


def test_csv_gives_back_the_same_text() -> None:
    board = sami_board()
    data = notes_csv(board).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(data)))
    assert sorted(r["text"] for r in rows) == sorted([*NOTES, "Ŋ"])
    assert {r["frame"] for r in rows} == {FRAME}


def test_json_backup_gives_back_the_same_text() -> None:
    board = {**sami_board(), "settings": {"locale": "nn"}}
    parsed = parse_backup(export_backup(board, {}), max_bytes=10_000_000)
    assert parsed.title == TITLE
    texts = {o["id"]: o.get("text") or o.get("title") for o in parsed.objects}
    assert texts == {o["id"]: o.get("text") or o.get("title") for o in board["objects"]}


def test_nfd_text_round_trips_as_typed() -> None:
    """Text typed with combining accents is kept as typed (never normalised away)."""
    nfd = unicodedata.normalize("NFD", NOTES[0])
    assert nfd != NOTES[0]
    board = {"title": nfd, "objects": [{**sami_board()["objects"][1], "text": nfd}]}
    parsed = parse_backup(export_backup(board, {}), max_bytes=10_000_000)
    assert parsed.title == nfd and parsed.objects[0]["text"] == nfd
    svg_lines = ["".join(e.itertext()) for e in ET.fromstring(render_svg(board)).iter()]
    assert nfd in svg_lines
