"""The files adapter: reads what the pure domain needs from disk and passes it in.

Shipped fonts (web/fonts) go to `server.domain.render.text.install_fonts`; template
files and folders become `TemplateFile`/`TemplateFolder` bytes for
`server.domain.templates`. The app, the export workers, the CLI and the tests read
through here; nothing under server/domain opens a file (tests/server/test_architecture.py).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from server.domain.render import text
from server.domain.templates import (
    MAX_BYTES,
    Template,
    TemplateFile,
    TemplateFolder,
    check_sources,
    decode_file,
    is_template_name,
    load_folders,
)

FONT_DIR = Path(__file__).resolve().parent.parent / "web" / "fonts"
SHIPPED_TEMPLATES = Path(__file__).resolve().parent.parent / "workshop_templates"


def read_fonts(folder: Path = FONT_DIR) -> dict[str, text.FontFile]:
    """Every font of `text.FONTS` that `folder` holds, as bytes with its path."""
    fonts: dict[str, text.FontFile] = {}
    for key, (name, _family) in text.FONTS.items():
        path = folder / name
        if path.is_file():
            fonts[key] = text.FontFile(data=path.read_bytes(), path=str(path))
    return fonts


def install_fonts(folder: Path = FONT_DIR) -> None:
    """Read the shipped fonts and hand them to the renderers of this process."""
    text.install_fonts(read_fonts(folder))


def read_template_file(path: str | os.PathLike[str], name: str | None = None) -> TemplateFile:
    """One template file's bytes (at most MAX_BYTES + 1: enough to say it is too large)."""
    label = name if name is not None else Path(path).name
    try:
        with open(path, "rb") as handle:
            return TemplateFile(label, handle.read(MAX_BYTES + 1))
    except OSError as exc:
        return TemplateFile(label, error=str(exc.strerror or exc))


def read_template_folder(folder: str | os.PathLike[str]) -> TemplateFolder:
    """The template files of one folder, or why it could not be read."""
    try:
        paths = sorted(
            p for p in Path(folder).iterdir() if is_template_name(p.name) and p.is_file()
        )
    except OSError as exc:
        return TemplateFolder(str(folder), error=str(exc.strerror or exc))
    return TemplateFolder(str(folder), tuple(read_template_file(p) for p in paths))


def read_file(path: str | os.PathLike[str], source: str | None = None) -> Template:
    """Load one template file (messages name it `source`, by default its file name)."""
    return decode_file(read_template_file(path, source))


def load_folder(*folders: str | os.PathLike[str]) -> tuple[dict[str, Template], list[str]]:
    """Good templates by id and the problems of bad files (a later folder overrides)."""
    return load_folders(read_template_folder(f) for f in folders)


def check_files(paths: Iterable[str | os.PathLike[str]]) -> list[str]:
    """Problems of each file (for `samskap templates check`); empty means all good."""
    return check_sources(read_template_file(p, os.fspath(p)) for p in paths)
