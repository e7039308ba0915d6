"""Rasterise the SVG with resvg (a PyPI wheel), using only the shipped font files.

System fonts are never loaded, so a PNG looks the same on every server. resvg can
panic (a Rust panic surfaces as a BaseException) on some emoji followed by text; we
then render again with emoji drawn from the fallback font instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import resvg

from . import layout
from .scene import Scene
from .svg import scene_svg
from .text import FONTS, font_data


def _options(emoji: bool) -> Any:
    opts = resvg.usvg.Options.default()
    for key in FONTS:
        if key != "emoji" or emoji:
            opts.load_font_data(font_data(key))
    opts.font_family = FONTS["regular"][1]
    return opts


def svg_to_png(svg: str, *, emoji: bool = True) -> bytes:
    """PNG bytes of an SVG document at its own width and height."""
    tree = resvg.usvg.Tree.from_str(svg, _options(emoji))
    return bytes(resvg.render(tree, (1.0, 0.0, 0.0, 0.0, 1.0, 0.0)))


def render_png(
    board: dict[str, Any],
    *,
    frame: str | None = None,
    scale: float = 1.0,
    background: bool = True,
    padding: float = 40,
    assets: Mapping[str, tuple[str, bytes]] | None = None,
) -> bytes:
    """The board (or one frame) as PNG; same options and errors as render_svg."""
    layout.check_options(scale, padding)
    kw: dict[str, Any] = {
        "frame": frame,
        "padding": padding,
        "background": background,
        "assets": assets,
    }
    svg = scene_svg(layout.build_scene(board, **kw), scale)  # ValueError if too large
    png = _rasterise(svg)
    if png is None:  # drawn again without the emoji font
        png = _rasterise(scene_svg(layout.build_scene(board, emoji=False, **kw), scale), False)
    if png is None:
        raise ValueError("the board could not be rasterised")
    return png


def _rasterise(svg: str, emoji: bool = True) -> bytes | None:
    """resvg's PNG of `svg`, or None when resvg panics (pyo3's PanicException is a
    BaseException); interpreter exits and MemoryError pass through."""
    try:
        return svg_to_png(svg, emoji=emoji)
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt | SystemExit | MemoryError):
            raise
        return None


def scene_png(scene: Scene, scale: float) -> bytes:
    """A scene already laid out as PNG (the report's cover reuses its scene); ValueError
    when it is too large or resvg cannot draw it."""
    png = _rasterise(scene_svg(scene, scale))
    if png is None:
        raise ValueError("the board could not be rasterised")
    return png
