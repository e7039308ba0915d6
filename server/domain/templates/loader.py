"""Turning template files into `Template`s, one file or a whole folder.

A bad file must never stop the server: `load_folder` reports it and goes on, and
only `TemplateError` ever leaves `load_template`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
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


def read_file(path: str | os.PathLike[str], source: str | None = None) -> Template:
    """Load one file, refusing oversized or non-UTF-8 files before parsing them.

    Messages name the file as `source` (default: the file name).
    """
    name = source if source is not None else Path(path).name
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise TemplateError([f"{name}: cannot read the file ({exc.strerror or exc})"]) from None
    if len(raw) > MAX_BYTES:
        raise TemplateError([f"{name}: file is larger than {MAX_BYTES} bytes"])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TemplateError([f"{name}: not UTF-8 text (byte {exc.start})"]) from None
    return load_template(text, name)


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in SUFFIXES and p.is_file())


def load_folder(*folders: str | os.PathLike[str]) -> tuple[dict[str, Template], list[str]]:
    """Good templates by id and the problems of bad files, from one or more folders.

    A later folder (the operator's own) overrides ids of an earlier one; two files with
    the same id in one folder are a problem and the first by file name wins.
    """
    templates: dict[str, Template] = {}
    problems: list[str] = []
    for folder in folders:
        here: dict[str, Template] = {}
        try:
            files = _files(Path(folder))
        except OSError as exc:
            problems.append(f"{folder}: cannot read the folder ({exc.strerror or exc})")
            continue
        for path in files:
            try:
                template = read_file(path)
            except TemplateError as exc:
                problems.extend(exc.problems)
                continue
            if template.id in here:
                other = here[template.id].source
                problems.append(f"{path.name}: id: {template.id!r} is already used by {other}")
                continue
            here[template.id] = template
        templates.update(here)
    return templates, problems


def check_files(paths: Iterable[str | os.PathLike[str]]) -> list[str]:
    """Problems of each file (for `samskap templates check`); empty means all good."""
    problems: list[str] = []
    for path in paths:
        try:
            read_file(path, os.fspath(path))
        except TemplateError as exc:
            problems.extend(exc.problems)
    return problems
