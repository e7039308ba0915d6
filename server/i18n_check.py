"""`samskap i18n check`: is every text there in every language we ship?

Three places hold texts people read:

- the UI files `web/i18n/<code>.json` (bokmål, `nb.json`, is the reference: every
  other file should have exactly its keys, with the same `{placeholders}`);
- the workshop templates, where every per-language text (`name`, `description`,
  `text`, `title`, `tag`, agenda `title` and `instructions`) is a block
  `{nb: ..., nn: ..., en: ...}`;
- the session report's labels (`server.domain.render.report.LABELS`).

A language in `REQUIRED` (nb, nn, en) that lacks anything fails the check (exit 1);
another language (one a volunteer is still writing) is listed but does not fail, since
the client and server show bokmål for whatever it lacks. A key no source file uses is
listed as unused (and fails with `--strict`). Keys built at run time
(``t(`kind.${obj.kind}`)``, ``t("tool." ~ name)``) count as used through their prefix.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from server.domain.languages import FALLBACK, LANGUAGES, REQUIRED

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"\{(\w+)\}")
# `prefix.${`, `prefix.{{`, "prefix." ~ / + : a key put together at run time.
DYNAMIC = re.compile(r"([a-z_]+(?:\.[a-z_]+)*)\.(?:\$\{|\{\{|['\"]\s*[~+])")
SOURCE_SUFFIXES = (".js", ".html", ".py")


@dataclass
class Report:
    """What the check found; `lines()` is what the command prints."""

    keys: dict[str, int] = field(default_factory=dict)  # UI keys per language
    missing: dict[str, list[str]] = field(default_factory=dict)  # per language
    extra: dict[str, list[str]] = field(default_factory=dict)  # keys nb does not have
    problems: dict[str, list[str]] = field(default_factory=dict)  # empty, placeholders
    unused: list[str] = field(default_factory=list)  # nb keys no source file uses
    templates: dict[str, list[str]] = field(default_factory=dict)  # per language
    broken: list[str] = field(default_factory=list)  # template files that do not load

    def _add(self, table: dict[str, list[str]], lang: str, item: str) -> None:
        table.setdefault(lang, []).append(item)

    def incomplete(self, lang: str) -> bool:
        return any(t.get(lang) for t in (self.missing, self.problems, self.templates))

    def failed(self, strict: bool = False) -> bool:
        """Whether a required language is incomplete (or, strict, anything is unused)."""
        if self.broken or any(self.incomplete(lang) for lang in REQUIRED):
            return True
        return strict and bool(self.unused or any(self.extra.values()))

    def lines(self) -> Iterator[str]:
        langs = list(dict.fromkeys([*LANGUAGES, *self.keys, *self.templates]))
        for lang in langs:
            for key in self.missing.get(lang, []):
                yield f"{lang}: missing key {key!r}"
            for text in self.problems.get(lang, []):
                yield f"{lang}: {text}"
            for key in self.extra.get(lang, []):
                yield f"{lang}: unused key {key!r} (not in {FALLBACK}.json)"
            for text in self.templates.get(lang, []):
                yield f"{lang}: {text}"
        for key in self.unused:
            yield f"all: unused key {key!r} (no file in web/ or server/ uses it)"
        for problem in self.broken:
            yield f"template: {problem}"
        for lang in langs:
            gaps = sum(len(t.get(lang, [])) for t in (self.missing, self.problems, self.templates))
            state = "complete" if not gaps else f"{gaps} gap(s)"
            if gaps and lang not in REQUIRED:
                state += f" (shown in {FALLBACK} where missing)"
            yield f"{lang} ({LANGUAGES.get(lang, 'not in LANGUAGES')}): {state}"


def _load(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path.name}: must be one JSON object of key: text")
    return data


def _sources(folders: Iterable[Path]) -> str:
    parts = []
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.suffix in SOURCE_SUFFIXES and path.is_file():
                parts.append(path.read_text(encoding="utf-8", errors="replace"))
    return "\n".join(parts)


def unused_keys(keys: Iterable[str], source: str) -> list[str]:
    """Keys that appear nowhere in `source`, literally or through a run-time prefix."""
    prefixes = {match + "." for match in DYNAMIC.findall(source)}
    return [
        key
        for key in keys
        if key not in source and not any(key.startswith(prefix) for prefix in prefixes)
    ]


def check_ui(report: Report, i18n_dir: Path, source_dirs: Sequence[Path]) -> None:
    """Compare every `<code>.json` with bokmål; find keys nothing uses."""
    files = {path.stem: path for path in sorted(i18n_dir.glob("*.json"))}
    reference = _load(files[FALLBACK])
    for lang in dict.fromkeys([*REQUIRED, *files]):
        if lang not in files:
            report._add(report.problems, lang, f"no file {i18n_dir.name}/{lang}.json")
            report.keys[lang] = 0
            continue
        table = _load(files[lang])
        report.keys[lang] = len(table)
        for key, text in reference.items():
            if key not in table:
                report._add(report.missing, lang, key)
                continue
            value = table[key]
            if not isinstance(value, str) or not value.strip():
                report._add(report.problems, lang, f"key {key!r} is empty")
            elif set(PLACEHOLDER.findall(value)) != set(PLACEHOLDER.findall(str(text))):
                want = ", ".join(sorted(f"{{{p}}}" for p in set(PLACEHOLDER.findall(str(text)))))
                report._add(
                    report.problems, lang, f"key {key!r} must use the placeholders {want or 'none'}"
                )
        for key in table:
            if key not in reference:
                report._add(report.extra, lang, key)
    report.unused = unused_keys(reference, _sources(source_dirs))


def _localised(data: Any, path: list[str | int]) -> Iterator[tuple[list[str | int], dict]]:
    from server.domain.templates.model import is_localised

    if isinstance(data, dict):
        if is_localised(data):
            yield path, data
            return
        for key, value in data.items():
            yield from _localised(value, [*path, key])
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _localised(value, [*path, index])


def check_templates(report: Report, paths: Sequence[Path]) -> None:
    """Every per-language block of every template has a text in every language."""
    from server.domain.templates.model import place
    from server.domain.templates.parse import YamlProblem, line_of, parse_yaml
    from server.files import check_files

    for problem in check_files([str(p) for p in paths]):
        report.broken.append(problem)
    for path in paths:
        try:
            data, node = parse_yaml(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, YamlProblem):
            continue  # check_files above has already said what is wrong
        for where, texts in _localised(data, []):
            for lang in LANGUAGES:
                value = texts.get(lang)
                if isinstance(value, str) and value.strip():
                    continue
                if lang not in texts and lang not in REQUIRED and not _uses(data, lang):
                    continue  # a language this template has not started: not listed per text
                line = line_of(node, where)
                report._add(
                    report.templates,
                    lang,
                    f"template {path.name}: {place(where)} (line {line}): "
                    + ("no text" if lang not in texts else "the text is empty"),
                )


def _uses(data: Any, lang: str) -> bool:
    return any(lang in texts for _, texts in _localised(data, []))


def check_report_labels(report: Report, labels: Mapping[str, Mapping[str, str]]) -> None:
    """The session report's own words, per language."""
    reference = labels[FALLBACK]
    for lang in REQUIRED:
        for key in reference:
            if not (labels.get(lang) or {}).get(key):
                report._add(report.missing, lang, f"report label {key}")


def run_check(
    *,
    root: Path = ROOT,
    template_paths: Sequence[Path] | None = None,
) -> Report:
    """Check the UI files, the templates and the report labels under `root`."""
    from server.domain.render.report import LABELS

    report = Report()
    check_ui(
        report,
        root / "web" / "i18n",
        [root / "web" / "js", root / "web" / "pages", root / "server"],
    )
    paths = template_paths
    if paths is None:
        paths = sorted((root / "workshop_templates").glob("*.yaml"))
    check_templates(report, paths)
    check_report_labels(report, LABELS)
    return report


def main(template_paths: Sequence[str], strict: bool) -> int:
    """`samskap i18n check [--strict] [TEMPLATE...]`; exit 1 when nb, nn or en has a gap."""
    paths = [Path(p) for p in template_paths] or None
    try:
        report = run_check(template_paths=paths)
    except (OSError, ValueError) as exc:
        print(f"samskap i18n check: {exc}")
        return 1
    for line in report.lines():
        print(line)
    return 1 if report.failed(strict) else 0
