"""CSV of notes: readable by the csv module and Excel, safe against formula injection."""

from __future__ import annotations

import codecs
import csv
import io

from server.domain.formats.csv_export import COLUMNS, notes_csv, safe_cell


def _rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_bom_header_and_norwegian_letters_round_trip(board):
    data = notes_csv(board)
    assert data.startswith(codecs.BOM_UTF8)
    reader = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    assert tuple(next(reader)) == COLUMNS
    rows = {row["id"]: row for row in _rows(data)}
    assert rows["note1"]["text"] == "Bibliotekarer på Ål"
    assert rows["text1"]["text"] == "'@frivillige + æøå ÆØÅ"
    assert rows["note3"]["text"] == "Utenfor\nramma"  # newlines survive quoting


def test_one_row_per_note_and_text_never_private(board):
    rows = _rows(notes_csv(board))
    assert sorted(row["id"] for row in rows) == ["note1", "note2", "note3", "text1"]
    assert "hemmelig" not in notes_csv(board).decode("utf-8-sig")


def test_frame_zone_colour_votes_and_meta(board):
    rows = {row["id"]: row for row in _rows(notes_csv(board))}
    note1 = rows["note1"]
    assert note1["frame"] == "Interessentkart"
    assert note1["zone"] == "Høy makt, høy interesse"
    assert note1["colour"] == "#fff59d"
    assert note1["votes"] == "3"
    assert note1["author"] == "Kari Nordmann"
    assert note1["created"] == "2026-03-01T10:00:00+00:00"
    assert note1["updated"] == "2026-03-01T10:05:00+00:00"
    assert rows["note2"]["zone"] == "Lav makt"
    assert rows["note3"]["frame"] == rows["note3"]["zone"] == ""
    assert rows["note3"]["votes"] == "0"
    assert rows["text1"]["zone"] == ""  # below both zones, inside the frame
    assert rows["text1"]["frame"] == "Interessentkart"


def test_zone_needs_a_locked_shape_and_private_frames_name_nothing(board):
    for obj in board["objects"]:
        if obj["id"] == "zoneA":
            obj["locked"] = False
        if obj["id"] == "frame1":
            obj["private"] = True
    rows = {row["id"]: row for row in _rows(notes_csv(board))}
    assert rows["note1"]["zone"] == ""
    assert rows["note1"]["frame"] == ""


def test_formula_cells_get_an_apostrophe(board):
    rows = {row["id"]: row for row in _rows(notes_csv(board))}
    assert rows["note2"]["text"] == '\'=HYPERLINK("http://x")'
    assert rows["text1"]["author"] == "'-Ola"
    for start in "=+-@\t\r":
        assert safe_cell(start + "x") == "'" + start + "x"
    assert safe_cell("#fff59d") == "#fff59d"
    assert safe_cell("vanlig tekst") == "vanlig tekst"
    assert safe_cell(3) == 3


def test_rows_grouped_by_frame_then_zone():
    objects = [
        {"id": "b", "kind": "note", "x": 0, "y": 500, "w": 10, "h": 10},
        {"id": "a", "kind": "note", "x": 0, "y": 100, "w": 10, "h": 10},
    ]
    assert [row["id"] for row in _rows(notes_csv({"objects": objects}))] == ["a", "b"]


def test_empty_board_has_only_the_header():
    data = notes_csv({"title": "Tom", "objects": []})
    assert data == codecs.BOM_UTF8 + (",".join(COLUMNS) + "\r\n").encode()


def test_locked_texts_are_template_labels_and_left_out(board):
    heading = {"id": "heading", "kind": "text", "x": 10, "y": 10, "w": 300, "h": 40}
    heading |= {"text": "Slik gjør vi det", "locked": True}
    locked_note = {"id": "pinned", "kind": "note", "x": 900, "y": 900, "w": 200, "h": 200}
    locked_note |= {"text": "Fastlåst lapp", "locked": True}
    board["objects"] += [heading, locked_note]
    ids = {row["id"] for row in _rows(notes_csv(board))}
    assert "heading" not in ids
    assert {"pinned", "text1"} <= ids  # a locked note and an unlocked text stay
