"""The loaded template, its error type and the language helpers every module shares."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .schema import LOCALES

LOCALISED_FIELDS = ("text", "title", "tag")


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
    """A validated template. Objects keep template-local ids and `{nb, en}` texts."""

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
    """Map a browser-style locale ("nb-NO", "no", "nn", "en-GB") to one we ship."""
    base = (locale or "").replace("_", "-").split("-")[0].lower()
    if base in ("nb", "no", "nn"):
        return "nb"
    return "en" if base == "en" or base not in LOCALES else base


def localise(value: Any, locale: str) -> Any:
    """The text for `locale` of a `{nb, en}` mapping; any other value unchanged."""
    if isinstance(value, Mapping) and set(value) <= set(LOCALES) and value:
        return value.get(locale, next(iter(value.values())))
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
    so they default to the template's origin.
    """
    out = {
        key: localise(value, locale) if key in LOCALISED_FIELDS else value
        for key, value in obj.items()
    }
    if out.get("kind") == "connector":
        out.setdefault("x", 0)
        out.setdefault("y", 0)
    return out
