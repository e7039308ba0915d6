"""Turning template files into `Template`s, one file or whole folders.

Pure: the files come in as bytes (`TemplateFile`, `TemplateFolder`), read by the
adapter `server/files.py`. A bad file must never stop the server: `load_folders`
reports it and goes on, and only `TemplateError` ever leaves `load_template`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .check import Problem, schema_problems, semantic_problems
from .model import Template, TemplateError, place
from .parse import MAX_BYTES, YamlProblem, line_of, parse_yaml

SUFFIXES = (".yaml", ".yml")


def _format(source: str, node: Any, problems: list[Problem]) -> list[str]:
    located = [(line_of(node, path), place(path), message) for path, message in problems]
    located.sort(key=lambda item: item[0] or 0)  # file order is how people read
    return [
        f"{source}: {where}{f' (line {line})' if line is not None else ''}: {message}"
        for line, where, message in located
    ]


def load_template(text: str, source: str = "template") -> Template:
    """Parse and fully validate one template; raise `TemplateError` listing every problem."""
    try:
        data, node = parse_yaml(text)
    except YamlProblem as exc:
        raise TemplateError([f"{source}: {exc}"]) from None
    try:
        problems = schema_problems(data)
        if not problems:
            problems = semantic_problems(data)
    except Exception as exc:  # a validator bug must still read as a bad file, not a crash
        raise TemplateError(
            [f"{source}: could not check this file ({type(exc).__name__})"]
        ) from None
    if problems:
        raise TemplateError(_format(source, node, problems))
    return Template(
        id=data["id"],
        name=data["name"],
        description=data["description"],
        category=data["category"],
        size=(data["size"]["w"], data["size"]["h"]),
        objects=tuple(data["objects"]),
        agenda=tuple({"actions": [], **step} for step in data["agenda"]),
        source=source,
    )


@dataclass(frozen=True, slots=True)
class TemplateFile:
    """One file as the adapter read it: its bytes, or why it could not be read."""

    name: str
    data: bytes = b""
    error: str | None = None


@dataclass(frozen=True, slots=True)
class TemplateFolder:
    """One folder's template files (by file name), or why the folder could not be read."""

    name: str
    files: tuple[TemplateFile, ...] = ()
    error: str | None = None


def decode_file(file: TemplateFile) -> Template:
    """One file's template, refusing unreadable, oversized or non-UTF-8 files first.

    Messages name the file as `file.name`. The adapter reads at most MAX_BYTES + 1.
    """
    name = file.name
    if file.error is not None:
        raise TemplateError([f"{name}: cannot read the file ({file.error})"])
    raw = file.data
    if len(raw) > MAX_BYTES:
        raise TemplateError([f"{name}: file is larger than {MAX_BYTES} bytes"])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TemplateError([f"{name}: not UTF-8 text (byte {exc.start})"]) from None
    return load_template(text, name)


def is_template_name(name: str) -> bool:
    """A file the catalogue reads (.yaml or .yml, any case)."""
    return name.lower().endswith(SUFFIXES)


def load_folders(folders: Iterable[TemplateFolder]) -> tuple[dict[str, Template], list[str]]:
    """Good templates by id and the problems of bad files, from one or more folders.

    A later folder (the operator's own) overrides ids of an earlier one; two files with
    the same id in one folder are a problem and the first by file name wins.
    """
    templates: dict[str, Template] = {}
    problems: list[str] = []
    for folder in folders:
        if folder.error is not None:
            problems.append(f"{folder.name}: cannot read the folder ({folder.error})")
            continue
        here: dict[str, Template] = {}
        for file in sorted(folder.files, key=lambda f: f.name):
            try:
                template = decode_file(file)
            except TemplateError as exc:
                problems.extend(exc.problems)
                continue
            if template.id in here:
                other = here[template.id].source
                problems.append(f"{file.name}: id: {template.id!r} is already used by {other}")
                continue
            here[template.id] = template
        templates.update(here)
    return templates, problems


def check_sources(files: Iterable[TemplateFile]) -> list[str]:
    """Problems of each file (for `samskap templates check`); empty means all good."""
    problems: list[str] = []
    for file in files:
        try:
            decode_file(file)
        except TemplateError as exc:
            problems.extend(exc.problems)
    return problems
