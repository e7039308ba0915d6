"""The languages Samskap speaks, and how a browser's wish maps to one of them.

Pure data and functions: the pages, the API, templates and the report all ask here,
so adding a language is one line in `LANGUAGES` plus its texts (see docs/i18n.md).
Bokmål is the fallback: a text missing in another language is shown in bokmål,
never as a raw key.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TypeVar

# code -> the language's name in itself (what the language menu shows)
LANGUAGES: Mapping[str, str] = {
    "nb": "Norsk bokmål",
    "nn": "Norsk nynorsk",
    "en": "English",
}
CODES: tuple[str, ...] = tuple(LANGUAGES)
FALLBACK = "nb"
DEFAULT = "en"  # for a browser that asks for none of ours
# Languages every shipped text must be complete in (`samskap i18n check` fails otherwise).
REQUIRED: tuple[str, ...] = ("nb", "nn", "en")
# Browser tags that mean one of ours: "no" is Norwegian without a written form; bokmål
# is what most people who send it write.
_ALIASES = {"no": "nb", "nob": "nb", "nno": "nn", "eng": "en"}

T = TypeVar("T")


def match(tag: str | None) -> str | None:
    """Our code for one browser language tag ("nn-NO" -> "nn", "no" -> "nb"), or None."""
    primary = (tag or "").strip().replace("_", "-").split("-")[0].lower()
    primary = _ALIASES.get(primary, primary)
    return primary if primary in LANGUAGES else None


def choose(tags: Iterable[str | None], default: str = DEFAULT) -> str:
    """The first of `tags` (in the caller's order of preference) that we speak."""
    for tag in tags:
        code = match(tag)
        if code is not None:
            return code
    return default


def chain(code: str) -> tuple[str, ...]:
    """Where to look for a text, in order: the language itself, bokmål, English."""
    return tuple(dict.fromkeys((code, FALLBACK, "en")))


def lookup(tables: Mapping[str, Mapping[str, T]], code: str, key: str) -> T | None:
    """`key` in the first table of `chain(code)` that has it (and is not empty)."""
    for lang in chain(code):
        value = tables.get(lang, {}).get(key)
        if value not in (None, ""):
            return value
    return None
