"""Text shaping and measuring with HarfBuzz over the fonts shipped in web/fonts.

The browser, the SVG/PNG and the PDF all use the same font files, and every line
break is computed here, so a note wraps the same way everywhere. Widths are measured
per word at one em and cached.

Pure: the font files come in as bytes. The adapter `server/files.py` reads web/fonts
and hands them to `install_fonts` once per process (the app, an export worker, the
tests); rendering without them is a clear RuntimeError. The installed fonts and the
lru_caches over them are this module's only state.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import uharfbuzz as hb

# key -> (file name, family name as written in SVG / registered in the PDF)
FONTS: dict[str, tuple[str, str]] = {
    "regular": ("NotoSans-Regular.ttf", "Noto Sans"),
    "bold": ("NotoSans-Bold.ttf", "Noto Sans"),
    "emoji": ("NotoColorEmoji.ttf", "Noto Color Emoji"),
    "symbol": ("DejaVuSans.ttf", "DejaVu Sans"),
}

LINE_HEIGHT = 1.3  # in em; the browser uses the same CSS line-height
MIN_FONT_SIZE = 6.0

_ZWJ = 0x200D
_SPACE_RE = re.compile(r"[ \t\u00a0]+")


@dataclass(frozen=True, slots=True)
class Run:
    """A piece of one line drawn with one font: `font` is a key of FONTS."""

    font: str
    text: str


@dataclass(frozen=True, slots=True)
class FontFile:
    """One font: its bytes (HarfBuzz, resvg) and where it lies (fpdf reads only files)."""

    data: bytes
    path: str


_fonts: dict[str, FontFile] = {}


def install_fonts(fonts: Mapping[str, FontFile]) -> None:
    """Use these fonts (by key of FONTS) from now on in this process."""
    _fonts.clear()
    _fonts.update(fonts)
    for cached in (_hb_font, _coverage, _run_em, _em, _extents_em):
        cached.cache_clear()


def installed_fonts() -> dict[str, FontFile]:
    """The fonts in use (to hand to a worker process)."""
    return dict(_fonts)


def _font(key: str) -> FontFile:
    try:
        return _fonts[key]
    except KeyError:
        raise RuntimeError(
            f"font {key!r} is not installed: call server.files.install_fonts() first"
        ) from None


def font_data(key: str) -> bytes:
    """The bytes of a font key, for renderers that load fonts themselves."""
    return _font(key).data


def font_path(key: str) -> str:
    """The file of a font key, for renderers that only read files (fpdf)."""
    return _font(key).path


@lru_cache(maxsize=8)
def _hb_font(key: str) -> hb.Font:
    return hb.Font(hb.Face(hb.Blob(font_data(key))))


@lru_cache(maxsize=8)
def _coverage(key: str) -> frozenset[int]:
    if key not in _fonts:
        return frozenset()
    return frozenset(hb.Face(hb.Blob(font_data(key))).unicodes)


def _sticks(code: int, prev: int) -> bool:
    """True if `code` belongs to the cluster of the previous character (no break, same font)."""
    return (
        code == _ZWJ
        or prev == _ZWJ
        or 0xFE00 <= code <= 0xFE0F  # variation selectors
        or 0x1F3FB <= code <= 0x1F3FF  # skin tones
        or 0xE0020 <= code <= 0xE007F  # tag sequences (subdivision flags)
        or code == 0x20E3  # keycap
        or unicodedata.category(chr(code)) in ("Mn", "Me")
    )


def _font_for(code: int, next_code: int, primary: str) -> str:
    if code in _coverage(primary) and next_code != 0xFE0F:
        return primary
    if code in _coverage("emoji") and code > 0x7F:
        return "emoji"
    if next_code == 0xFE0F and code in _coverage("emoji"):
        return "emoji"
    if code in _coverage(primary) or code not in _coverage("symbol"):
        return primary
    return "symbol"


def split_runs(text: str, *, bold: bool = False) -> list[Run]:
    """Split one line into runs per fallback font (Noto Sans, then emoji, then DejaVu)."""
    primary = "bold" if bold else "regular"
    runs: list[Run] = []
    start, current, prev = 0, "", -1
    for i, ch in enumerate(text):
        code = ord(ch)
        if i and _sticks(code, prev):
            prev = code
            continue
        next_code = ord(text[i + 1]) if i + 1 < len(text) else -1
        # Regional-indicator pairs (flags) form one cluster.
        if 0x1F1E6 <= code <= 0x1F1FF and 0x1F1E6 <= prev <= 0x1F1FF and current == "emoji":
            prev = -1
            continue
        font = _font_for(code, next_code, primary)
        if font != current:
            if i > start:
                runs.append(Run(current, text[start:i]))
            start, current = i, font
        prev = code
    if len(text) > start:
        runs.append(Run(current, text[start:]))
    return runs


@lru_cache(maxsize=65_536)
def _run_em(font: str, text: str) -> float:
    """Advance of `text` in one font, in em."""
    hb_font = _hb_font(font)
    buf = hb.Buffer()
    buf.add_str(text)
    buf.guess_segment_properties()
    hb.shape(hb_font, buf, {"kern": True, "liga": True})
    upem = hb_font.face.upem
    return sum(pos.x_advance for pos in buf.glyph_positions) / upem


@lru_cache(maxsize=65_536)
def _em(text: str, bold: bool) -> float:
    return sum(_run_em(run.font, run.text) for run in split_runs(text, bold=bold))


def text_width(text: str, font_size: float, *, bold: bool = False) -> float:
    """Width of one line of text in px (newlines are not interpreted)."""
    return _em(text, bold) * font_size


def run_widths(text: str, font_size: float, *, bold: bool = False) -> list[tuple[Run, float]]:
    """The runs of a line with their widths: renderers place each run at a measured x."""
    return [(run, _run_em(run.font, run.text) * font_size) for run in split_runs(text, bold=bold)]


def line_height(font_size: float) -> float:
    """Distance between two baselines in px."""
    return font_size * LINE_HEIGHT


@lru_cache(maxsize=4)
def _extents_em(key: str) -> tuple[float, float]:
    font = _hb_font(key)
    ext = font.get_font_extents("ltr")
    upem = font.face.upem
    return ext.ascender / upem, -ext.descender / upem


def baseline_offset(font_size: float) -> float:
    """Distance from the top of a line box to its baseline, as CSS computes it."""
    ascent, descent = _extents_em("regular")
    return (LINE_HEIGHT - ascent - descent) / 2 * font_size + ascent * font_size


def _clusters(word: str) -> list[str]:
    out: list[str] = []
    prev = -1
    for ch in word:
        code = ord(ch)
        pair = 0x1F1E6 <= code <= 0x1F1FF and 0x1F1E6 <= prev <= 0x1F1FF
        if out and (_sticks(code, prev) or pair):
            out[-1] += ch
            prev = -1 if pair else code
        else:
            out.append(ch)
            prev = code
    return out


def _break_word(word: str, font_size: float, max_width: float, bold: bool) -> list[str]:
    """Cut a word wider than the line into pieces that fit, never inside a cluster."""
    pieces: list[str] = []
    current = ""
    for cluster in _clusters(word):
        if current and text_width(current + cluster, font_size, bold=bold) > max_width:
            pieces.append(current)
            current = cluster
        else:
            current += cluster
    if current:
        pieces.append(current)
    return pieces


def wrap_text(text: str, font_size: float, max_width: float, *, bold: bool = False) -> list[str]:
    """Greedy word wrap with real advances; keeps explicit newlines, breaks over-long words."""
    lines: list[str] = []
    space = text_width(" ", font_size, bold=bold)
    for paragraph in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        words = [w for w in _SPACE_RE.split(paragraph) if w]
        line, width = "", 0.0
        for word in words:
            word_width = text_width(word, font_size, bold=bold)
            if line and width + space + word_width <= max_width:
                line, width = f"{line} {word}", width + space + word_width
                continue
            if line:
                lines.append(line)
            if word_width > max_width:
                *full, word = _break_word(word, font_size, max_width, bold)
                lines.extend(full)
                word_width = text_width(word, font_size, bold=bold)
            line, width = word, word_width
        lines.append(line)
    return lines


def fits(text: str, font_size: float, width: float, height: float, *, bold: bool = False) -> bool:
    """True if `text` wrapped to `width` fits in `height` without breaking any word."""
    lines = wrap_text(text, font_size, width, bold=bold)
    if len(lines) * line_height(font_size) > height:
        return False
    words = [w for w in _SPACE_RE.split(text.replace("\n", " ")) if w]
    return all(text_width(w, font_size, bold=bold) <= width for w in words)


def fit_font_size(
    text: str,
    width: float,
    height: float,
    *,
    max_size: float = 24.0,
    min_size: float = MIN_FONT_SIZE,
    bold: bool = False,
) -> float:
    """The largest size (in 0.5 px steps) at which `text` fits the box, like a sticky note."""
    if fits(text, max_size, width, height, bold=bold):
        return max_size
    lo, hi = 0, int((max_size - min_size) * 2)  # steps of 0.5 px above min_size
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if fits(text, min_size + mid / 2, width, height, bold=bold):
            lo = mid
        else:
            hi = mid - 1
    return min_size + lo / 2
