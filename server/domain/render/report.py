"""The session report: one PDF a facilitator can put in the course report.

Cover page (title, date, a picture of the board, the agenda), the whole board, then per
frame its picture and what people wrote there as plain text: notes and free texts,
grouped by zone (the smallest locked shape around them). Vote totals appear only when
a vote was closed on the board (`board["voted"]`) and only in the sections whose notes
got votes; there zones and notes are ranked by votes, elsewhere they keep the board's
reading order. Template labels (locked texts
and shapes) are left out. Text is laid out with the same wrapping as the board, in the
shipped fonts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from fpdf import FPDF

from .. import geometry
from . import cover, layout
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
        "agenda": "Agenda",
        "minutes": "min",
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
        "agenda": "Agenda",
        "minutes": "min",
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
        "agenda": "Agenda",
        "minutes": "min",
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


def is_written(obj: Mapping[str, Any]) -> bool:
    """What people wrote: notes, and free texts and shapes with text that are not locked
    (locked ones are the template's labels and zones)."""
    kind = obj.get("kind")
    if kind == "note":
        return True
    return kind in ("text", "shape") and not obj.get("locked") and bool(obj.get("text"))


def _reading_order(obj: Mapping[str, Any]) -> tuple[float, float, str]:
    return float(obj.get("y") or 0), float(obj.get("x") or 0), str(obj.get("id"))


def _notes_section(
    writer: _Writer,
    title: str,
    items: list[dict[str, Any]],
    objects: list[dict[str, Any]],
    votes: Mapping[str, int] | None,
    labels: Mapping[str, str],
) -> None:
    """Notes and texts grouped by zone. With `votes` (a vote was closed) zones and notes
    are ranked by votes, then by text; without, in reading order and with no counts."""
    groups: dict[str, list[dict[str, Any]]] = {}
    where: dict[str, tuple[float, float, str]] = {}
    for item in items:
        zone = geometry.zone_of(item, objects)
        name = (zone.get("text") or "").strip() if zone else ""
        groups.setdefault(name or labels["no_zone"], []).append(item)
        if name and name not in where:
            where[name] = _reading_order(zone or {})
    writer.page()
    writer.write(f"{title} \u2013 {labels['notes']}", 18, bold=True, gap=10)

    def count(item: Mapping[str, Any]) -> int:
        return int((votes or {}).get(item["id"], 0) or 0)

    def total(name: str) -> int:
        return sum(count(n) for n in groups[name])

    last = (float("inf"), float("inf"), "")
    if votes is not None:
        order = sorted(groups, key=lambda g: (-total(g), g))
    else:
        order = sorted(groups, key=lambda g: (where.get(g, last), g))
    for name in order:
        heading = f"{name} ({_votes_label(total(name), labels)})" if votes is not None else name
        writer.write(heading, 13, bold=True, gap=4)
        if votes is not None:
            ranked = sorted(groups[name], key=lambda n: (-count(n), n.get("text", "")))
        else:
            ranked = sorted(groups[name], key=_reading_order)
        for item in ranked:
            text = " ".join((item.get("text") or "").split()) or "\u2013"
            n = count(item)
            if votes is not None and (item.get("kind") == "note" or n):
                text += f"  [{_votes_label(n, labels)}]"
            writer.write(f"\u2022 {text}", 11, indent=12, gap=3)
        writer.y += 8


def _voted_here(
    votes: Mapping[str, int] | None, items: list[dict[str, Any]]
) -> Mapping[str, int] | None:
    """The totals for one section, or None where the vote did not reach (a map next to
    the voted idea session lists no "0 votes")."""
    if votes is None or not any(votes.get(item["id"]) for item in items):
        return None
    return votes


def _cover(
    pdf: FPDF,
    writer: _Writer,
    board: dict[str, Any],
    scene: Any,
    assets: Mapping[str, tuple[str, bytes]] | None,
    participants: Sequence[str] | None,
    when: dt.date,
    labels: Mapping[str, str],
    lang: str,
) -> None:
    """Title, date, names (only if given), the board as a picture, the agenda."""
    writer.page()
    writer.write(str(board.get("title") or labels["untitled"]), 26, bold=True, gap=8)
    writer.write(f"{labels['date']}: {cover.long_date(when, lang)}", 13, color=MUTED, gap=6)
    names = cover.names_line(participants)
    if names:
        writer.write(f"{labels['participants']}: {names}", 12, color=MUTED, gap=6)
    png = cover.board_png(scene)
    if png is not None:
        writer.y += 8
        writer.y += cover.place_picture(pdf, png, MARGIN, writer.y, PORTRAIT[0] - 2 * MARGIN)
        writer.y += 18
    steps = cover.agenda_lines(board.get("settings") or {}, labels["minutes"])
    if steps:
        writer.write(labels["agenda"], 14, bold=True, gap=6)
        for line in steps:
            writer.write(line, 11, indent=12, gap=3)


def render_report(
    board: dict[str, Any],
    *,
    assets: Mapping[str, tuple[str, bytes]] | None = None,
    participants: Sequence[str] | None = None,
    date: dt.date | None = None,
    lang: str = "nb",
) -> bytes:
    """The session report as PDF bytes (participants' names only if given).

    `board["voted"]` says whether a vote was closed on the board; without it, totals
    show when `board["votes"]` has any.
    """
    labels = {**LABELS["nb"], **LABELS.get(lang, {})}  # per label: missing ones in bokmål
    objects = layout.visible_objects(board)
    found = board.get("votes") or {}
    votes = found if board.get("voted", bool(found)) else None
    title = str(board.get("title") or labels["untitled"])
    pdf = new_document(title)
    writer = _Writer(pdf)
    whole = layout.build_scene(board, assets=assets)
    when = date or dt.date.today()
    _cover(pdf, writer, board, whole, assets, participants, when, labels, lang)
    _picture_page(pdf, f"{title} \u2013 {labels['board']}", whole)

    frames = sorted(
        (o for o in objects if o["kind"] == "frame"),
        key=lambda f: (float(f["y"]), float(f["x"]), f["id"]),
    )
    written = [o for o in objects if is_written(o)]
    by_frame: dict[str | None, list[dict[str, Any]]] = {}
    for item in written:
        home = geometry.frame_of(item, frames)
        by_frame.setdefault(home["id"] if home else None, []).append(item)
    for frame in frames:
        name = (frame.get("title") or "").strip() or labels["untitled"]
        _picture_page(pdf, name, layout.build_scene(board, frame=frame["id"], assets=assets))
        if by_frame.get(frame["id"]):
            items = by_frame[frame["id"]]
            _notes_section(writer, name, items, objects, _voted_here(votes, items), labels)
    if by_frame.get(None):
        items = by_frame[None]
        _notes_section(writer, labels["outside"], items, objects, _voted_here(votes, items), labels)
    return bytes(pdf.output())
