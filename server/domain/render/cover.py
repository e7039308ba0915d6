"""The report's cover page: title, date, a picture of the whole board, the agenda.

The picture is the PNG renderer's (at most PICTURE_PX a side), placed as one image:
a thumbnail that reads at a glance, while the next page carries the vector drawing.
It reuses the whole board's scene, and leaves out text that would be drawn under
MIN_TEXT_PX (grey specks no one reads, and most of resvg's time on a big board).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from collections.abc import Mapping, Sequence
from typing import Any

from fpdf import FPDF
from PIL import Image

from .png import scene_png
from .scene import Scene, TextLine

PICTURE_PX = 1200  # the PNG's longer side at most (the issue asks <= 1200 px wide)
MAX_SCALE = 2.0  # a small board is drawn sharper, never larger than this
PICTURE_MAX_H = 330.0  # pt on the A4 page; the agenda gets the rest
MIN_TEXT_PX = 3.0  # text smaller than this in the picture is left out

MONTHS = {
    "nb": "januar februar mars april mai juni juli august september oktober november desember",
    "nn": "januar februar mars april mai juni juli august september oktober november desember",
    "en": "January February March April May June July August September October November December",
}


def long_date(when: dt.date, lang: str) -> str:
    """'3. desember 2026' in Norwegian, '3 December 2026' in English."""
    month = MONTHS.get(lang, MONTHS["nb"]).split()[when.month - 1]
    return f"{when.day} {month} {when.year}" if lang == "en" else f"{when.day}. {month} {when.year}"


def board_png(scene: Scene) -> bytes | None:
    """The whole board's scene as PNG, at most PICTURE_PX a side; None if it cannot be
    drawn (the report still has the vector picture on the next page)."""
    scale = min(MAX_SCALE, PICTURE_PX / max(scene.w, 1.0), PICTURE_PX / max(scene.h, 1.0))
    drawings = [
        dataclasses.replace(
            d,
            parts=[
                p for p in d.parts if not (isinstance(p, TextLine) and p.size * scale < MIN_TEXT_PX)
            ],
        )
        for d in scene.drawings
    ]
    try:
        return scene_png(dataclasses.replace(scene, drawings=drawings), scale)
    except ValueError:
        return None


def agenda_lines(settings: Mapping[str, Any], minutes: str) -> list[str]:
    """'1. Think on your own (4 min)' per step of the board's agenda, if it has one."""
    steps = settings.get("agenda") if isinstance(settings, Mapping) else None
    out: list[str] = []
    for step in steps if isinstance(steps, list) else []:
        if not isinstance(step, Mapping):
            continue
        title = " ".join(str(step.get("title") or "").split())
        if not title:
            continue
        length = step.get("minutes")
        when = ""
        if isinstance(length, int | float) and not isinstance(length, bool) and length > 0:
            when = f" ({length:g} {minutes})"
        out.append(f"{len(out) + 1}. {title}{when}")
    return out


def place_picture(pdf: FPDF, png: bytes, left: float, top: float, width: float) -> float:
    """Draw the PNG `width` pt wide (or lower, to PICTURE_MAX_H) with a thin border; the
    height used."""
    with Image.open(io.BytesIO(png)) as image:
        w_px, h_px = image.size
    k = min(width / w_px, PICTURE_MAX_H / h_px)
    w, h = w_px * k, h_px * k
    x = left + (width - w) / 2
    pdf.image(io.BytesIO(png), x, top, w, h)
    pdf.set_draw_color(209, 213, 219)
    pdf.set_line_width(0.75)
    pdf.rect(x, top, w, h, style="D")
    return h


def names_line(participants: Sequence[str] | None) -> str:
    """The participants' names, one space inside each, in the order given."""
    if not participants:
        return ""
    return ", ".join(" ".join(str(p).split()) for p in participants if str(p).strip())
