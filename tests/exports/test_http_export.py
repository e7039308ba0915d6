"""Exports over the real server: PNG pixels, SVG text, PDF text, CSV, Canvas, report."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pypdf
from PIL import Image

from tests.exports.helpers import NOTES, PADDING, PNG_SIZE, auth, get, known_board
from tests.support.servers import LiveServer

SVG_NS = "{http://www.w3.org/2000/svg}"


def _hex(color: str) -> tuple[int, int, int]:
    return tuple(int(color[i : i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


async def test_png_has_the_expected_size_and_each_note_colour_at_its_place(
    db_server: LiveServer,
) -> None:
    board = await known_board(db_server)
    reply = await get(
        db_server, f"/api/boards/{board['id']}/export.png?padding={PADDING}", headers=auth(board)
    )
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"] == "image/png"
    assert reply.headers["content-disposition"] == (
        'attachment; filename="Samskaping-pa-Al-bibliotek.png"'
    )
    assert reply.headers["cache-control"] == "no-store"
    image = Image.open(io.BytesIO(reply.content)).convert("RGB")
    assert image.size == PNG_SIZE
    left, top = PADDING, PADDING + 30  # the frame title takes 30 px above y = 0
    for note in NOTES.values():
        spot = (left + note["x"] + 20, top + note["y"] + 20)  # inside the note, off its text
        assert image.getpixel(spot) == _hex(note["color"]), note


async def test_png_of_one_frame_at_scale_two_without_background(live_server: LiveServer) -> None:
    board = await known_board(live_server)
    reply = await get(
        live_server,
        f"/api/boards/{board['id']}/export.png?frame=f1&scale=2&padding=0&background=0",
        headers=auth(board),
    )
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-disposition"].endswith('-Idemyldring.png"')
    image = Image.open(io.BytesIO(reply.content))
    assert image.size == (2000, 1260)
    assert image.mode == "RGBA" and image.getpixel((1, 1))[3] == 0  # above the frame: clear
    # n5 lies outside the frame, so its magenta is nowhere in the picture.
    assert (255, 0, 255) not in {c for _, c in image.convert("RGB").getcolors(1 << 20)}


async def test_svg_parses_and_holds_every_note_text_as_text(live_server: LiveServer) -> None:
    board = await known_board(live_server)
    reply = await get(live_server, f"/api/boards/{board['id']}/export.svg", headers=auth(board))
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("image/svg+xml")
    assert "sandbox" in reply.headers["content-security-policy"]
    root = ET.fromstring(reply.content)
    texts = " ".join("".join(t.itertext()) for t in root.iter(f"{SVG_NS}text"))
    flat = " ".join(texts.split())
    for note in NOTES.values():
        for word in note["text"].split():
            assert word in flat, word
    assert "<script>alert(1)</script>" in flat
    # The markup is only ever text: no element of those names exists, the raw bytes are escaped.
    assert not [el for el in root.iter() if el.tag.split("}")[-1] in ("script", "b")]
    assert b"<script>" not in reply.content and b"&lt;script&gt;" in reply.content


async def test_pdf_opens_with_the_notes_as_text(live_server: LiveServer) -> None:
    board = await known_board(live_server)
    reply = await get(live_server, f"/api/boards/{board['id']}/export.pdf", headers=auth(board))
    assert reply.status_code == 200
    assert reply.headers["content-type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(reply.content))
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    for word in ("Blåbærsyltetøy", "<script>alert(1)</script>", "Idémyldring", "ærlig"):
        assert word in text


async def test_csv_round_trips_with_norwegian_letters_authors_and_frames(
    db_server: LiveServer,
) -> None:
    board = await known_board(db_server)
    path = f"/api/boards/{board['id']}/export.csv"
    reply = await get(db_server, path + "?names=1", headers=auth(board, "facilitator"))
    assert reply.status_code == 200
    assert reply.headers["content-type"] == "text/csv; charset=utf-8"
    assert reply.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(reply.content.decode("utf-8-sig"), newline="")))
    by_id = {row["id"]: row for row in rows}
    assert set(by_id) == {*NOTES, "t1"}
    assert by_id["n1"]["text"] == NOTES["n1"]["text"]
    assert by_id["n1"]["frame"] == "Idémyldring" and by_id["n5"]["frame"] == ""
    assert by_id["n4"]["text"] == "'=SUM(A1:A2) ÆØÅ"  # formula guard
    assert by_id["n1"]["author"] == "Kari Nordmann" and by_id["n3"]["author"] == "Ola Ås"
    assert by_id["n1"]["colour"] == "#ff0000" and by_id["n1"]["votes"] == "0"
    assert by_id["n1"]["created"].endswith("Z") and by_id["n1"]["created"][:2] == "20"
    # Names only when the facilitator asks: never by default, never for other links.
    plain = await get(db_server, path, headers=auth(board, "facilitator"))
    assert b"Kari" not in plain.content and b"Ola" not in plain.content
    for role in ("participant", "viewer"):
        asked = await get(db_server, path + "?names=1", headers=auth(board, role))
        assert asked.status_code == 403 and asked.json()["error"] == "forbidden"
        without = await get(db_server, path, headers=auth(board, role))
        assert b"Kari" not in without.content


async def test_canvas_export_is_json_canvas(live_server: LiveServer) -> None:
    board = await known_board(live_server)
    reply = await get(live_server, f"/api/boards/{board['id']}/export.canvas", headers=auth(board))
    assert reply.status_code == 200
    assert reply.headers["content-disposition"].endswith('.canvas"')
    doc = json.loads(reply.content)
    kinds = [node["type"] for node in doc["nodes"]]
    assert kinds.count("group") == 1 and kinds.count("text") == 7
    assert [(e["fromNode"], e["toNode"]) for e in doc["edges"]] == [("n1", "n2")]


async def test_report_with_and_without_names(live_server: LiveServer) -> None:
    board = await known_board(live_server)
    path = f"/api/boards/{board['id']}/report.pdf"
    asked = await get(live_server, path + "?names=1", headers=auth(board, "participant"))
    assert asked.status_code == 403  # names only when the facilitator asks
    plain = await get(live_server, path, headers=auth(board, "participant"))
    named = await get(live_server, path + "?names=1&lang=en", headers=auth(board, "facilitator"))
    assert plain.status_code == named.status_code == 200, plain.text
    assert plain.headers["content-disposition"].endswith('-rapport.pdf"')
    assert named.headers["content-disposition"].endswith('-report.pdf"')
    first = pypdf.PdfReader(io.BytesIO(plain.content)).pages[0].extract_text()
    assert "Kari" not in first
    reader = pypdf.PdfReader(io.BytesIO(named.content))
    title_page = " ".join(reader.pages[0].extract_text().split())
    assert "Kari Nordmann, Ola Ås" in title_page
    everything = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    assert "Blåbærsyltetøy" in everything and len(reader.pages) >= 3


async def test_report_needs_more_than_a_viewer_link(live_server: LiveServer) -> None:
    board = await known_board(live_server)
    reply = await get(live_server, f"/api/boards/{board['id']}/report.pdf", headers=auth(board))
    assert reply.status_code == 403 and reply.json()["error"] == "forbidden"
