"""Draw a laid-out board as vector PDF with fpdf2: selectable text in the shipped fonts.

The same Scene as the SVG is drawn, so line breaks match; each text run is placed at
its measured x. Board pixels become points at 96 dpi, and the page is scaled down to
stay below 14,400 pt, the largest page many PDF viewers open.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Mapping
from typing import Any

from fpdf import FPDF
from fpdf.drawing import PaintedPath
from fpdf.enums import PathPaintRule

from . import layout
from .scene import Curve, Oval, Part, Picture, Poly, Rect, Scene, Style, TextLine
from .text import font_path

PT_PER_PX = 0.75
MAX_PAGE_PT = 14_000.0
_COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
# (fpdf family, style) per font key of text.FONTS
_PDF_FONTS = {
    "regular": ("NotoSans", ""),
    "bold": ("NotoSans", "B"),
    "symbol": ("DejaVuSans", ""),
    "emoji": ("NotoColorEmoji", ""),
}

# fpdf2 logs every glyph a font lacks; a board full of rare symbols would flood the log.
logging.getLogger("fpdf").setLevel(logging.ERROR)


def new_document(title: str) -> FPDF:
    """An empty PDF in points with the shipped text fonts registered (emoji on demand)."""
    pdf = FPDF(unit="pt")
    pdf.set_auto_page_break(False)
    pdf.set_margin(0)
    pdf.set_title(title)
    pdf.set_creator("Samskap")
    for key in ("regular", "bold", "symbol"):
        family, style = _PDF_FONTS[key]
        pdf.add_font(family, style, str(font_path(key)))
    pdf.set_text_shaping(True)
    return pdf


def _rgb(color: str | None) -> tuple[int, int, int]:
    c = color if color and _COLOR_RE.match(color) else "#000000"
    return int(c[1:3], 16), int(c[3:5], 16), int(c[5:7], 16)


class _Painter:
    """Maps board coordinates to the page: p = (b - origin) * k + offset."""

    def __init__(self, pdf: FPDF, scene: Scene, left: float, top: float, k: float) -> None:
        self.pdf, self.k = pdf, k
        self.ox, self.oy = left - scene.x * k, top - scene.y * k

    def x(self, v: float) -> float:
        return v * self.k + self.ox

    def y(self, v: float) -> float:
        return v * self.k + self.oy

    def _style(self, style: Style) -> str:
        pdf = self.pdf
        mode = ""
        if style.fill:
            pdf.set_fill_color(*_rgb(style.fill))
            mode += "F"
        if style.stroke:
            pdf.set_draw_color(*_rgb(style.stroke))
            pdf.set_line_width(max(style.width * self.k, 0.1))
            w = max(style.width, 1) * self.k
            pdf.set_dash_pattern(w * 3, w * 2.5) if style.dashed else pdf.set_dash_pattern()
            mode = "D" + mode
        return mode

    def part(self, part: Part) -> None:
        pdf, k = self.pdf, self.k
        if isinstance(part, TextLine):
            pdf.set_text_color(*_rgb(part.color))
            for run in part.runs:
                self._font(run.font, part.size * k)
                pdf.text(self.x(run.x), self.y(part.y), run.text)
            return
        if isinstance(part, Picture):
            pdf.image(
                io.BytesIO(part.data),
                self.x(part.x),
                self.y(part.y),
                part.w * k,
                part.h * k,
                keep_aspect_ratio=True,
            )
            return
        if isinstance(part, Curve):
            start = (self.x(part.start[0]), self.y(part.start[1]))
            path = PaintedPath(*start)
            path.style.paint_rule = PathPaintRule.STROKE
            path.style.stroke_color = "#{:02x}{:02x}{:02x}".format(*_rgb(part.style.stroke))
            path.style.stroke_width = part.style.width * k
            path.style.auto_close = False  # fpdf2 closes paths unless told not to
            path.style.stroke_cap_style = "round"
            path.style.stroke_join_style = "round"
            path.move_to(*start)
            for a, b, c in part.segments:  # true cubic segments, as in the SVG
                xy = (self.x(a[0]), self.y(a[1]), self.x(b[0]), self.y(b[1]))
                path.curve_to(*xy, self.x(c[0]), self.y(c[1]))
            pdf.draw_path(path, copy=False)  # type: ignore[arg-type]  # deep copy costs ~2 ms a path
            return
        with pdf.local_context(fill_opacity=part.style.opacity):
            mode = self._style(part.style)
            if not mode:
                return
            if isinstance(part, Rect):
                pdf.rect(
                    self.x(part.x),
                    self.y(part.y),
                    part.w * k,
                    part.h * k,
                    style=mode,
                    round_corners=part.radius > 0,
                    corner_radius=part.radius * k,
                )
            elif isinstance(part, Oval):
                pdf.ellipse(
                    self.x(part.cx - part.rx),
                    self.y(part.cy - part.ry),
                    2 * part.rx * k,
                    2 * part.ry * k,
                    style=mode,
                )
            elif isinstance(part, Poly):
                pts = [(self.x(px), self.y(py)) for px, py in part.points]
                pdf.polyline(pts, polygon=part.closed, style=mode if part.closed else "D")

    def _font(self, key: str, size: float) -> None:
        family, style = _PDF_FONTS[key]
        if key == "emoji" and "notocoloremoji" not in self.pdf.fonts:
            self.pdf.add_font(family, style, str(font_path(key)))
        self.pdf.set_font(family, style, size)


def draw_scene(pdf: FPDF, scene: Scene, left: float, top: float, k: float) -> None:
    """Draw a scene on the current page with its top-left at (left, top), k pt per px."""
    painter = _Painter(pdf, scene, left, top, k)
    if scene.background:
        pdf.set_fill_color(*_rgb(scene.background))
        pdf.rect(left, top, scene.w * k, scene.h * k, style="F")
    for drawing in scene.drawings:
        if drawing.rotation:
            with pdf.rotation(-drawing.rotation, painter.x(drawing.cx), painter.y(drawing.cy)):
                for part in drawing.parts:
                    painter.part(part)
        else:
            for part in drawing.parts:
                painter.part(part)
    pdf.set_dash_pattern()


def page_scale(scene: Scene, scale: float) -> float:
    """Points per board pixel, shrunk so that no page side reaches the viewer limit."""
    k = PT_PER_PX * scale
    return min(k, MAX_PAGE_PT / max(scene.w, scene.h, 1))


def render_pdf(
    board: dict[str, Any],
    *,
    frame: str | None = None,
    scale: float = 1.0,
    background: bool = True,
    padding: float = 40,
    assets: Mapping[str, tuple[str, bytes]] | None = None,
) -> bytes:
    """The board (or one frame) as a one-page vector PDF; ValueError for bad options."""
    layout.check_options(scale, padding)
    scene = layout.build_scene(
        board, frame=frame, padding=padding, background=background, assets=assets
    )
    k = page_scale(scene, scale)
    pdf = new_document(scene.title)
    pdf.add_page(format=(scene.w * k, scene.h * k))
    draw_scene(pdf, scene, 0, 0, k)
    return bytes(pdf.output())


def draw_parts(pdf: FPDF, parts: list[Part]) -> None:
    """Draw parts whose coordinates are already page points (report text)."""
    painter = _Painter(pdf, Scene("", 0, 0, 0, 0, None, []), 0, 0, 1.0)
    for part in parts:
        painter.part(part)
