"""The loaded template, its error type and the language helpers every module shares."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..languages import DEFAULT, FALLBACK, choose
from .schema import LOCALES

LOCALISED_FIELDS = ("text", "title", "tag")
WRITABLE_KINDS = ("text", "shape")  # what `writable: true` may mark


class TemplateError(Exception):
    """A template file that cannot be used; `.problems` are messages for people.

    Each message names the file, the place in it and what is wrong, e.g.
    ``power-interest-grid.yaml: agenda[2].actions[0] (line 80): unknown action 'foo'``.
    """

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems) or ["unknown problem"]
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class Template:
    """A validated template. Objects keep template-local ids and `{nb, nn, en}` texts."""

    id: str
    name: Mapping[str, str]
    description: Mapping[str, str]
    category: str
    size: tuple[float, float]
    objects: tuple[Mapping[str, Any], ...]
    agenda: tuple[Mapping[str, Any], ...]
    source: str = field(default="", compare=False)

    @property
    def minutes(self) -> float:
        """Suggested total duration: the sum of the agenda steps."""
        return sum(step["minutes"] for step in self.agenda)


def pick_locale(locale: str | None) -> str:
    """Map a browser-style locale ("nb-NO", "no", "nn-NO", "en-GB") to one we ship."""
    return choose([locale], DEFAULT)


def is_localised(value: Any) -> bool:
    """Whether `value` is a per-language text mapping like `{nb: ..., en: ...}`."""
    return isinstance(value, Mapping) and bool(value) and set(value) <= set(LOCALES)


def localise(value: Any, locale: str) -> Any:
    """The text for `locale` of a per-language mapping, else bokmål; any other value unchanged.

    A language a template leaves out (or leaves empty) falls back to bokmål, then to
    English, so nobody sees an empty label.
    """
    if is_localised(value):
        for lang in (locale, FALLBACK, "en"):
            if value.get(lang):
                return value[lang]
        return next(iter(value.values()))
    return value


def place(path: Sequence[str | int]) -> str:
    """Render a data path the way a person reads it: ``agenda[2].actions[0]``."""
    out = ""
    for step in path:
        if isinstance(step, int):
            out += f"[{step}]"
        else:
            out += f".{step}" if out else str(step)
    return out or "(top level)"


def localised_object(obj: Mapping[str, Any], locale: str) -> dict[str, Any]:
    """A template object in one language, as the board model expects it.

    Connectors need x and y on the board, which mean nothing for them in a template,
    so they default to the template's origin. `writable` is a template-only field: the
    object goes on the board unlocked, for edit links to write in.
    """
    out = {
        key: localise(value, locale) if key in LOCALISED_FIELDS else value
        for key, value in obj.items()
        if key != "writable"
    }
    if obj.get("writable") is True:
        out["locked"] = False
    if out.get("kind") == "connector":
        out.setdefault("x", 0)
        out.setdefault("y", 0)
    return out
