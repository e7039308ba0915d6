"""Write a laid-out board as plain SVG text.

Every user string goes through `_esc` (text) or is a number/colour we format or
check ourselves, so the document never carries markup, scripts or event handlers
from users: a note "<script>" is drawn as those characters.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Mapping
from typing import Any

from . import layout
from .scene import Curve, Oval, Part, Picture, Poly, Rect, Scene, Style, TextLine
from .text import FONTS

_COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
# Characters XML 1.0 does not allow, even escaped.
_BAD_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
FONT_STACK = "'Noto Sans', 'DejaVu Sans', 'Noto Color Emoji', sans-serif"


def _esc(value: str) -> str:
    return html.escape(_BAD_XML.sub("\ufffd", value), quote=True)


def _num(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _color(value: str | None, default: str = "none") -> str:
    return value if value and _COLOR_RE.match(value) else default


def _style(style: Style) -> str:
    out = [f'fill="{_color(style.fill)}"']
    if style.stroke:
        out.append(f'stroke="{_color(style.stroke)}" stroke-width="{_num(style.width)}"')
        out.append('stroke-linecap="round" stroke-linejoin="round"')
        if style.dashed:
            w = max(style.width, 1)
            out.append(f'stroke-dasharray="{_num(w * 3)} {_num(w * 2.5)}"')
    if style.opacity < 1:
        out.append(f'opacity="{_num(style.opacity)}"')
    return " ".join(out)


def _part(part: Part) -> str:
    if isinstance(part, TextLine):
        weight = ' font-weight="bold"' if part.bold else ""
        spans = []
        for run in part.runs:
            family = (
                "" if run.font in ("regular", "bold") else f' font-family="{FONTS[run.font][1]}"'
            )
            spans.append(f'<tspan x="{_num(run.x)}"{family}>{_esc(run.text)}</tspan>')
        return (
            f'<text y="{_num(part.y)}" font-size="{_num(part.size)}" fill="{_color(part.color)}"'
            f'{weight} xml:space="preserve">{"".join(spans)}</text>'
        )
    if isinstance(part, Rect):
        radius = f' rx="{_num(part.radius)}"' if part.radius else ""
        return (
            f'<rect x="{_num(part.x)}" y="{_num(part.y)}" width="{_num(part.w)}" '
            f'height="{_num(part.h)}"{radius} {_style(part.style)}/>'
        )
    if isinstance(part, Oval):
        return (
            f'<ellipse cx="{_num(part.cx)}" cy="{_num(part.cy)}" rx="{_num(part.rx)}" '
            f'ry="{_num(part.ry)}" {_style(part.style)}/>'
        )
    if isinstance(part, Poly):
        tag = "polygon" if part.closed else "polyline"
        pts = " ".join(f"{_num(x)},{_num(y)}" for x, y in part.points)
        return f'<{tag} points="{pts}" {_style(part.style)}/>'
    if isinstance(part, Curve):
        d = [f"M{_num(part.start[0])} {_num(part.start[1])}"]
        for (ax, ay), (bx, by), (cx, cy) in part.segments:
            d.append(f"C{_num(ax)} {_num(ay)} {_num(bx)} {_num(by)} {_num(cx)} {_num(cy)}")
        return f'<path d="{"".join(d)}" {_style(part.style)}/>'
    if isinstance(part, Picture):
        if part.mime not in layout.IMAGE_MIMES:
            return ""
        # The picture itself is in <defs> once (see `_pictures`); this only places it.
        return (
            f'<use href="#{_picture_id(part)}" x="{_num(part.x)}" y="{_num(part.y)}" '
            f'width="{_num(part.w)}" height="{_num(part.h)}"/>'
        )
    raise TypeError(f"cannot draw {type(part).__name__}")


_PICTURE_ID = re.compile(r"[^A-Za-z0-9_-]")


def _picture_id(part: Picture) -> str:
    return "img-" + (_PICTURE_ID.sub("_", part.key) if part.key else str(id(part.data)))


def _pictures(scene: Scene) -> str:
    """Each picture's bytes once, as a <symbol> every <use> of it scales to its box.

    Thirty image objects showing one 1 MB upload embedded it thirty times (43 MB of
    SVG); now the SVG grows with the distinct images, not with the objects.
    """
    seen: dict[str, Picture] = {}
    for drawing in scene.drawings:
        for part in drawing.parts:
            if isinstance(part, Picture) and part.mime in layout.IMAGE_MIMES:
                seen.setdefault(_picture_id(part), part)
    if not seen:
        return ""
    symbols = []
    for ident, part in seen.items():
        data = base64.b64encode(part.data).decode("ascii")
        symbols.append(
            f'<symbol id="{ident}" overflow="hidden"><image width="100%" height="100%" '
            f'preserveAspectRatio="xMidYMid meet" href="data:{part.mime};base64,{data}"/></symbol>'
        )
    return "<defs>" + "".join(symbols) + "</defs>"


def scene_svg(scene: Scene, scale: float = 1.0) -> str:
    """Serialise a Scene; width and height are in pixels at `scale`."""
    layout.check_size(scene.w, scene.h, scale)
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_num(scene.w * scale)}" '
        f'height="{_num(scene.h * scale)}" viewBox="{_num(scene.x)} {_num(scene.y)} '
        f'{_num(scene.w)} {_num(scene.h)}" font-family="{FONT_STACK}">',
        f"<title>{_esc(scene.title)}</title>",
    ]
    defs = _pictures(scene)
    if defs:
        out.append(defs)
    if scene.background:
        out.append(
            f'<rect x="{_num(scene.x)}" y="{_num(scene.y)}" width="{_num(scene.w)}" '
            f'height="{_num(scene.h)}" fill="{_color(scene.background, "#ffffff")}"/>'
        )
    for drawing in scene.drawings:
        body = "".join(_part(p) for p in drawing.parts)
        if drawing.rotation:
            rot = f"{_num(drawing.rotation)} {_num(drawing.cx)} {_num(drawing.cy)}"
            out.append(f'<g transform="rotate({rot})">{body}</g>')
        else:
            out.append(f"<g>{body}</g>")
    out.append("</svg>\n")
    return "\n".join(out)


def render_svg(
    board: dict[str, Any],
    *,
    frame: str | None = None,
    scale: float = 1.0,
    background: bool = True,
    padding: float = 40,
    assets: Mapping[str, tuple[str, bytes]] | None = None,
) -> str:
    """The board (or one frame) as an SVG document; ValueError for bad options or size."""
    layout.check_options(scale, padding)
    scene = layout.build_scene(
        board, frame=frame, padding=padding, background=background, assets=assets
    )
    return scene_svg(scene, scale)
