"""The session report: one PDF a facilitator can put in the course report.

Title page, the whole board, then per frame its picture and its notes as plain text
grouped by zone (the smallest locked shape around a note) with vote totals, ranked.
Text is laid out with the same wrapping as the board, in the shipped fonts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from fpdf import FPDF

from .. import geometry
from . import layout
from . import text as tx
from .pdf import draw_parts, draw_scene, new_document

PORTRAIT = (595.28, 841.89)  # A4 in pt
LANDSCAPE = (841.89, 595.28)
MARGIN = 48.0
INK = "#111827"
MUTED = "#4b5563"

LABELS = {
    "nb": {
        "date": "Dato",
        "participants": "Deltakere",
        "board": "Hele tavla",
        "no_zone": "Uten sone",
        "outside": "Utenfor rammer",
        "votes": "stemmer",
        "vote": "stemme",
        "notes": "Lapper",
        "untitled": "Uten tittel",
    },
    "nn": {
        "date": "Dato",
        "participants": "Deltakarar",
        "board": "Heile tavla",
        "no_zone": "Utan sone",
        "outside": "Utanfor rammer",
        "votes": "stemmer",
        "vote": "stemme",
        "notes": "Lappar",
        "untitled": "Utan tittel",
    },
    "en": {
        "date": "Date",
        "participants": "Participants",
        "board": "Whole board",
        "no_zone": "No zone",
        "outside": "Outside frames",
        "votes": "votes",
        "vote": "vote",
        "notes": "Notes",
        "untitled": "Untitled",
    },
}


class _Writer:
    """Flowing text on portrait pages, with its own page breaks."""

    def __init__(self, pdf: FPDF) -> None:
        self.pdf = pdf
        self.y = PORTRAIT[1]  # forces a page on the first write

    def page(self) -> None:
        self.pdf.add_page(format=PORTRAIT)
        self.y = MARGIN

    def write(
        self,
        text: str,
        size: float,
        *,
        bold: bool = False,
        color: str = INK,
        indent: float = 0.0,
        gap: float = 4.0,
    ) -> None:
        width = PORTRAIT[0] - 2 * MARGIN - indent
        for line in tx.wrap_text(text, size, width, bold=bold):
            lh = tx.line_height(size)
            if self.y + lh > PORTRAIT[1] - MARGIN:
                self.page()
            box = (MARGIN + indent, self.y, width, lh)
            draw_parts(
                self.pdf,
                layout.text_lines([line], box, size, color, bold=bold, align="left", valign="top"),
            )
            self.y += lh
        self.y += gap


def _picture_page(pdf: FPDF, heading: str, scene: Any) -> None:
    pdf.add_page(format=LANDSCAPE)
    size = 18.0
    box = (MARGIN, MARGIN - 8, LANDSCAPE[0] - 2 * MARGIN, tx.line_height(size))
    first = tx.wrap_text(heading, size, box[2], bold=True)[0]
    draw_parts(
        pdf, layout.text_lines([first], box, size, INK, bold=True, align="left", valign="top")
    )
    top = MARGIN + 32
    avail_w, avail_h = LANDSCAPE[0] - 2 * MARGIN, LANDSCAPE[1] - top - MARGIN
    k = min(avail_w / scene.w, avail_h / scene.h)
    left = MARGIN + (avail_w - scene.w * k) / 2
    draw_scene(pdf, scene, left, top, k)


def _votes_label(n: int, labels: Mapping[str, str]) -> str:
    return f"{n} {labels['vote'] if n == 1 else labels['votes']}"


def _notes_section(
    writer: _Writer,
    title: str,
    notes: list[dict[str, Any]],
    objects: list[dict[str, Any]],
    votes: Mapping[str, int],
    labels: Mapping[str, str],
) -> None:
    """Notes grouped by zone; zones and notes ranked by votes, then by text."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for note in notes:
        zone = geometry.zone_of(note, objects)
        name = (zone.get("text") or "").strip() if zone else ""
        groups.setdefault(name or labels["no_zone"], []).append(note)
    writer.page()
    writer.write(f"{title} \u2013 {labels['notes']}", 18, bold=True, gap=10)

    def total(name: str) -> int:
        return sum(int(votes.get(n["id"], 0) or 0) for n in groups[name])

    for name in sorted(groups, key=lambda g: (-total(g), g)):
        writer.write(f"{name} ({_votes_label(total(name), labels)})", 13, bold=True, gap=4)
        ranked = sorted(
            groups[name], key=lambda n: (-int(votes.get(n["id"], 0) or 0), n.get("text", ""))
        )
        for note in ranked:
            n = int(votes.get(note["id"], 0) or 0)
            text = " ".join((note.get("text") or "").split()) or "\u2013"
            writer.write(f"\u2022 {text}  [{_votes_label(n, labels)}]", 11, indent=12, gap=3)
        writer.y += 8


def render_report(
    board: dict[str, Any],
    *,
    assets: Mapping[str, tuple[str, bytes]] | None = None,
    participants: Sequence[str] | None = None,
    date: dt.date | None = None,
    lang: str = "nb",
) -> bytes:
    """The session report as PDF bytes (participants' names only if given)."""
    labels = {**LABELS["nb"], **LABELS.get(lang, {})}  # per label: missing ones in bokmål
    objects = layout.visible_objects(board)
    votes = board.get("votes") or {}
    title = str(board.get("title") or labels["untitled"])
    pdf = new_document(title)
    writer = _Writer(pdf)

    writer.page()
    writer.y = PORTRAIT[1] / 3
    writer.write(title, 30, bold=True, gap=14)
    when = date or dt.date.today()
    writer.write(f"{labels['date']}: {when.isoformat()}", 13, color=MUTED, gap=10)
    if participants:
        names = ", ".join(" ".join(str(p).split()) for p in participants if str(p).strip())
        writer.write(f"{labels['participants']}: {names}", 12, color=MUTED)

    _picture_page(
        pdf, f"{title} \u2013 {labels['board']}", layout.build_scene(board, assets=assets)
    )

    frames = sorted(
        (o for o in objects if o["kind"] == "frame"),
        key=lambda f: (float(f["y"]), float(f["x"]), f["id"]),
    )
    notes = [o for o in objects if o["kind"] == "note"]
    by_frame: dict[str | None, list[dict[str, Any]]] = {}
    for note in notes:
        home = geometry.frame_of(note, frames)
        by_frame.setdefault(home["id"] if home else None, []).append(note)
    for frame in frames:
        name = (frame.get("title") or "").strip() or labels["untitled"]
        _picture_page(pdf, name, layout.build_scene(board, frame=frame["id"], assets=assets))
        if by_frame.get(frame["id"]):
            _notes_section(writer, name, by_frame[frame["id"]], objects, votes, labels)
    if by_frame.get(None):
        _notes_section(writer, labels["outside"], by_frame[None], objects, votes, labels)
    return bytes(pdf.output())
