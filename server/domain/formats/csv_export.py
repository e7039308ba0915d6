"""Notes and texts of a board as CSV, for follow-up work in a spreadsheet.

UTF-8 with a byte order mark, because Excel reads a CSV without one in the local code
page and turns æøå into mojibake. Cells that a spreadsheet would run as a formula get a
leading apostrophe (OWASP "CSV injection"): a participant's note must never execute.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import Any

from ..geometry import frame_of, zone_of

COLUMNS = ("id", "frame", "zone", "colour", "text", "votes", "author", "created", "updated")
EXPORTED_KINDS = ("note", "text")
# = + - @ start a formula in Excel, LibreOffice and Google Sheets; tab and CR can too.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Neutralise a cell that a spreadsheet would evaluate; numbers pass unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _label(found: Mapping[str, Any] | None, field: str) -> str:
    return "" if found is None else str(found.get(field, ""))


def _is_private(obj: Mapping[str, Any]) -> bool:
    return obj.get("private") is True


def notes_csv(board: Mapping[str, Any]) -> bytes:
    """One row per visible note and text object, in reading order per frame and zone.

    Locked text objects are left out: they are a template's labels and headings (what
    people wrote is notes and unlocked text), and would bury the notes in the sheet.

    `board` holds "objects" and optionally "votes" ({id: int}) and "meta"
    ({id: {"author", "created", "updated"}}). Private objects are left out, and are not
    used to name frames or zones either, so nothing of them leaks through a title.
    """
    objects = [obj for obj in board.get("objects", []) if not _is_private(obj)]
    # Only frames and locked shapes can contain a note; giving geometry just those
    # keeps the export fast on a 10,000-object board.
    frames = [obj for obj in objects if obj.get("kind") == "frame"]
    zones = [obj for obj in objects if obj.get("kind") == "shape" and obj.get("locked")]
    votes: Mapping[str, int] = board.get("votes") or {}
    meta: Mapping[str, Mapping[str, Any]] = board.get("meta") or {}
    rows = []
    for obj in objects:
        if obj.get("kind") not in EXPORTED_KINDS or (obj["kind"] == "text" and obj.get("locked")):
            continue
        info = meta.get(obj["id"]) or {}
        row = {
            "id": obj["id"],
            "frame": _label(frame_of(obj, frames), "title"),
            "zone": _label(zone_of(obj, zones), "text"),
            "colour": obj.get("color", ""),
            "text": obj.get("text", ""),
            "votes": int(votes.get(obj["id"], 0)),
            "author": info.get("author") or "",
            "created": info.get("created") or "",
            "updated": info.get("updated") or "",
        }
        rows.append((row["frame"], row["zone"], obj.get("y", 0), obj.get("x", 0), row))
    rows.sort(key=lambda item: (*item[:4], item[4]["id"]))

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for *_, row in rows:
        writer.writerow([safe_cell(row[column]) for column in COLUMNS])
    return out.getvalue().encode("utf-8-sig")
