"""Primitive drawing items that the SVG and PDF writers both consume.

Layout (which objects, where each line of text goes, where arrows point) is done
once in layout.py; the writers only translate these items, so SVG, PNG and PDF
show the same line breaks and positions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

Point = tuple[float, float]


@dataclass(frozen=True, slots=True)
class Style:
    fill: str | None = None
    stroke: str | None = None
    width: float = 0.0
    dashed: bool = False
    opacity: float = 1.0


@dataclass(frozen=True, slots=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    style: Style
    radius: float = 0.0


@dataclass(frozen=True, slots=True)
class Oval:
    cx: float
    cy: float
    rx: float
    ry: float
    style: Style


@dataclass(frozen=True, slots=True)
class Poly:
    points: tuple[Point, ...]
    style: Style
    closed: bool = True


@dataclass(frozen=True, slots=True)
class Curve:
    """An open cubic Bézier spline: start, then (control 1, control 2, end) per segment."""

    start: Point
    segments: tuple[tuple[Point, Point, Point], ...]
    style: Style


@dataclass(frozen=True, slots=True)
class TextRun:
    font: str  # key of text.FONTS
    text: str
    x: float  # absolute x where the run starts


@dataclass(frozen=True, slots=True)
class TextLine:
    y: float  # baseline
    runs: tuple[TextRun, ...]
    size: float
    color: str
    bold: bool = False


@dataclass(frozen=True, slots=True)
class Picture:
    x: float
    y: float
    w: float
    h: float
    mime: str
    data: bytes
    key: str = ""  # the asset id: writers embed each asset once, however often shown


Part = Rect | Oval | Poly | Curve | TextLine | Picture


@dataclass(slots=True)
class Drawing:
    """One board object: its parts, rotated by `rotation` degrees around (cx, cy)."""

    id: str
    kind: str
    parts: list[Part] = field(default_factory=list)
    rotation: float = 0.0
    cx: float = 0.0
    cy: float = 0.0


@dataclass(slots=True)
class Scene:
    """A laid-out board or frame: the box (x, y, w, h) in board units and its drawings."""

    title: str
    x: float
    y: float
    w: float
    h: float
    background: str | None
    drawings: list[Drawing]
