"""Board data formats: pure functions from board data to bytes and back.

No rendering and no I/O here: the HTTP layer and the CLI read the board and the
uploaded bytes, call these, and store or send the result. docs/formats.md describes
every format for people.
"""

from __future__ import annotations

from .backup import export_backup, parse_backup
from .canvas import CanvasExport, export_canvas
from .common import ParsedBoard
from .csv_export import notes_csv
from .excalidraw import parse_excalidraw

__all__ = [
    "CanvasExport",
    "ParsedBoard",
    "export_backup",
    "export_canvas",
    "notes_csv",
    "parse_backup",
    "parse_excalidraw",
]
