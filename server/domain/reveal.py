"""Where revealed private notes go, so none hides another (rule F5).

People writing alone tend to click the same spot (the "Unsorted" tray), so their private
notes pile up. At `reveal` each author's notes are laid out together, top to bottom in a
column, in the zone (a locked shape, else a frame) where they were written; an author
whose notes do not fit below the previous one starts the next column, and columns wrap
into a new band below only when the zone is full. A slot that would cover a note
already on the board (or one just placed) is skipped. Pure: objects in, positions out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .geometry import Box, center, contains, rect, zone_of

Obj = Mapping[str, Any]

GAP = 16  # between revealed notes
PAD = 20  # from the zone's edge
LABEL = 64  # a zone's name is drawn at its top: the first row starts below it
FRAME_TITLE = 8  # a frame draws its title above its box
FREE_COLUMNS = 6  # outside any zone: columns per band
COVERED = ("note", "shape", "text", "image")  # what a revealed note must not hide


def home(obj: Obj, objects: list[Obj]) -> Obj | None:
    """The zone a note was written in: the smallest locked shape, else the smallest frame."""
    zone = zone_of(obj, objects)
    if zone is not None:
        return zone
    point = center(obj)
    frames = [f for f in objects if f.get("kind") == "frame" and contains(rect(f), point)]
    return min(
        frames, key=lambda f: (rect(f)[2] - rect(f)[0]) * (rect(f)[3] - rect(f)[1]), default=None
    )


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _area_for(zone: Obj | None, notes: list[Obj]) -> tuple[float, float, float, float | None]:
    """(left, top, right, bottom or None): the zone's inside, or where the notes are."""
    if zone is None:
        left = min(float(n["x"]) for n in notes)
        top = min(float(n["y"]) for n in notes)
        width = max(float(n["w"]) for n in notes) + GAP
        return left, top, left + FREE_COLUMNS * width, None
    x0, y0, x1, y1 = rect(zone)
    label = LABEL if zone.get("kind") == "shape" else FRAME_TITLE
    return x0 + PAD, y0 + label, x1 - PAD, y1 - PAD


def _place_group(
    zone: Obj | None, notes: list[Obj], taken: list[Box]
) -> dict[str, tuple[int, int]]:
    left, top, right, bottom = _area_for(zone, notes)
    w = max(float(n["w"]) for n in notes)
    h = max(float(n["h"]) for n in notes)
    pitch_x, pitch_y = w + GAP, h + GAP
    columns = max(1, int((right - left + GAP) // pitch_x))
    rows = max(1, int((bottom - top + GAP) // pitch_y)) if bottom is not None else 8
    # Authors in the order they wrote (the first note's place, top-left first), each
    # author's notes top to bottom as they lay.
    by_author: dict[str, list[Obj]] = {}
    for n in sorted(notes, key=lambda n: (float(n["y"]), float(n["x"]), n["id"])):
        by_author.setdefault(str(n.get("owner", "")), []).append(n)

    placed: dict[str, tuple[int, int]] = {}
    column = 0  # the running column over all bands

    def slot(col: int, row: int) -> tuple[float, float]:
        band, c = divmod(col, columns)
        return left + c * pitch_x, top + band * rows * pitch_y + row * pitch_y

    row = 0
    for author_notes in by_author.values():
        # An author's notes stay together: a new column when theirs do not fit below.
        if row > 0 and row + len(author_notes) > rows:
            column, row = column + 1, 0
        for note in author_notes:
            while True:
                if row >= rows:
                    column, row = column + 1, 0
                x, y = slot(column, row)
                box = (x, y, x + float(note["w"]), y + float(note["h"]))
                row += 1
                if not any(_overlaps(box, t) for t in taken):
                    break
            taken.append(box)
            placed[str(note["id"])] = (round(x), round(y))
    return placed


def tidy_positions(private: Iterable[Obj], board: Iterable[Obj]) -> dict[str, tuple[int, int]]:
    """New (x, y) for each private note: per zone, one column per author, nothing covered.

    `private` are the objects about to be revealed; `board` is everything on the board
    (private ones included or not). Objects other than notes keep their place.
    """
    notes = [o for o in private if o.get("kind") == "note" and "w" in o and "h" in o]
    moving = {str(n["id"]) for n in notes}
    others = [o for o in board if str(o.get("id")) not in moving]
    taken = [
        rect(o) for o in others if o.get("kind") in COVERED and not o.get("locked") and "w" in o
    ]
    groups: dict[str | None, list[Obj]] = {}
    zones: dict[str | None, Obj | None] = {None: None}
    for note in notes:
        zone = home(note, others)
        key = str(zone["id"]) if zone is not None else None
        zones[key] = zone
        groups.setdefault(key, []).append(note)
    placed: dict[str, tuple[int, int]] = {}
    for key in sorted(groups, key=lambda k: (k is None, k or "")):
        placed.update(_place_group(zones[key], groups[key], taken))
    return placed
